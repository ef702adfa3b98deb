import { expect, open, signIn, simUrl, test } from "./fixtures";
import type { Page } from "@playwright/test";

/** Runs the alerts (if no run finished yet) and waits until the page shows their findings. */
async function alertsReady(page: Page) {
  await open(page, "/alerts");
  // A fresh run, so the findings are today's (an earlier test may have reduced some): the page
  // is read again until the last run ended after the click.
  const clicked = Date.now() - 2000;
  await page.getByRole("button", { name: "Run now" }).click();
  await expect(async () => {
    await open(page, "/alerts");
    const line = page.getByTestId("alert-run");
    const finished = Date.parse(((await line.getAttribute("title")) ?? "").replace(" UTC", "Z").replace(" ", "T"));
    expect(finished).toBeGreaterThanOrEqual(clicked);
    await expect(line).not.toContainText("A run is going now", { timeout: 1000 });
  }).toPass({ timeout: 60_000 });
  await expect(page.getByTestId("alert-tenant").first()).toBeVisible();
}

async function seeded(page: Page, subscription: string) {
  const res = await page.request.get(`${simUrl}/_sim/partner-center/subscriptions/${subscription}`);
  expect(res.ok()).toBeTruthy();
  return (await res.json()) as { quantity: number; nextTermQuantity: number | null };
}

test("an Editor reduces a subscription from the Alerts page through its confirmation page, once", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  await alertsReady(page);
  // A subscription reducible now, through Pax8.
  const row = page.getByTestId("finding").filter({ hasText: "Pax8" }).filter({ hasText: /\bnow\b/ }).first();
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: /^Reduce to \d+…/ }).click();

  await expect(page).toHaveURL(/\/alerts\/reduce\//);
  await page.locator("body[data-hydrated]").waitFor();
  const item = page.getByTestId("reduce-item").first();
  await expect(item.getByTestId("reduce-step")).toContainText(/\d+ → \d+ in Pax8 now/);
  const subscription = (await item.getAttribute("data-subscription"))!;
  const target = Number((await item.getByTestId("reduce-step").textContent())!.match(/→ (\d+)/)![1]);
  const link = page.url();

  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByTestId("reduce-done")).toContainText(`→ ${target} in Pax8 (now)`);
  expect((await seeded(page, subscription)).quantity, "the quantity went down in Pax8 and Partner Center").toBe(target);

  // The same link again: used, says by whom, changes nothing.
  await open(page, new URL(link).pathname);
  await expect(page.getByTestId("link-unusable")).toContainText("already used by Eddie Editor");
  await expect(page.getByTestId("change-line")).toContainText(`→ ${target}`);
  expect((await seeded(page, subscription)).quantity).toBe(target);
});

test("a link opened signed out leads through sign-in back to it; a Viewer is refused; a changed link changes nothing", async ({ page, browser }) => {
  await signIn(page, "Eddie Editor");
  await alertsReady(page);
  await page.getByTestId("alert-tenant").first().getByRole("button", { name: "Reduce all…" }).click();
  await expect(page).toHaveURL(/\/alerts\/reduce\//);
  const path = new URL(page.url()).pathname;

  // Signed out: sign-in first, then back to the link's page.
  const context = await browser.newContext();
  const fresh = await context.newPage();
  await fresh.goto(path);
  await expect(fresh).toHaveURL(/\/signin\?next=/);
  await fresh.getByRole("link", { name: "Sign in with Microsoft" }).click();
  await fresh.getByRole("button", { name: /Eddie Editor/ }).click();
  await expect(fresh).toHaveURL(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
  await expect(fresh.getByTestId("reduce-item").first()).toBeVisible();
  await context.close();

  // A Viewer gets the 403 page.
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signIn(viewer, "Vera Viewer");
  const response = await viewer.goto(path);
  expect(response?.status()).toBe(403);
  await viewerContext.close();

  // One character of the signature changed: refused, nothing changes.
  const tampered = path.slice(0, -2) + (path.endsWith("AA") ? "BB" : "AA");
  await open(page, tampered);
  await expect(page.getByTestId("link-unusable")).toContainText("not made by this SeatSync");
  await expect(page.getByRole("button", { name: "Confirm" })).toHaveCount(0);
});
