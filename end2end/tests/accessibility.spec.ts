import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { api, expect, open, signIn, test } from "./fixtures";

/** The serious and critical findings of axe-core on what the page shows now, in words. */
async function seriousFindings(page: Page, include?: string) {
  let builder = new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]);
  if (include) builder = builder.include(include);
  const { violations } = await builder.analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}

test("no page has a serious or critical accessibility violation", async ({ page }) => {
  // A dozen pages, each loaded and analysed in full.
  test.setTimeout(120_000);
  await open(page, "/signin");
  expect(await seriousFindings(page), "/signin").toEqual([]);

  await signIn(page, "Ada Admin");
  const tenants = (await api(page, "licences/tenants")).body as { tenant_id: string }[];
  const pages = [
    "/",
    "/overview",
    "/subscriptions",
    `/subscriptions?tenant=${tenants[0].tenant_id}`,
    "/mapping/customers",
    "/mapping/services",
    "/contracts",
    `/contracts?tenant=${tenants[0].tenant_id}`,
    "/jobs",
    "/alerts",
    "/alerts/pax8-companies",
    "/alerts/ticket-companies",
    "/billing",
    "/billing/tools/datto_rmm",
    "/billing/tools/pax8",
    "/settings",
    "/settings/integrations/autotask",
    "/settings/integrations/connectwise",
    "/settings/integrations/halo",
    "/settings/products",
    "/users",
    "/no-such-page",
  ];
  for (const url of pages) {
    await open(page, url);
    // Wait for what loads after hydration to settle, so it is checked too.
    await expect(page.getByText(/Loading|Counting/)).toHaveCount(0);
    expect(await seriousFindings(page), url).toEqual([]);
  }
});

test("the mapping dialogs have no serious or critical accessibility violation", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  for (const [url, row] of [["/mapping/customers", "mapping-row"], ["/mapping/services", "offer-row"]]) {
    await open(page, url);
    await page.getByTestId(row).first().getByRole("button", { name: "Edit" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toBeVisible();
    expect(await seriousFindings(page, "[role=dialog]"), `${url}: the dialog`).toEqual([]);
    await page.keyboard.press("Escape");
    await expect(dialog).toHaveCount(0);
  }
});
