import { api, expect, open, reload, signIn, simUrl, test } from "./fixtures";

test("an Editor syncs, picks a tenant, sorts, and sees last sync and the links", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Subscriptions" }).click();
  await expect(page.getByRole("heading", { name: "NCE subscriptions" })).toBeVisible();

  await page.getByRole("button", { name: "Sync all tenants" }).click();
  const progress = page.getByTestId("sync-progress");
  // The seeded MSP has one tenant whose Graph refuses the app (no consent).
  await expect(progress).toContainText(/Last licence sync .*: 39 of 40 tenants synced, 1 failed/, { timeout: 30_000 });

  const tenants = page.getByRole("list", { name: "Tenants" });
  await expect(tenants.getByRole("link")).toHaveCount(40);
  const first = tenants.getByRole("link").first();
  const name = (await first.locator("span").first().innerText()).trim();
  await page.getByRole("searchbox", { name: "Tenant", exact: true }).fill(name.slice(0, 6));
  await tenants.getByRole("link", { name: new RegExp(name) }).first().click();

  const card = page.getByTestId("tenant-card");
  await expect(card.getByRole("heading", { name })).toBeVisible();
  await expect(card.getByTestId("last-sync")).toHaveText(/just now|min ago/);
  await expect(card.getByTestId("last-sync")).toHaveAttribute("title", /UTC$/);
  await expect(card.getByRole("link", { name: "Open in Partner Center" })).toHaveAttribute("href", /partner\.microsoft\.com/);

  // The PSA link appears once the tenant is mapped to its Autotask company.
  expect((await api(page, "mapping/refresh")).status).toBe(200);
  const row = (await api(page, "mapping/customers")).body.rows.find((r: any) => r.name === name);
  if (row.state !== "mapped") {
    await expect(card.getByRole("link", { name: "Not mapped to Autotask" })).toBeVisible();
    const seeded = await (await page.request.get(`${simUrl}/_sim/autotask-company-of/${row.tenant_id}`)).json();
    const saved = await api(page, "mapping/save_tenant", {
      tenant_id: row.tenant_id, action: "map", company_id: String(seeded.companyId), version: String(row.version),
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    await reload(page);
  }
  const company = (await api(page, "mapping/customers")).body.rows.find((r: any) => r.name === name).company_id;
  const psa = card.getByRole("link", { name: "Open company in Autotask" });
  await expect(psa).toHaveAttribute("href", new RegExp(`ExecuteCommand\\.aspx\\?.*Code=OpenAccount.*AccountID=${company}`));

  const rows = page.getByTestId("subscription-row");
  expect(await rows.count()).toBeGreaterThan(3);
  await page.getByRole("button", { name: "Purchased" }).click();
  const purchased = async () => (await rows.locator("td:nth-child(2)").allInnerTexts()).map(Number);
  const ascending = await purchased();
  expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
  await page.getByRole("button", { name: /Purchased/ }).click();
  const descending = await purchased();
  expect(descending).toEqual([...descending].sort((a, b) => b - a));

  // Sync one tenant and watch the progress come back finished.
  await card.getByRole("button", { name: "Sync now" }).click();
  await expect(progress).toContainText(/1 of 1 tenants synced/, { timeout: 30_000 });
  // Two syncs, two points: each product has its purchased-vs-assigned chart.
  await expect(page.getByTestId("seat-charts").getByRole("img").first()).toBeVisible();

  // Leaving the page stops its polling cleanly (the fixture fails the test on any panic).
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await expect(page.getByRole("heading", { name: /Welcome/ })).toBeVisible();
  await page.waitForTimeout(2000);
});

test("a Viewer browses subscriptions but cannot start a sync", async ({ page }) => {
  await signIn(page, "Vera Viewer");
  await open(page, "/subscriptions");
  await expect(page.getByRole("heading", { name: "NCE subscriptions" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sync all tenants" })).toHaveCount(0);
  await page.getByRole("list", { name: "Tenants" }).getByRole("link").first().click();
  await expect(page.getByTestId("tenant-card")).toBeVisible();
  await expect(page.getByRole("button", { name: "Sync now" })).toHaveCount(0);
});

/** Starts a licence sync of every tenant (or joins the one running) and waits for it. */
async function syncEverything(page: import("@playwright/test").Page) {
  const started = await api(page, "licences/sync");
  expect([200, 409], JSON.stringify(started.body)).toContain(started.status);
  await expect.poll(async () => (await api(page, "licences/sync_status")).body?.running, { timeout: 30_000 }).toBe(false);
}

test("a tenant whose Graph refuses still shows Partner Center's subscriptions, and grace-period seats are not bought", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  await syncEverything(page);
  const summary = await (await page.request.get(`${simUrl}/_sim/summary`)).json();

  // The seeded tenant without Graph consent: subscriptions stored, seat counts marked failed.
  await open(page, `/subscriptions?tenant=${summary.graphAccessDenied[0]}`);
  const card = page.getByTestId("tenant-card");
  await expect(page.getByTestId("subscription-row").first()).toBeVisible();
  const failed = card.getByTestId("source-failed");
  await expect(failed).toHaveCount(1);
  await expect(failed).toContainText("Microsoft Graph could not be read on the last sync");
  await expect(failed).toContainText("403");
  await expect(failed).toContainText("The seat counts (assigned, unused) are unknown until it answers.");
  await expect(card.getByTestId("source-times")).toHaveText(/Subscriptions (just now|\d+ min ago) · seats failed/);

  // The seeded tenant with an expired subscription in its grace period.
  await open(page, `/subscriptions?tenant=${summary.gracePeriod[0]}`);
  const grace = page.getByTestId("product-row").filter({ hasText: "2 seat(s) in grace period" });
  await expect(grace).toHaveCount(1);
  await expect(grace.locator("td").nth(1)).toHaveText("6");
  await expect(grace.locator("td").nth(3)).toHaveText("1");
  const over = page.getByTestId("product-row").filter({ hasText: "3 seat(s) in grace period" });
  await expect(over.getByTestId("over-assigned")).toHaveText("2 user(s) lose the licence when the grace period ends");
});

test("the tenant list folds away to give the table the width, and stays folded on the next page", async ({ page }) => {
  await signIn(page, "Vera Viewer");
  await open(page, "/subscriptions");
  const tenants = page.getByRole("list", { name: "Tenants" });
  await tenants.getByRole("link").first().click();
  const card = page.getByTestId("tenant-card");
  await expect(card).toBeVisible();
  const narrow = (await card.boundingBox())!.width;

  await page.getByRole("button", { name: "Hide tenants" }).click();
  await expect(tenants).toBeHidden();
  const show = page.getByRole("button", { name: /^Show tenants \(\d+\)$/ });
  await expect(show).toHaveAttribute("aria-expanded", "false");
  await expect.poll(async () => (await card.boundingBox())!.width).toBeGreaterThan(narrow + 200);

  // Folded on the contracts page too, and after a reload.
  await open(page, "/contracts");
  await expect(show).toBeVisible();
  await reload(page);
  await expect(show).toBeVisible();
  await show.click();
  await expect(page.getByRole("list", { name: "Tenants" })).toBeVisible();
});
