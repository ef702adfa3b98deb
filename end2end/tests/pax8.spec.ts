import { api, expect, open, signIn, test } from "./fixtures";
import type { Page } from "@playwright/test";

/** Makes sure an alert run has read Pax8, then opens the Pax8 companies page. */
async function companiesPage(page: Page) {
  await open(page, "/alerts");
  const run = page.getByRole("button", { name: "Run now" });
  if ((await page.getByText("No run yet").count()) && (await run.count())) {
    await run.click();
    await expect(page.getByTestId("alert-run")).toContainText(/Last run/, { timeout: 60_000 });
    await expect(page.getByTestId("alert-run")).not.toContainText("A run is going now", { timeout: 60_000 });
  }
  await open(page, "/alerts/pax8-companies");
  await expect(page.getByRole("heading", { name: "Pax8 companies", level: 1 })).toBeVisible();
}

test("an Editor confirms a suggested Pax8 company, ignores one, and undoes both, each in its history", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  await companiesPage(page);
  await expect(page.getByTestId("pax8-read")).toContainText(/Pax8 read/);
  const rows = page.getByTestId("pax8-company");
  // A row by its company's name (every row's customer list holds every customer's name).
  const rowOf = (name: string) => rows.filter({ has: page.getByTestId("pax8-name").getByText(name, { exact: true }) });
  // SeatSync's own matches by subscription are there, and suggestions wait for a person, first.
  const inState = (state: string) => rows.filter({ has: page.getByTestId("pax8-state").getByText(state, { exact: true }) });
  await expect(inState("matched").first()).toContainText("its subscriptions are this tenant's in Partner Center");
  const suggested = inState("suggested, waiting for a person");
  const waiting = await suggested.count();
  expect(waiting, "the seeded Pax8 has companies only a person can place").toBeGreaterThan(0);
  await expect(page.getByRole("button", { name: `Accept all ${waiting} suggestions` })).toBeVisible();

  // Confirm the first suggestion as it stands (its customer is chosen already).
  const row = suggested.first();
  const company = (await row.getByTestId("pax8-name").textContent())!.trim();
  const customer = (await row.locator("td").nth(1).locator("span").first().textContent())!.trim();
  await row.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("status")).toContainText(`${company} is ${customer}`);
  const decided = rowOf(company);
  await expect(decided.getByTestId("pax8-state")).toHaveText("confirmed");
  await expect(decided).toContainText("Eddie Editor decided");
  await decided.getByText("History").click();
  await expect(decided.getByTestId("pax8-history")).toContainText(`Confirmed as ${customer} by Eddie Editor`);

  // Undo gives it back to SeatSync's matching; the history keeps both.
  await decided.getByRole("button", { name: /^Undo/ }).click();
  await expect(page.getByRole("status")).toContainText("goes back to SeatSync's own matching");
  await decided.getByText("History").click();
  await expect(decided.getByTestId("pax8-history").locator("li").first()).toContainText("Given back to SeatSync's matching by Eddie Editor");
  await expect(decided.getByTestId("pax8-history")).toContainText(`Confirmed as ${customer}`);

  // Ignore another company, then take it back.
  const other = rows.filter({ has: page.getByRole("button", { name: "Ignore" }) }).nth(1);
  const otherName = (await other.getByTestId("pax8-name").textContent())!.trim();
  await other.getByRole("button", { name: "Ignore" }).click();
  await expect(page.getByRole("status")).toContainText(`${otherName} is ignored`);
  const ignored = rowOf(otherName);
  await expect(ignored.getByTestId("pax8-state")).toHaveText("ignored");
  await ignored.getByRole("button", { name: /^Undo/ }).click();
  await expect(page.getByRole("status")).toContainText(`${otherName} goes back`);
});

test("a Viewer reads the Pax8 companies but cannot decide, and the server refuses", async ({ page }) => {
  await signIn(page, "Vera Viewer");
  await companiesPage(page);
  await expect(page.getByTestId("pax8-company").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Confirm" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Accept all/ })).toHaveCount(0);
  expect((await api(page, "pax8/accept_all")).status).toBe(403);
  expect((await api(page, "pax8/companies")).status).toBe(200);
});

test("an Admin adds a Pax8 product to the product table and removes it; an Editor reads the table and cannot", async ({ page }) => {
  await signIn(page, "Ada Admin");
  await companiesPage(page);
  const products = page.getByTestId("pax8-product");
  await expect(products.filter({ hasText: "Microsoft 365 Business Premium" }).getByTestId("pax8-product-source")).toHaveText("shipped with SeatSync");
  // Another vendor's product Pax8 sells (backup, security) is no Microsoft licence: not listed.
  await expect(products.filter({ hasText: "Acronis" })).toHaveCount(0);

  const name = `E2E Pax8 product ${Date.now()}`;
  const rowOf = () => products.filter({ has: page.getByTestId("pax8-product-name").getByText(name, { exact: true }) });
  await page.getByLabel("Pax8 product name", { exact: true }).fill(name);
  await page.getByLabel("SKU part number", { exact: true }).fill("not a part!");
  await page.getByRole("button", { name: "Add to the table" }).click();
  await expect(page.getByRole("alert")).toContainText("is not a SKU part number");
  await expect(rowOf()).toHaveCount(0);

  await page.getByLabel("Pax8 product name", { exact: true }).fill(name);
  await page.getByLabel("SKU part number", { exact: true }).fill("E2E_PART");
  await page.getByRole("button", { name: "Add to the table" }).click();
  await expect(rowOf().getByTestId("pax8-product-source")).toContainText("Ada Admin");
  await expect(page.getByLabel(`SKU part number of ${name}`)).toHaveValue("E2E_PART");

  await signIn(page, "Eddie Editor");
  await companiesPage(page);
  await expect(rowOf()).toContainText("E2E_PART");
  await expect(page.getByRole("button", { name: "Add to the table" })).toHaveCount(0);
  expect((await api(page, "pax8/set_product", { product_name: name })).status).toBe(403);

  await signIn(page, "Ada Admin");
  await companiesPage(page);
  await page.getByRole("button", { name: `Remove the addition for ${name}` }).click();
  await expect(rowOf()).toHaveCount(0);
});
