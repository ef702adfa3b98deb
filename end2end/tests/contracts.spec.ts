import type { Page } from "@playwright/test";
import { api, ensureAllocationCode, expect, open, reload, signIn, simUrl, test } from "./fixtures";

/**
 * Maps the last tenant that has a seeded company (via its suggestion) and every offer (to the
 * service the template names, created when missing), through the server functions.
 */
async function prepare(page: Page) {
  await ensureAllocationCode(page);
  expect((await api(page, "mapping/refresh")).status).toBe(200);
  const rows = (await api(page, "mapping/customers")).body.rows as any[];
  const tenant = [...rows].reverse().find((r) => r.suggestion && r.state === "unmapped") ?? rows.find((r) => r.state === "mapped");
  if (tenant.state === "unmapped") {
    const r = await api(page, "mapping/save_tenant", { tenant_id: tenant.tenant_id, action: "map", company_id: String(tenant.suggestion.company_id), version: String(tenant.version) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  const view = (await api(page, "contracts/tenant", { tenant_id: tenant.tenant_id })).body;
  const keys = new Set([...view.groups.flatMap((g: any) => g.rows), ...view.not_grouped].map((r: any) => r.offer_key));
  for (const o of (await api(page, "mapping/offers")).body.rows as any[]) {
    if (o.state !== "unmapped" || !keys.has(o.offer_key)) continue;
    const draft = (await api(page, "mapping/service_draft", { offer_key: o.offer_key })).body;
    const r = draft.existing_service_id !== null
      ? await api(page, "mapping/save_offer", { offer_key: o.offer_key, action: "map", service_id: String(draft.existing_service_id), version: String(o.version) })
      : await api(page, "mapping/create_service", { offer_key: o.offer_key, name: draft.name, unit_price: "12.00", unit_cost: "10.00", version: String(o.version) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  return tenant;
}

test("create a contract in one click, see it drift from Partner Center, and update it", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  const tenant = await prepare(page);
  await open(page, `/contracts?tenant=${tenant.tenant_id}`);
  await expect(page.getByTestId("contracts-card").getByRole("heading", { name: tenant.name })).toBeVisible();
  await expect(page.getByTestId("tenant-mapping")).toContainText("Billed as");

  // The first group that can get a contract.
  const view = (await api(page, "contracts/tenant", { tenant_id: tenant.tenant_id })).body;
  const group = view.groups.find((g: any) => !g.contract && !g.create_blocked);
  expect(group, "a group without a contract").toBeTruthy();
  const panel = page.locator(`[data-group="${group.key}"]`);
  await expect(panel.getByTestId("row-state").first()).toHaveText("No contract");
  await panel.getByRole("button", { name: "Create contract" }).dblclick();
  await expect(panel.getByRole("status")).toContainText("contract", { timeout: 20_000 });
  await expect(panel.getByTestId("group-contract")).toContainText("On contract", { timeout: 20_000 });
  for (const state of await panel.getByTestId("row-state").allInnerTexts()) expect(state).toBe("On contract");
  await expect(panel.getByRole("link", { name: "Open in Autotask" })).toHaveAttribute("href", /OpenContract/);
  const contracts = await (await page.request.get(`${simUrl}/_sim/autotask/contracts`)).json();
  expect(contracts.filter((c: any) => c.contractName === group.proposed_name), "a double click creates one contract").toHaveLength(1);

  // Partner Center changes a quantity; after the licence sync the row shows a red mark.
  const sub = group.rows[0];
  const res = await page.request.post(`${simUrl}/_sim/partner-center/subscriptions/${sub.subscription_id}`, { data: { quantity: sub.quantity + 4 } });
  expect(res.ok()).toBeTruthy();
  expect((await api(page, "licences/sync", { tenant_id: tenant.tenant_id })).status).toBe(200);
  await expect.poll(async () => (await api(page, "licences/sync_status")).body.running, { timeout: 20_000 }).toBe(false);
  await reload(page);
  const mark = panel.getByTestId("quantity-mismatch");
  await expect(mark).toHaveCount(1);
  await expect(mark).toHaveAttribute("aria-label", new RegExp(`Partner Center: ${sub.quantity + 4} seats`));
  await expect(panel.getByTestId("group-plan")).toContainText("(+4)");

  // A dry run says what would change and changes nothing.
  await page.getByRole("button", { name: "Dry run: what would change" }).click();
  await expect(page.getByTestId("contract-sync").getByRole("status")).toContainText("Dry run", { timeout: 20_000 });
  await expect(page.getByTestId("run-changes")).toContainText(tenant.name, { timeout: 20_000 });
  await expect(mark).toHaveCount(1);

  // Update pushes the change; the mark clears.
  await panel.getByRole("button", { name: "Update contract" }).click();
  await expect(panel.getByRole("status")).toContainText("Contract updated", { timeout: 20_000 });
  await expect(panel.getByTestId("quantity-mismatch")).toHaveCount(0);
  await expect(page.getByTestId("contract-changes")).toContainText("(+4)");
});

test("a Viewer reads contracts but cannot act", async ({ page }) => {
  await signIn(page, "Vera Viewer");
  await open(page, "/contracts");
  await page.getByRole("list", { name: "Tenants" }).getByRole("link").first().click();
  await expect(page.getByTestId("contracts-card")).toBeVisible();
  await expect(page.getByRole("button", { name: "Create contract" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Update contract" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Sync all contracts" })).toHaveCount(0);
});

/** An Admin chooses how subscriptions are grouped into contracts, on the Settings page. */
async function chooseGrouping(page: Page, title: string) {
  await open(page, "/settings");
  await page.getByRole("radio", { name: title, exact: true }).check();
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Settings saved." })).toBeVisible();
}

test("the billing team chooses one contract per customer, and what the old rule made is listed until ended", async ({ page }) => {
  await signIn(page, "Ada Admin");
  const tenant = await prepare(page);
  // A contract made under the aligned rule first.
  const before = (await api(page, "contracts/tenant", { tenant_id: tenant.tenant_id })).body;
  const aligned = before.groups.find((g: any) => !g.contract && !g.create_blocked);
  expect(before.groups.length, "several contracts under the aligned rule").toBeGreaterThan(1);
  const made = await api(page, "contracts/create", { tenant_id: tenant.tenant_id, group_key: aligned.key });
  expect(made.status, JSON.stringify(made.body)).toBe(200);

  await chooseGrouping(page, "One contract per customer");
  await open(page, `/contracts?tenant=${tenant.tenant_id}`);
  const panels = page.getByTestId("contract-group");
  await expect(panels).toHaveCount(1);
  const all = page.locator('[data-group="ALL"]');
  await expect(all.getByRole("heading")).toContainText("All subscriptions");
  const rows = before.groups.reduce((n: number, g: any) => n + g.rows.length, 0);
  await expect(all.getByTestId("row-state")).toHaveCount(rows);
  const superseded = page.getByTestId("superseded-contracts");
  await expect(superseded).toContainText(made.body.contract_name);

  await all.getByRole("button", { name: "Create contract" }).click();
  await expect(all.getByTestId("group-contract")).toContainText("On contract", { timeout: 20_000 });
  for (const state of await all.getByTestId("row-state").allInnerTexts()) expect(state).toBe("On contract");

  // Back to the default, so the other tests meet the rule they expect; the earlier contract is
  // its group's again.
  await chooseGrouping(page, "By aligned term dates");
  await open(page, `/contracts?tenant=${tenant.tenant_id}`);
  await expect(page.locator(`[data-group="${aligned.key}"]`).getByTestId("group-contract")).toContainText(made.body.contract_name);
});
