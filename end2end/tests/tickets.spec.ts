import { api, expect, open, signIn, simUrl, test } from "./fixtures";
import type { Page } from "@playwright/test";

/** Runs the alerts from the Alerts page and waits for the run to end. */
async function runAlerts(page: Page) {
  await open(page, "/alerts");
  await page.getByRole("button", { name: "Run now" }).click();
  await expect(page.getByTestId("alert-run")).toContainText(/Last run/, { timeout: 60_000 });
  await expect(page.getByTestId("alert-run")).not.toContainText("A run is going now", { timeout: 60_000 });
}

test("an Admin sends the tickets to ConnectWise, accepts the customers' companies and the run opens them there", async ({ page }) => {
  await signIn(page, "Ada Admin");
  await open(page, "/alerts");
  await page.getByRole("link", { name: "Where tickets go" }).click();
  await expect(page.getByRole("heading", { name: "Where tickets go", level: 1 })).toBeVisible();
  await page.locator("body[data-hydrated]").waitFor();
  try {
    await expect(page.getByTestId("ticket-psa")).toHaveText("SeatSync's tickets go to Autotask.");
    await expect(page.getByTestId("autotask-companies")).toContainText("the company each customer is mapped to");

    await page.getByLabel("Open tickets in").selectOption("connectwise");
    await page.getByRole("button", { name: "Save PSA" }).click();
    await expect(page.getByRole("status")).toContainText("Tickets now go to ConnectWise Manage.");
    await expect(page.getByTestId("ticket-psa")).toHaveText("SeatSync's tickets go to ConnectWise Manage.");
    await expect(page.getByRole("heading", { name: "Customers' ConnectWise Manage companies" })).toBeVisible();
    const rows = page.getByTestId("ticket-company");
    await expect(rows.first()).toBeVisible();

    // One suggestion accepted by itself, then every other one at once.
    const suggested = rows.filter({ has: page.getByTestId("suggested-company") });
    const count = await suggested.count();
    expect(count, "SeatSync suggests companies by name").toBeGreaterThan(1);
    const first = suggested.first();
    const customer = (await first.getByTestId("tenant-name").textContent())!.trim();
    const company = (await first.getByTestId("suggested-company").textContent())!.replace("Suggested: ", "").trim();
    await first.getByRole("button", { name: /^Accept/ }).click();
    await expect(page.getByRole("status")).toContainText(`${customer}'s tickets go to ${company} in ConnectWise Manage.`);
    const row = rows.filter({ has: page.getByTestId("tenant-name").getByText(customer, { exact: true }) });
    await expect(row.getByTestId("chosen-company")).toHaveText(company);
    await expect(row).toContainText("chosen by Ada Admin");
    await page.getByRole("button", { name: `Accept all ${count - 1} suggestions` }).click();
    await expect(page.getByRole("status")).toContainText(`${count - 1} customers' ConnectWise Manage companies were set`);
    await expect(page.getByTestId("suggested-company")).toHaveCount(0);

    // Chosen by typing a name; a name ConnectWise does not have cannot be chosen.
    const input = row.getByLabel(`company for ${customer}`);
    await input.fill("No Such Company Ltd");
    await expect(row.getByRole("button", { name: "Choose" })).toBeDisabled();
    const other = (await page.locator("#psa-companies option").last().getAttribute("value"))!;
    await input.fill(other);
    await row.getByRole("button", { name: "Choose" }).click();
    await expect(page.getByRole("status")).toContainText(`${customer}'s tickets go to ${other}`);
    await expect(row.getByTestId("chosen-company")).toHaveText(other);
    await row.getByRole("button", { name: "Clear" }).click();
    await expect(page.getByRole("status")).toContainText(`${customer} has no ConnectWise Manage company any more`);
    await expect(row.getByTestId("chosen-company")).toHaveCount(0);

    // The run opens the tickets in ConnectWise, for the customers' companies.
    const before = await (await page.request.get(`${simUrl}/_sim/connectwise/tickets`)).json();
    await runAlerts(page);
    await expect(page.getByTestId("tickets-line")).toContainText(/Tickets: [1-9]\d* opened/);
    await expect(page.getByText(/One ConnectWise Manage ticket per customer/)).toBeVisible();
    const after: any[] = await (await page.request.get(`${simUrl}/_sim/connectwise/tickets`)).json();
    const opened = after.slice(before.length).filter((t) => String(t.summary).startsWith("Unused Microsoft licences"));
    expect(opened.length).toBeGreaterThan(0);
    expect(String(opened[0].initialDescription)).toContain("/alerts/reduce/");

    // Back to Autotask, from Settings this time.
    await open(page, "/settings");
    await page.getByLabel("Open tickets in").selectOption("autotask");
    await page.getByRole("button", { name: "Save PSA" }).click();
    await expect(page.getByRole("status")).toContainText("Tickets now go to Autotask.");
    await expect(page.getByTestId("ticket-psa")).toHaveText("SeatSync's tickets go to Autotask.");
  } finally {
    // Tickets go back to Autotask for the other tests.
    expect((await api(page, "tickets/save_psa", { psa: "autotask" })).status).toBe(200);
  }
});

test("a Viewer sees where tickets go but cannot change it, and the server refuses", async ({ page }) => {
  await signIn(page, "Vera Viewer");
  await open(page, "/alerts/ticket-companies");
  await expect(page.getByTestId("ticket-psa")).toContainText("SeatSync's tickets go to");
  await expect(page.getByRole("button", { name: "Save PSA" })).toHaveCount(0);
  expect((await api(page, "tickets/save_psa", { psa: "halo" })).status).toBe(403);
  expect((await api(page, "tickets/accept_companies")).status).toBe(403);
  expect((await api(page, "tickets/companies")).status).toBe(200);
});
