import type { Locator, Page } from "@playwright/test";
import { api, ensureAllocationCode, expect, open, signIn, simUrl, test } from "./fixtures";

const rowOf = (page: Page, name: string) => page.getByTestId("mapping-row").filter({ hasText: name });

/** Terms and billing cycles as the pages write them: in words, never Partner Center's codes. */
const termWords: Record<string, string> = { P1M: "Monthly", P1Y: "1 year", P3Y: "3 years" };
const billingWords: Record<string, string> = { monthly: "monthly", annual: "annually", triennial: "every 3 years" };

async function openCustomers(page: Page) {
  await open(page, "/mapping/customers");
  await expect(page.getByRole("heading", { name: "Customer mapping" })).toBeVisible();
}

/** The companies Autotask has are read once (the app does it at start; this makes sure). */
async function ensureCompanies(page: Page) {
  const r = await api(page, "mapping/refresh");
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

/**
 * Saves the modal's company with `button`; when another tenant holds that company already, the
 * modal asks first, and this answers "Map anyway".
 */
async function saveCompany(page: Page, dialog: Locator, button: string) {
  await dialog.getByRole("button", { name: button }).click();
  await page.waitForFunction(() => !document.querySelector("[role=dialog]") || document.querySelector("[data-testid=company-claimed]"));
  const question = dialog.getByTestId("company-claimed");
  if (await question.count()) await question.getByRole("button", { name: "Map anyway" }).click();
}

async function pickInModal(dialog: Locator, search: string) {
  const box = dialog.getByRole("searchbox", { name: "Search companies" });
  await box.fill(search);
  await dialog.getByRole("listbox", { name: "Search companies" }).getByRole("option").first().click();
}

test("an Editor maps, changes, ignores, undoes and resets a tenant in the modal", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  await ensureCompanies(page);
  await openCustomers(page);
  const list = (await api(page, "mapping/customers")).body.rows;
  const tenant = list.find((r: any) => r.state === "unmapped");
  const row = rowOf(page, tenant.name);
  const notMapped = Number(await page.getByTestId("count-unmapped").innerText());

  // Map: the modal opens with the picker, the keyboard picks, and the table updates in place.
  await row.getByRole("button", { name: "Edit" }).click();
  const dialog = page.getByRole("dialog", { name: `Map ${tenant.name}` });
  await expect(dialog).toBeVisible();
  const box = dialog.getByRole("searchbox", { name: "Search companies" });
  await box.fill("Northwind");
  await box.press("ArrowDown");
  // The highlighted option is named to screen readers as the arrows move.
  const highlighted = await box.getAttribute("aria-activedescendant");
  expect(highlighted).toBeTruthy();
  await expect(dialog.locator(`[id="${highlighted}"]`)).toHaveAttribute("role", "option");
  await box.press("ArrowUp");
  expect(await box.getAttribute("aria-activedescendant")).not.toBe(highlighted);
  await box.press("Enter");
  await expect(dialog.getByRole("option", { selected: true })).toContainText(/northwind/i);
  await saveCompany(page, dialog, "Map to company");
  // A saved mapping closes the modal; the page says what was saved.
  await expect(dialog).toHaveCount(0);
  const saved = page.getByRole("status").filter({ hasText: tenant.name });
  await expect(saved).toContainText(/is mapped to northwind/i);
  await expect(row.getByTestId("mapping-status")).toHaveText(/Mapped/);
  await expect(page.getByTestId("count-unmapped")).toHaveText(String(notMapped - 1));

  // Change the company.
  await row.getByRole("button", { name: "Edit" }).click();
  await expect(dialog.getByText("Change the company")).toBeVisible();
  await pickInModal(dialog, tenant.name.split(" ")[0]);
  await saveCompany(page, dialog, "Save company");
  await expect(dialog).toHaveCount(0);
  await expect(saved).toContainText("is mapped to");
  await expect(row.getByTestId("mapped-company")).not.toHaveText(/^northwind/i);

  // Ignore, then undo: the company picker is back at once, in the modal that stays open.
  await row.getByRole("button", { name: "Edit" }).click();
  await dialog.getByRole("button", { name: "Ignore tenant" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(saved).toContainText("is ignored");
  await expect(row.getByTestId("mapping-status")).toHaveText(/Ignored/);
  await row.getByRole("button", { name: "Edit" }).click();
  await dialog.getByRole("button", { name: "Undo ignore" }).click();
  await expect(dialog.getByRole("searchbox", { name: "Search companies" })).toBeVisible();
  await expect(row.getByTestId("mapping-status")).toHaveText(/Not mapped/);

  // Ignore again and reset everything: the picker again.
  await dialog.getByRole("button", { name: "Ignore tenant" }).click();
  await expect(dialog).toHaveCount(0);
  await row.getByRole("button", { name: "Edit" }).click();
  await dialog.getByRole("button", { name: "Reset mapping" }).click();
  await expect(dialog.getByRole("searchbox", { name: "Search companies" })).toBeVisible();

  // Every change is in the history, newest first, with who made it.
  await expect(dialog.getByTestId("mapping-history").getByRole("listitem")).toHaveCount(6);
  await expect(dialog.getByTestId("mapping-history").getByRole("listitem").first()).toContainText("Eddie Editor · reset");

  // Escape closes the modal.
  await dialog.getByRole("searchbox", { name: "Search companies" }).press("Escape");
  await expect(dialog).toHaveCount(0);
});

test("a suggestion is accepted in one click, and the rest all at once", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  await ensureCompanies(page);
  await openCustomers(page);
  const withSuggestion = page.getByTestId("mapping-row").filter({ has: page.getByTestId("suggestion") });
  const first = withSuggestion.first();
  const company = (await first.getByTestId("suggestion").locator("span").first().innerText()).trim();
  await first.getByRole("button", { name: "Accept" }).click();
  await expect(page.getByText("Mapped 1 tenant(s) to their suggested companies.")).toBeVisible();
  await expect(page.getByTestId("mapped-company").filter({ hasText: company })).toHaveCount(1);

  const remaining = await withSuggestion.count();
  expect(remaining).toBeGreaterThan(0);
  await page.getByRole("button", { name: `Accept ${remaining} suggestions` }).click();
  await expect(page.getByText(`Mapped ${remaining} tenant(s) to their suggested companies.`)).toBeVisible();
  await expect(withSuggestion).toHaveCount(0);
  // The bulk accept can be taken back: the tenants are not mapped again, their suggestions back.
  await page.getByRole("button", { name: `Undo: unmap these ${remaining} tenants again` }).click();
  await expect(page.getByText(`Undone: ${remaining} tenant(s) are not mapped again.`)).toBeVisible();
  await expect(withSuggestion).toHaveCount(remaining);
  await expect(page.getByRole("button", { name: /^Undo/ })).toHaveCount(0);
  await page.getByRole("button", { name: `Accept ${remaining} suggestions` }).click();
  await expect(withSuggestion).toHaveCount(0);
  // The counts and the filters follow.
  await page.getByLabel("Status filter").selectOption("mapped");
  await expect(page.getByTestId("mapping-row").first().getByTestId("mapping-status")).toHaveText(/Mapped/);
  await page.getByLabel("Status filter").selectOption("all");
  await page.getByLabel("Hide mapped").check();
  for (const status of await page.getByTestId("mapping-status").allInnerTexts()) expect(status).not.toMatch(/^Mapped/);
});

test("mapping a tenant to a company another tenant has asks first", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  await ensureCompanies(page);
  await openCustomers(page);
  const list = (await api(page, "mapping/customers")).body.rows;
  const holder = list.find((r: any) => r.state === "mapped");
  const tenant = list.find((r: any) => r.state === "unmapped");
  expect(holder && tenant, "a mapped and an unmapped tenant").toBeTruthy();
  const row = rowOf(page, tenant.name);
  await row.getByRole("button", { name: "Edit" }).click();
  const dialog = page.getByRole("dialog", { name: `Map ${tenant.name}` });
  await pickInModal(dialog, holder.company_name);
  await dialog.getByRole("button", { name: "Map to company" }).click();
  const question = dialog.getByTestId("company-claimed");
  await expect(question).toContainText(`${holder.company_name} is already the company of ${holder.name}`);
  await expect(row.getByTestId("mapping-status")).toHaveText(/Not mapped/);
  await question.getByRole("button", { name: "Choose another company" }).click();
  await expect(question).toHaveCount(0);
  await dialog.getByRole("button", { name: "Map to company" }).click();
  await question.getByRole("button", { name: "Map anyway" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(row.getByTestId("mapped-company")).toHaveText(holder.company_name);
});

test("an offer without a fitting service gets one created from the template", async ({ page }) => {
  await ensureAllocationCode(page);
  await signIn(page, "Eddie Editor");
  await ensureCompanies(page);
  await open(page, "/mapping/services");
  await expect(page.getByRole("heading", { name: "Service mapping" })).toBeVisible();
  const offers = (await api(page, "mapping/offers")).body.rows;
  let target: any = null;
  for (const o of offers.filter((o: any) => o.state === "unmapped")) {
    const draft = (await api(page, "mapping/service_draft", { offer_key: o.offer_key })).body;
    if (draft.existing_service_id === null) { target = { ...o, draft }; break; }
  }
  expect(target, "an offer whose service does not exist yet").not.toBeNull();
  const row = page.getByTestId("offer-row").filter({ hasText: target.offer_name }).filter({ hasText: termWords[target.term] }).filter({ hasText: billingWords[target.billing] }).first();
  await expect(row).not.toContainText(target.term);
  await row.getByRole("button", { name: "Edit" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("region", { name: "Create a service" })).toBeVisible();
  await expect(dialog.getByLabel("Service name")).toHaveValue(target.draft.name);
  await dialog.getByLabel("Price (per unit and period)").fill("17.50");
  await dialog.getByLabel("Cost", { exact: true }).fill("14.00");
  await dialog.getByRole("button", { name: "Create service and map" }).click();
  await expect(dialog).toHaveCount(0);
  const saved = page.getByRole("status").filter({ hasText: "billed through" });
  await expect(saved).toContainText(`billed through ${target.draft.name}`);
  const services = await (await page.request.get(`${simUrl}/_sim/autotask/services`)).json();
  const created = services.filter((s: any) => s.name === target.draft.name);
  expect(created).toHaveLength(1);
  expect(created[0].unitPrice).toBe(17.5);

  // Ignore, undo and reset an offer too.
  await row.getByRole("button", { name: "Edit" }).click();
  await dialog.getByRole("button", { name: "Ignore offer" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "ignored" })).toBeVisible();
  await row.getByRole("button", { name: "Edit" }).click();
  await dialog.getByRole("button", { name: "Undo ignore" }).click();
  await expect(dialog.getByRole("searchbox", { name: "Search services" })).toBeVisible();
  await dialog.getByRole("searchbox", { name: "Search services" }).fill(target.draft.name);
  await dialog.getByRole("option").first().click();
  await dialog.getByRole("button", { name: "Map to service" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(saved).toContainText(`billed through ${target.draft.name}`);
  await expect(row.getByTestId("mapped-service")).toHaveText(target.draft.name);
});

test("an Editor maps the offers of a product to the MSP's own services in one go", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  await ensureCompanies(page);
  await open(page, "/mapping/services");
  const offers = (await api(page, "mapping/offers")).body.rows;
  const exact = offers.filter((o: any) => o.state === "unmapped" && o.suggestion?.exact);
  expect(exact.length, "the seeded Autotask has services named for most offers").toBeGreaterThan(0);
  // Narrow the table to one product: only the suggestions shown are accepted.
  const product = exact[0].offer_name;
  const mine = exact.filter((o: any) => o.offer_name === product);
  await page.getByLabel("Filter offers").fill(product);
  const rows = page.getByTestId("offer-row").filter({ hasText: product });
  await expect(rows.getByTestId("suggested-service").first()).toContainText("Suggested:");
  const bulk = page.getByRole("button", { name: /^Accept \d+ suggested services$/ });
  const shownExact = Number((await bulk.innerText()).match(/\d+/)![0]);
  expect(shownExact).toBeGreaterThanOrEqual(mine.length);
  await bulk.click();
  await expect(page.getByText(`Mapped ${shownExact} offer(s) to their suggested services.`)).toBeVisible();
  await expect(page.getByRole("button", { name: "Accept 0 suggested services" })).toBeDisabled();
  // A disabled action says why in words on the page, not only on hover.
  await expect(page.getByTestId("why-disabled")).toHaveText("No offer shown has a service whose name fits exactly.");
  const after = (await api(page, "mapping/offers")).body.rows;
  for (const o of mine) {
    const now = after.find((a: any) => a.offer_key === o.offer_key);
    expect(now.state).toBe("mapped");
    expect(now.service_id).toBe(o.suggestion.service_id);
  }
  const untouched = after.filter((a: any) => a.offer_name !== product && a.state === "mapped" && exact.some((e: any) => e.offer_key === a.offer_key));
  expect(untouched, "offers of other products, not shown, stay as they were").toHaveLength(0);
});

test("a Viewer sees no edit controls and the server refuses their changes", async ({ page }) => {
  await signIn(page, "Vera Viewer");
  await openCustomers(page);
  await expect(page.getByTestId("mapping-row").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Edit" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Accept" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Refresh from Autotask" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Copy ID" })).toHaveCount(0);
  // History is for everyone.
  await page.getByRole("button", { name: "History" }).first().click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await page.keyboard.press("Escape");

  await open(page, "/mapping/services");
  await expect(page.getByTestId("offer-row").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Edit" })).toHaveCount(0);

  const tenant = (await api(page, "mapping/customers")).body.rows[0].tenant_id;
  for (const [endpoint, form] of [
    ["mapping/save_tenant", { tenant_id: tenant, action: "ignore", version: "0" }],
    ["mapping/companies", {}],
    ["mapping/refresh", {}],
    ["mapping/create_service", { offer_key: "x", name: "x", unit_price: "1", unit_cost: "", version: "0" }],
    ["contracts/create", { tenant_id: tenant, group_key: "P1Y:2026-01-01:2026-12-31" }],
    ["contracts/sync", { dry_run: "true" }],
  ] as const) {
    const r = await api(page, endpoint, form as Record<string, string>);
    expect(r.status, endpoint).toBe(403);
  }
});

test("an Admin copies a tenant id", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page, "Ada Admin");
  await openCustomers(page);
  const row = page.getByTestId("mapping-row").first();
  const id = await row.getAttribute("data-tenant");
  await row.getByRole("button", { name: "Copy ID" }).click();
  await expect(page.getByText(`Copied tenant id ${id}.`)).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(id);
});

test("a modal takes focus to its first field, keeps Tab inside, and gives focus back to its button on close", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  await open(page, "/mapping/customers");
  const edit = page.getByTestId("mapping-row").first().getByRole("button", { name: "Edit" });
  await edit.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  const focusInside = () => dialog.evaluate((d) => d.contains(document.activeElement));
  await expect.poll(() => dialog.evaluate((d) => d.contains(document.activeElement) && ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement!.tagName))).toBe(true);
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Tab");
    expect(await focusInside(), `after ${i + 1} Tab presses`).toBe(true);
  }
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Shift+Tab");
    expect(await focusInside(), `after ${i + 1} Shift+Tab presses`).toBe(true);
  }
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(edit).toBeFocused();
});

test("an Editor creates the services of several unmapped offers from the template at once", async ({ page }) => {
  await ensureAllocationCode(page);
  await signIn(page, "Eddie Editor");
  await ensureCompanies(page);
  await open(page, "/mapping/services");
  await page.getByRole("button", { name: /^Create services for \d+ unmapped offers/ }).click();
  const dialog = page.getByRole("dialog", { name: "Create services from the template" });
  const lines = dialog.getByTestId("template-line");
  await expect(lines.first()).toBeVisible();
  const create = dialog.getByRole("button", { name: /^Create \d+ services? and map/ });

  // Offers with a suggested service start unticked, so the box says "some" (neither ticked nor
  // not); a click ticks every offer, the next unticks them all. Then pick three whose service
  // does not exist yet.
  const every = dialog.getByRole("checkbox", { name: "Tick every offer" });
  expect(await every.evaluate((box: HTMLInputElement) => box.indeterminate)).toBe(true);
  await every.check();
  await expect(create).toHaveText(new RegExp(`^Create ${await lines.count()} services? and map`));
  await every.uncheck();
  await expect(create).toBeDisabled();
  await expect(dialog.getByTestId("why-disabled")).toHaveText("Tick at least one offer.");
  const fresh = lines.filter({ hasNotText: "Exists in Autotask" }).filter({ hasNotText: "is suggested" });
  expect(await fresh.count()).toBeGreaterThanOrEqual(3);
  const picked = [fresh.nth(0), fresh.nth(1), fresh.nth(2)];
  for (const line of picked) await line.getByRole("checkbox").check();
  const names: string[] = [];
  for (const line of picked) names.push(await line.getByRole("textbox", { name: /^Service name for/ }).inputValue());
  // The first gets a name of the MSP's own; every name is checked before anything is made.
  names[0] = `${names[0]} - Bulk`;
  await picked[0].getByRole("textbox", { name: /^Service name for/ }).fill(names[0]);
  for (const line of picked) await line.getByRole("textbox", { name: /^Price for/ }).fill("");
  await expect(dialog.getByTestId("why-disabled")).toHaveText("3 ticked offers have no price: type them, or untick those offers.");
  for (const [i, line] of picked.entries()) await line.getByRole("textbox", { name: /^Price for/ }).fill(`1${i}.50`);
  await expect(create).toHaveText("Create 3 services and map them");
  await create.click();
  await expect(dialog.getByTestId("bulk-progress")).toContainText("Done: 3 of 3 offers mapped.", { timeout: 30_000 });

  const services = await (await page.request.get(`${simUrl}/_sim/autotask/services`)).json();
  for (const [i, name] of names.entries()) {
    const made = services.filter((s: any) => s.name === name);
    expect(made, name).toHaveLength(1);
    expect(made[0].unitPrice).toBe(Number(`1${i}.5`));
  }
  await page.keyboard.press("Escape");
  // Whole names: one offer's name can be the start of another's ("… - Bulk").
  const exactly = (text: string) => new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`);
  for (const name of names) await expect(page.getByTestId("mapped-service").filter({ hasText: exactly(name) })).toHaveCount(1);
});

test("an Editor creates the Autotask company of a tenant that has none, prefilled, and it is mapped", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  await ensureCompanies(page);
  const rows = (await api(page, "mapping/customers")).body.rows.filter((r: any) => r.state === "unmapped" && !r.suggestion);
  let tenant: any = null;
  // From the end of the list: the other tests take the first unmapped tenants.
  for (const r of rows.reverse()) {
    const res = await page.request.get(`${simUrl}/_sim/autotask-company-of/${r.tenant_id}`);
    if (!res.ok()) {
      tenant = r;
      break;
    }
  }
  expect(tenant, "the simulator seeds tenants with no Autotask company").not.toBeNull();
  await openCustomers(page);
  const row = rowOf(page, tenant.name);
  await row.getByRole("button", { name: "Edit" }).click();
  const dialog = page.getByRole("dialog", { name: `Map ${tenant.name}` });
  const section = dialog.getByRole("region", { name: "Create a company" });
  await section.getByRole("button", { name: "Create it in Autotask…" }).click();

  // Prefilled from the tenant; the owner comes from Autotask's staff; the phone Autotask requires.
  const name = section.getByLabel("Company name");
  await expect(name).toHaveValue(tenant.name);
  await name.fill(`${tenant.name} (new)`);
  await section.getByRole("button", { name: "Create company and map" }).click();
  await expect(dialog.getByRole("alert")).toContainText("Choose who owns the company");
  await section.getByLabel("Owner in Autotask").selectOption({ label: "Dana Whitfield (Account Manager)" });
  await section.getByRole("button", { name: "Create company and map" }).click();
  await expect(dialog.getByRole("alert")).toContainText("requires phone");
  await section.getByLabel("Phone (Autotask requires one)").fill("+1 555 0199");
  await section.getByRole("button", { name: "Create company and map" }).click();

  // The modal closes; the page says what happened and the row is mapped to the new company.
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: tenant.name })).toContainText("was created in Autotask");
  await expect(row.getByTestId("mapping-status")).toHaveText(/Mapped/);
  await expect(row.getByTestId("mapped-company")).toContainText(`${tenant.name} (new)`);
  const companies = await (await page.request.get(`${simUrl}/_sim/autotask/Companies`)).json();
  const created = companies.filter((c: any) => c.companyName === `${tenant.name} (new)`);
  expect(created).toHaveLength(1);
  expect(created[0].phone).toBe("+1 555 0199");
});
