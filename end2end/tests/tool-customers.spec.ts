import { api, expect, open, runReport, signIn, simUrl, test } from "./fixtures";

/** The simulated tools' customers with the tenant each truly is. */
async function truth() {
  return (await (await fetch(`${simUrl}/_sim/billing-tools`)).json()) as any;
}

async function setAgents(id: number, agents: number) {
  const res = await fetch(`${simUrl}/_sim/huntress/organizations/${id}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ agents_count: agents }),
  });
  expect(res.status).toBe(204);
}

test("an Editor places Datto RMM sites in companies, leaves one out, and sees Huntress's changed count highlighted", async ({ page }) => {
  // Three reports, each reading nine tools from the simulator at their paces.
  test.setTimeout(240_000);
  await signIn(page, "Eddie Editor");
  await open(page, "/billing");
  await page.locator("body[data-hydrated]").waitFor();
  await runReport(page);
  await page.getByRole("link", { name: "Datto RMM sites" }).first().click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Datto RMM sites: which company each is");
  await page.locator("body[data-hydrated]").waitFor();
  await expect(page.getByTestId("tool-customers-summary")).toContainText(/\d+ sites: \d+ placed in a company/);
  await expect(page.getByTestId("tool-customer").filter({ hasText: "linked in Datto RMM" }).first()).toBeVisible();

  const view = (await api(page, "billing/tool_customers", { tool: "datto_rmm" })).body;
  const suggested = view.customers.find((c: any) => !c.company && !c.ignored && c.suggestion);
  expect(suggested, "a renamed site with a suggestion").toBeTruthy();
  const undo: Array<() => Promise<unknown>> = [];
  try {
    // Accept one suggestion: the site's counts go to that company from the next report.
    const row = page.getByTestId("tool-customer").filter({ hasText: suggested.name });
    await row.getByRole("button", { name: `Accept the suggestion for ${suggested.name}` }).click();
    undo.push(() => api(page, "billing/place_tool_customer", { tool: "datto_rmm", key: suggested.key }));
    await expect(page.getByText(`counts go to ${suggested.suggestion.company.name}`)).toBeVisible();
    await expect(row.getByTestId("tool-customer-company")).toHaveText(suggested.suggestion.company.name);
    await expect(row).toContainText("chosen by a person");

    // The MSP's own site is left out, by keyboard, then the decision withdrawn.
    const own = page.getByTestId("tool-customer").filter({ hasText: "Northwind MSP (internal)" });
    await own.getByRole("button", { name: "Leave out Northwind MSP (internal)" }).focus();
    await page.keyboard.press("Enter");
    await expect(own.getByTestId("tool-customer-ignored")).toBeVisible();
    await expect(page.getByTestId("tool-customer-history")).toContainText("Northwind MSP (internal): left out as not billed, by Eddie Editor");
    await own.getByRole("button", { name: "Withdraw decision for Northwind MSP (internal)" }).click();
    await expect(own.getByTestId("tool-customer-ignored")).toHaveCount(0);
    await expect(own.getByRole("button", { name: "Leave out Northwind MSP (internal)" })).toBeVisible();

    // The site is typed into a company by hand.
    const other = view.companies.find((c: any) => c.name !== suggested.suggestion.company.name);
    await row.getByLabel(`Autotask company for ${suggested.name}`).fill(other.name);
    await row.getByRole("button", { name: `Choose for ${suggested.name}` }).click();
    await expect(row.getByTestId("tool-customer-company")).toHaveText(other.name);

    // Huntress counts the agents it bills an organization for; when they change, the next report
    // shows the cell changed, with the count before on hover.
    const huntress = (await api(page, "billing/tool_customers", { tool: "huntress" })).body;
    const org = huntress.customers.find((c: any) => !c.gone && !c.company && !c.ignored);
    const company = huntress.companies[huntress.companies.length - 1];
    expect((await api(page, "billing/place_tool_customer", { tool: "huntress", key: org.key, company_id: String(company.id) })).status).toBe(200);
    undo.push(() => api(page, "billing/place_tool_customer", { tool: "huntress", key: org.key }));
    const seeded = (await truth()).huntress.find((o: any) => String(o.id) === org.key);
    const agents = seeded.agents;
    const billable = seeded.billableAgents;
    await open(page, "/billing");
    await page.locator("body[data-hydrated]").waitFor();
    await runReport(page);
    await setAgents(Number(org.key), agents + 7);
    undo.push(() => setAgents(Number(org.key), agents));
    await runReport(page);
    await page.getByPlaceholder("Filter companies…").fill(company.name);
    await expect(page.getByTestId("changed-cell").filter({ hasText: new RegExp(`^${billable + 7}$`) }).first()).toHaveAttribute("title", `was ${billable}`);
  } finally {
    for (const step of undo.reverse()) await step();
  }
});

test("a Viewer reads a tool's customers but gets no controls, and the server refuses", async ({ page }) => {
  await signIn(page, "Vera Viewer");
  await open(page, "/billing/tools/huntress");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Huntress organizations: which company each is");
  await expect(page.getByRole("button", { name: /^Accept/ })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Leave out/ })).toHaveCount(0);
  expect((await api(page, "billing/accept_tool_customers", { tool: "huntress" })).status).toBe(403);
  expect((await api(page, "billing/tool_customers", { tool: "huntress" })).status).toBe(200);
});

test("an Editor places a Pax8 company that no mapped tenant places, from the Billing page's list of tools", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, "Eddie Editor");
  await open(page, "/billing");
  await page.locator("body[data-hydrated]").waitFor();
  await runReport(page);
  await page.getByRole("link", { name: "Pax8 companies" }).first().click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Pax8 companies: which company each is");
  await expect(page.getByRole("link", { name: "Pax8 companies and tenants" })).toHaveAttribute("href", "/alerts/pax8-companies");
  await page.locator("body[data-hydrated]").waitFor();
  await expect(page.getByTestId("tool-customers-summary")).toContainText(/\d+ companies: \d+ placed in a company, [1-9]\d* placed nowhere/);

  const view = (await api(page, "billing/tool_customers", { tool: "pax8" })).body;
  const open_ = view.customers.find((c: any) => !c.gone && !c.company && !c.ignored);
  expect(open_, "a Pax8 company placed nowhere").toBeTruthy();
  const company = view.companies[0];
  try {
    const row = page.getByTestId("tool-customer").filter({ hasText: open_.name });
    await row.getByLabel(`Autotask company for ${open_.name}`).fill(company.name);
    await row.getByRole("button", { name: `Choose for ${open_.name}` }).click();
    await expect(row.getByTestId("tool-customer-company")).toHaveText(company.name);
    await expect(row).toContainText("chosen by a person");
    await expect(page.getByTestId("tool-customer-history")).toContainText(`${open_.name}: placed in ${company.name}, by Eddie Editor`);
  } finally {
    await api(page, "billing/place_tool_customer", { tool: "pax8", key: open_.key });
  }
});
