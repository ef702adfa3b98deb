import { expect, open, signIn, simUrl, test } from "./fixtures";

test("an Admin tests an integration's connection and reads the answer in words", async ({ page }) => {
  await signIn(page, "Ada Admin");
  await open(page, "/settings");
  const autotask = page.getByRole("button", { name: "Test connection to Autotask PSA" });
  await autotask.click();
  await expect(page.getByRole("status").filter({ hasText: "Connected in" })).toContainText("queried companies");

  // Autotask refusing the credentials is said, and the page stays usable.
  const rules = [{ path: "/ATServicesRest/V1.0/Companies/query", kind: "status", status: 401 }];
  expect((await page.request.post(`${simUrl}/_sim/faults`, { data: { rules } })).ok()).toBeTruthy();
  try {
    await autotask.click();
    await expect(page.getByRole("alert").filter({ hasText: "Autotask PSA answered:" })).toBeVisible();
  } finally {
    await page.request.post(`${simUrl}/_sim/faults`, { data: { rules: [] } });
  }
  await page.getByRole("button", { name: "Test connection to Microsoft Partner Center" }).click();
  await expect(page.getByRole("status").filter({ hasText: "read the customer list" })).toBeVisible();
  await page.getByRole("button", { name: "Test connection to SMTP (e-mail)" }).click();
  await expect(page.getByRole("status").filter({ hasText: "nothing was sent" })).toContainText("signed in as");
});

test("an Admin sets an integration up on its page, tests it and sees where each value comes from", async ({ page }) => {
  await signIn(page, "Ada Admin");
  await open(page, "/settings");
  await page.getByRole("link", { name: "Set up Autotask PSA" }).click();
  await expect(page.getByRole("heading", { name: "Autotask PSA", level: 1 })).toBeVisible();

  // Values from the environment win, and the page says where to change them.
  await expect(page.getByLabel("Zone discovery address", { exact: true })).toBeDisabled();
  await expect(page.getByText("From the environment variable SEATSYNC_AUTOTASK_ZONE_URL")).toBeVisible();
  // A secret is never sent to the browser, whatever its source.
  const secret = page.getByLabel("API user secret", { exact: true });
  await expect(secret).toHaveAttribute("type", "password");
  await expect(secret).toHaveValue("");

  // A value an earlier run left is removed first, so the save below is a change.
  const remove = page.getByRole("button", { name: "Remove saved value of Share of the hourly request limit (%)" });
  if (await remove.isVisible()) {
    await remove.click();
    await expect(remove).toHaveCount(0);
  }
  const share = page.getByLabel("Share of the hourly request limit (%)", { exact: true });
  await share.fill("40");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(page.getByText(/Saved here just now by Ada Admin/)).toBeVisible();
  // The newest change heads the history.
  await expect(page.getByRole("row").nth(1)).toContainText("Ada Admin");
  await expect(page.getByRole("row").nth(1)).toContainText("set to 40");

  await page.getByRole("button", { name: "Test connection to Autotask PSA" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Connected in" })).toContainText("queried companies");

  // A bad value is refused in words; what was saved stays.
  await share.fill("150");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("alert").filter({ hasText: "between 1 and 100" })).toBeVisible();

  // Back to the default, for the other tests.
  await remove.click();
  await expect(page.getByText(/The default\. The environment variable SEATSYNC_AUTOTASK_HOURLY_SHARE/)).toBeVisible();
});

test("an Admin sends a test e-mail and opens a test ticket, each listed on the Jobs page", async ({ page }) => {
  await signIn(page, "Ada Admin");
  await open(page, "/settings/integrations/smtp");
  await page.getByLabel("Send a test e-mail to").fill("ada@northwind-msp.example");
  await page.getByRole("button", { name: "Send test e-mail" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Sent: 250" })).toBeVisible();
  const mail = await (await page.request.get(`${simUrl}/_sim/mail`)).json();
  const mine = mail.filter((m: { to: string[] }) => m.to.includes("ada@northwind-msp.example"));
  expect(mine.length).toBeGreaterThan(0);
  expect(mine[mine.length - 1].attachments).toEqual(["seatsync-test.csv"]);

  // Tickets are filed as chosen from Autotask's own lists.
  await open(page, "/settings/integrations/autotask");
  await page.getByLabel("Queue", { exact: true }).selectOption({ label: "Billing" });
  await page.getByRole("button", { name: "Save ticket defaults" }).click();
  await expect(page.getByRole("status").filter({ hasText: "new tickets are filed this way" })).toBeVisible();
  const company = page.getByLabel("Open a test ticket for");
  await company.selectOption({ index: 1 });
  await page.getByRole("button", { name: "Open test ticket" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Sent: Ticket T" })).toBeVisible();

  await open(page, "/jobs");
  const deliveries = page.getByTestId("deliveries");
  await expect(deliveries.getByRole("row").nth(1)).toContainText("SeatSync test ticket");
  await expect(deliveries.getByRole("row").nth(1)).toContainText("Sent");
  await expect(deliveries).toContainText("SeatSync test e-mail");
});

test("an Admin files ConnectWise tickets on a board and status chosen from its lists and opens a test ticket", async ({ page }) => {
  await signIn(page, "Ada Admin");
  await open(page, "/settings/integrations/connectwise");
  await page.getByLabel("Board", { exact: true }).selectOption({ label: "Billing" });
  // The board's own statuses arrive once it is chosen.
  await page.getByLabel("Status", { exact: true }).selectOption({ label: "Review" });
  await page.getByRole("button", { name: "Save ticket defaults" }).click();
  await expect(page.getByRole("status").filter({ hasText: "new tickets open on this board" })).toBeVisible();
  await page.getByLabel("Open a test ticket for").selectOption({ index: 1 });
  await page.getByRole("button", { name: "Open test ticket" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Sent: Ticket #" })).toBeVisible();
  const tickets = await (await page.request.get(`${simUrl}/_sim/connectwise/tickets`)).json();
  expect(tickets[tickets.length - 1].board.name).toBe("Billing");
  expect(tickets[tickets.length - 1].status.name).toBe("Review");
});

test("an Admin chooses HaloPSA's ticket type from its list and opens a test ticket", async ({ page }) => {
  await signIn(page, "Ada Admin");
  await open(page, "/settings/integrations/halo");
  await page.getByLabel("Ticket type", { exact: true }).selectOption({ label: "Billing" });
  await page.getByRole("button", { name: "Save ticket defaults" }).click();
  await expect(page.getByRole("status").filter({ hasText: "new tickets open as this type" })).toBeVisible();
  await page.getByLabel("Open a test ticket for").selectOption({ index: 1 });
  await page.getByRole("button", { name: "Open test ticket" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Sent: Ticket #" })).toBeVisible();
  const tickets = await (await page.request.get(`${simUrl}/_sim/halo/tickets`)).json();
  expect(tickets[tickets.length - 1].tickettype_name).toBe("Billing");
});
