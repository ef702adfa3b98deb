import { api, expect, open, signIn, simUrl, test } from "./fixtures";

test("an Editor runs the alerts and sees each customer's seats to give back, with where and when", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  await open(page, "/alerts");
  await expect(page.getByRole("heading", { name: "Unused-licence alerts", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Run now" }).click();
  await expect(page.getByTestId("alert-run")).toContainText(/Last run (just now|\d+ min ago)/, { timeout: 60_000 });
  await expect(page.getByTestId("alert-run")).not.toContainText("A run is going now", { timeout: 60_000 });

  const tenants = page.getByTestId("alert-tenant");
  await expect(tenants.first()).toBeVisible();
  const first = tenants.first();
  await expect(first.getByTestId("finding").first()).toContainText(/Pax8|Partner Center/);
  await expect(first.getByTestId("finding").first()).toContainText(/now|at renewal on \d{4}-\d{2}-\d{2}/);
  // Worst first: the first customer saves at least as much as the second.
  const savings = await tenants.locator("h3 + p span:last-child").allTextContents();
  const amount = (text: string) => Number(text.replace(/[^0-9.]/g, ""));
  if (savings.length > 1) expect(amount(savings[0])).toBeGreaterThanOrEqual(amount(savings[1]));
  // What is left out says why: the seeded tenants without Graph consent are never alerted.
  await expect(page.getByTestId("passed-over").filter({ hasText: "assigned seats are unknown" }).first()).toBeVisible();
  await expect(page.getByRole("heading", { name: "Reducible at renewal" })).toBeVisible();
});

test("a Viewer reads the alerts but cannot start a run", async ({ page }) => {
  await signIn(page, "Vera Viewer");
  await open(page, "/alerts");
  await expect(page.getByRole("heading", { name: "Unused-licence alerts", level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "Run now" })).toHaveCount(0);
  const view = await api(page, "alerts/view", {});
  expect(view.status).toBe(200);
  const refused = await api(page, "jobs/run", { kind: "licence_alerts" });
  expect(refused.status, "the server refuses a Viewer's run").toBe(403);
});

test("an Editor keeps the ignore list and leaves a customer out, and takes both back", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  await open(page, "/alerts");
  // The shipped list is there from the first run on.
  if (await page.getByText("No run yet").count()) {
    await page.getByRole("button", { name: "Run now" }).click();
    await expect(page.getByTestId("alert-tenant").first()).toBeVisible({ timeout: 60_000 });
  }
  await expect(page.getByTestId("ignored-sku").filter({ hasText: "INTUNE_A_D" })).toBeVisible();

  const part = `E2E_SKU_${Date.now()}`;
  await page.getByLabel("Part number", { exact: true }).fill(part);
  await page.getByLabel("Kind", { exact: true }).selectOption("device");
  await page.getByLabel("Why (optional)", { exact: true }).fill("kiosk tablets");
  await page.getByRole("button", { name: "Add to the ignore list" }).click();
  const added = page.getByTestId("ignored-sku").filter({ hasText: part });
  await expect(added).toContainText("device: kiosk tablets");
  await expect(added).toContainText("Eddie Editor");
  await page.getByRole("button", { name: `Remove ${part} from the ignore list` }).click();
  await expect(page.getByTestId("ignored-sku").filter({ hasText: part })).toHaveCount(0);

  // A part number that is not one is refused in words.
  await page.getByLabel("Part number", { exact: true }).fill("not a part number!");
  await page.getByRole("button", { name: "Add to the ignore list" }).click();
  await expect(page.getByText("is not a SKU part number")).toBeVisible();

  const card = page.getByTestId("alert-tenant").first();
  const name = (await card.locator("h3").textContent())!.trim();
  await card.getByRole("button", { name: "Leave customer out" }).click();
  const row = page.getByTestId("exclusion").filter({ hasText: name }).filter({ hasText: "the whole customer" });
  await expect(row).toContainText("Eddie Editor");
  await page.getByRole("button", { name: `Take ${name} the whole customer back into alerts` }).click();
  await expect(page.getByTestId("exclusion").filter({ hasText: name }).filter({ hasText: "the whole customer" })).toHaveCount(0);
});

test("an Admin sets how long before a renewal longer terms are alerted; an Editor reads it and cannot", async ({ page }) => {
  await signIn(page, "Ada Admin");
  await open(page, "/alerts");
  const field = page.getByLabel("Alert annual and 3-year subscriptions this many days before they renew");
  await field.fill("400");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("alert")).toContainText("between 0 and 365 days");
  await field.fill("45");
  const waiting = page.getByLabel(/Tickets also list unused seats that wait for a customer's Pax8 company/);
  await waiting.check();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status")).toContainText("Saved");
  await open(page, "/alerts");
  await expect(field).toHaveValue("45");
  await expect(waiting).toBeChecked();

  await signIn(page, "Eddie Editor");
  await open(page, "/alerts");
  await expect(page.getByTestId("notice-days")).toContainText("from 45 days before they renew");
  await expect(page.getByTestId("ticket-waiting")).toBeVisible();
  await expect(page.getByRole("button", { name: "Save settings" })).toHaveCount(0);
  expect((await api(page, "alerts/save_settings", { renewal_notice_days: "10" })).status).toBe(403);

  // Back to the default for the other tests.
  await signIn(page, "Ada Admin");
  expect((await api(page, "alerts/save_settings", { renewal_notice_days: "30", ticket_waiting: "false" })).status).toBe(200);
});

test("an Editor gives one licence of one customer its own spare seats and the default back; a Viewer cannot", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  await open(page, "/alerts");
  const form = page.getByTestId("allowance-form");
  await form.getByTestId("allowance-tenant").selectOption({ index: 1 });
  const customer = (await form.getByTestId("allowance-tenant").locator("option:checked").textContent())!.trim();
  const licences = form.getByTestId("allowance-sku");
  await expect(licences).toBeEnabled();
  await licences.selectOption({ index: 1 });
  const chosen = (await licences.locator("option:checked").textContent())!.trim();
  const licence = chosen.slice(0, chosen.lastIndexOf(" (")).trim();
  const rowOf = () =>
    page.getByTestId("allowance").filter({ has: page.getByTestId("allowance-customer").getByText(customer, { exact: true }) }).filter({ hasText: licence });

  // A number out of range is refused in words, and nothing is stored.
  await form.getByTestId("allowance-spare-input").fill("-2");
  await form.getByRole("button", { name: "Keep these spare" }).click();
  await expect(page.getByRole("alert")).toContainText("between 0 and 10000");
  await expect(rowOf()).toHaveCount(0);

  await form.getByTestId("allowance-spare-input").fill("4");
  await form.getByRole("button", { name: "Keep these spare" }).click();
  await expect(page.getByRole("status")).toContainText("Saved");
  await expect(rowOf().getByTestId("allowance-spare")).toContainText("4");
  await expect(rowOf()).toContainText("Eddie Editor");

  await signIn(page, "Vera Viewer");
  await open(page, "/alerts");
  await expect(rowOf()).toBeVisible();
  await expect(page.getByTestId("allowance-form")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Use the default for/ })).toHaveCount(0);
  expect((await api(page, "alerts/set_allowance", { tenant: "x", sku: "y", spare: "1" })).status).toBe(403);

  await signIn(page, "Eddie Editor");
  await open(page, "/alerts");
  await page.getByRole("button", { name: `Use the default for ${customer} ${licence}` }).click();
  await expect(rowOf()).toHaveCount(0);
});

test("an Admin has the alerts e-mailed as a digest after each run; an Editor reads the setting", async ({ page }) => {
  const mails = async () => (await (await page.request.get(`${simUrl}/_sim/mail`)).json()) as any[];
  await signIn(page, "Ada Admin");
  await open(page, "/alerts");
  await page.getByLabel("one digest of every customer after each run").check();
  const to = page.getByLabel("To (commas between addresses)");
  await to.fill("not-an-address");
  await page.getByRole("button", { name: "Save e-mail" }).click();
  await expect(page.getByRole("alert")).toContainText("'not-an-address' is not an e-mail address");
  await to.fill("billing@northwind-msp.example");
  await page.getByRole("button", { name: "Save e-mail" }).click();
  await expect(page.getByRole("status")).toContainText("Saved");

  const before = (await mails()).length;
  await page.getByRole("button", { name: "Run now" }).click();
  await expect.poll(async () => (await mails()).length, { timeout: 60_000 }).toBe(before + 1);
  const digest = (await mails()).at(-1);
  expect(digest.to).toEqual(["billing@northwind-msp.example"]);
  expect(digest.subject).toMatch(/^Unused Microsoft licences: \d+ customers/);
  expect(digest.text).toContain("/alerts/reduce/");
  await expect(page.getByTestId("emails-line")).toContainText("E-mail: 1 message sent.", { timeout: 60_000 });

  await signIn(page, "Eddie Editor");
  await open(page, "/alerts");
  await expect(page.getByTestId("email-setting")).toContainText("one digest of every customer after each run, to billing@northwind-msp.example");
  await expect(page.getByRole("button", { name: "Save e-mail" })).toHaveCount(0);
  expect((await api(page, "alerts/save_email", { mode: "Off", to: "" })).status).toBe(403);

  // Back to no e-mail for the other tests.
  await signIn(page, "Ada Admin");
  expect((await api(page, "alerts/save_email", { mode: "Off", to: "" })).status).toBe(200);
});
