import { api, expect, open, reload, signIn, test } from "./fixtures";
import type { Page } from "@playwright/test";

/** Starts a licence sync (unless one runs) and waits for it to end, so the tiles count something. */
async function synced(page: Page) {
  await api(page, "licences/sync");
  await expect.poll(async () => (await api(page, "licences/sync_status")).body?.running, { timeout: 30_000 }).toBe(false);
}

const tileValue = (page: Page, id: string) => page.getByTestId(id).getByTestId("tile-value").innerText();

test("the dashboard leads with what needs doing, and each tile opens the list it counts, filtered in the address", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  await synced(page);
  await open(page, "/");
  const tiles = page.getByRole("region", { name: "What needs doing" });
  for (const id of ["tile-waste", "tile-tenants-unmapped", "tile-offers-unmapped", "tile-failed-syncs", "tile-windows-closing", "tile-contracts-differing"]) {
    await expect(tiles.getByTestId(id)).toBeVisible();
  }

  // Tenants not mapped: the customer mapping page, showing only those, and a reload keeps it.
  const tenants = await tileValue(page, "tile-tenants-unmapped");
  await page.getByTestId("tile-tenants-unmapped").click();
  await expect(page).toHaveURL(/\/mapping\/customers\?status=unmapped$/);
  await page.locator("body[data-hydrated]").waitFor();
  await expect(page.getByTestId("count-unmapped")).toHaveText(tenants);
  await expect(page.getByLabel("Status filter")).toHaveValue("unmapped");
  for (const status of await page.getByTestId("mapping-status").allInnerTexts()) expect(status).toContain("Not mapped");
  await reload(page);
  await expect(page.getByLabel("Status filter")).toHaveValue("unmapped");
  // A search joins the filter in the address; a reload keeps both.
  const first = (await page.getByTestId("mapping-row").first().locator("td").first().innerText()).split("\n")[0].trim();
  await page.getByLabel("Filter tenants").fill(first.slice(0, 6));
  await expect(page).toHaveURL(/q=/);
  await reload(page);
  await expect(page.getByLabel("Filter tenants")).toHaveValue(first.slice(0, 6));
  await expect(page.getByTestId("mapping-row").first()).toContainText(first);
  // Choosing "All" leaves the status out of the address.
  await page.getByLabel("Status filter").selectOption("all");
  await expect(page).not.toHaveURL(/status=/);
  await page.goBack();
  await expect(page).toHaveURL(/\/$/);

  // Offers not mapped: the service mapping page, filtered the same way.
  await page.locator("body[data-hydrated]").waitFor();
  const offers = await tileValue(page, "tile-offers-unmapped");
  await page.getByTestId("tile-offers-unmapped").click();
  await expect(page).toHaveURL(/\/mapping\/services\?status=unmapped$/);
  await expect(page.getByTestId("count-unmapped")).toHaveText(offers);
  await expect(page.getByTestId("count-unmapped").locator("xpath=ancestor::button")).toHaveAttribute("aria-pressed", "true");

  // Waste and failed syncs: the Overview with its checkbox ticked from the address.
  await open(page, "/");
  await page.getByTestId("tile-waste").click();
  await expect(page).toHaveURL(/\/overview\?waste=on$/);
  await page.locator("body[data-hydrated]").waitFor();
  await expect(page.getByLabel("Only tenants with waste")).toBeChecked();
  await open(page, "/");
  const failed = Number((await tileValue(page, "tile-failed-syncs")).replace(/,/g, ""));
  await page.getByTestId("tile-failed-syncs").click();
  await page.locator("body[data-hydrated]").waitFor();
  if (page.url().includes("/overview")) {
    await expect(page.getByLabel("Only tenants whose last sync failed")).toBeChecked();
    const rows = page.getByTestId("overview-row");
    await expect(page.getByRole("table", { name: "Tenants by waste" })).toBeVisible();
    // Every tenant listed shows its error in words.
    expect(await page.getByTestId("sync-error").count()).toBe(await rows.count());
    expect(await rows.count()).toBeLessThanOrEqual(failed);
  }

  // Closing cancellation windows: the subscriptions page lists them until a tenant is picked.
  await open(page, "/");
  const windows = Number((await tileValue(page, "tile-windows-closing")).replace(/,/g, ""));
  await page.getByTestId("tile-windows-closing").click();
  await expect(page.getByRole("heading", { name: "Cancellation windows closing within 48 hours" })).toBeVisible();
  if (windows > 0) await expect(page.getByTestId("closing-window")).toHaveCount(windows);
  else await expect(page.getByTestId("no-closing-windows")).toBeVisible();

  // Contracts that differ: the contracts page lists the tenants until one is picked.
  await open(page, "/");
  const differing = Number((await tileValue(page, "tile-contracts-differing")).replace(/,/g, ""));
  await page.getByTestId("tile-contracts-differing").click();
  await expect(page.getByRole("heading", { name: "Contracts that differ from Partner Center" })).toBeVisible();
  if (differing === 0) await expect(page.getByTestId("no-differing-contracts")).toBeVisible();
  else {
    // The list loads after the heading: wait for it before reading (allInnerTexts does not wait).
    await expect(page.getByTestId("differing-tenant").first()).toBeVisible();
    const counts = await page.getByTestId("differing-tenant").locator("td:nth-child(2)").allInnerTexts();
    expect(counts.reduce((sum, n) => sum + Number(n), 0)).toBe(differing);
  }
});

test("a Viewer sees the same tiles", async ({ page }) => {
  await signIn(page, "Vera Viewer");
  await open(page, "/");
  await expect(page.getByTestId("tile-tenants-unmapped")).toBeVisible();
  await expect(page.getByTestId("tile-waste").getByTestId("tile-value")).not.toBeEmpty();
});
