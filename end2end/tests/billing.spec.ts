import { api, expect, open, runReport, signIn, simUrl, test } from "./fixtures";
import type { Page } from "@playwright/test";
import { readFile } from "node:fs/promises";

/** A customer's mapping row as it is now. */
async function customer(page: Page, tenantId: string) {
  return (await api(page, "mapping/customers")).body.rows.find((r: any) => r.tenant_id === tenantId);
}

/** Maps a customer to `companyId`, or resets it to unmapped without one. */
async function setMapping(page: Page, tenantId: string, companyId?: number | string) {
  const row = await customer(page, tenantId);
  const form: Record<string, string> = companyId
    ? { tenant_id: tenantId, action: "map", company_id: String(companyId), version: String(row.version) }
    : { tenant_id: tenantId, action: "reset", version: String(row.version) };
  expect((await api(page, "mapping/save_tenant", form)).status).toBe(200);
}

test("an Editor runs the billing report, reads it, downloads its CSV and sees what changed after a customer is mapped", async ({ page }) => {
  // Two reports, each reading nine tools from the simulator at their paces.
  test.setTimeout(180_000);
  await signIn(page, "Eddie Editor");
  // The customers whose mapping the test changes, and gives back at the end: from the end of the
  // list, to stay clear of the mapping tests' first ones. With two unmapped customers, one is
  // mapped before the first report (so Microsoft 365's columns exist) and the other between the
  // two; when every customer is mapped already, the last one is unmapped between the two.
  const rows0 = (await api(page, "mapping/customers")).body.rows as any[];
  const unmapped = rows0.filter((r) => r.state === "unmapped" && r.suggestion?.company_id);
  const mapped = rows0.filter((r) => r.state === "mapped");
  const giveBack: Array<() => Promise<void>> = [];
  let change: () => Promise<void>;
  if (unmapped.length >= 2) {
    const [b, a] = unmapped.slice(-2);
    await setMapping(page, a.tenant_id, a.suggestion.company_id);
    giveBack.push(() => setMapping(page, a.tenant_id));
    change = async () => {
      await setMapping(page, b.tenant_id, b.suggestion.company_id);
      giveBack.push(() => setMapping(page, b.tenant_id));
    };
  } else {
    const b = mapped[mapped.length - 1];
    change = async () => {
      await setMapping(page, b.tenant_id);
      giveBack.push(() => setMapping(page, b.tenant_id, b.company_id));
    };
  }
  try {
    await page.getByRole("link", { name: "Billing" }).click();
    await expect(page.getByRole("heading", { name: "Billing count report", level: 1 })).toBeVisible();
    await page.locator("body[data-hydrated]").waitFor();
    await runReport(page);

    await expect(page.getByTestId("billing-tool").filter({ hasText: "Microsoft 365" }).getByTestId("billing-tool-status")).toHaveText("counted");
    const rows = page.getByTestId("billing-row");
    const count = await rows.count();
    expect(count, "a row per Autotask company").toBeGreaterThan(5);

    // The CSV: Company first, a line per company.
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download CSV" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^billing-report-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = await readFile((await file.path())!, "utf8");
    const lines = text.trim().split("\r\n");
    expect(lines[0].startsWith("Company,")).toBe(true);
    expect(lines[0]).toContain(",Microsoft 365 · ");
    expect(lines.length).toBe(count + 1);

    // The customer's cells change (blanks to numbers, or back): the next report highlights them,
    // with the old value on hover, and lists them in the changes' CSV.
    await change();
    await runReport(page);
    await expect(page.getByTestId("billing-changes")).toContainText(/Since the report of \d{4}-\d{2}-\d{2}: [1-9]\d* cells changed/);
    await expect(page.getByTestId("changed-cell").first()).toHaveAttribute("title", /^was (blank|\d+)$/);
    const changes = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download the changes" }).click();
    const changesText = await readFile((await (await changes).path())!, "utf8");
    expect(changesText.split("\r\n")[0]).toBe("Company,Column,Before,After");

    // Two reports: each column's total is drawn over time.
    await expect(page.getByTestId("billing-chart").locator("polyline")).toBeAttached();
    await expect(page.getByTestId("billing-chart")).toContainText(/ from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}: from /);

    // Filtering keeps only the matching companies.
    await page.getByPlaceholder("Filter companies…").fill("zzzz-no-such-company");
    await expect(rows).toHaveCount(0);
  } finally {
    for (const undo of giveBack.reverse()) await undo();
  }
});

test("a Viewer reads the billing report but cannot run it, and the server refuses", async ({ page }) => {
  await signIn(page, "Vera Viewer");
  await open(page, "/billing");
  await expect(page.getByRole("heading", { name: "Billing count report", level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "Run now" })).toHaveCount(0);
  expect((await api(page, "jobs/run", { kind: "billing_report" })).status).toBe(403);
  expect((await api(page, "billing/view")).status).toBe(200);
});

test("an Admin schedules the report weekly and has it e-mailed; the next report says it was sent", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, "Ada Admin");
  await open(page, "/billing");
  await page.locator("body[data-hydrated]").waitFor();
  const section = page.getByRole("region", { name: "Schedule and delivery" });
  try {
    await section.getByLabel("How often").selectOption("weekly");
    await section.getByRole("combobox", { name: /^On\b/ }).selectOption("5");
    await section.getByLabel("At (UTC)").selectOption("18");
    await section.getByLabel("E-mail it to (commas between addresses; empty: no e-mail)").fill("billing@northwind-msp.example");
    await section.getByRole("button", { name: "Save schedule and delivery" }).click();
    await expect(section.getByTestId("billing-schedule")).toContainText("Every Friday at 18:00 UTC (set on this page).");
    await expect(section.getByTestId("billing-delivery-words")).toContainText("an e-mail to billing@northwind-msp.example");

    // A wrong address is refused where the Admin typed it.
    await section.getByLabel("E-mail it to (commas between addresses; empty: no e-mail)").fill("billing at northwind");
    await section.getByRole("button", { name: "Save schedule and delivery" }).click();
    await expect(section.getByText("'billing at northwind' is not an e-mail address")).toBeVisible();

    await runReport(page);
    await expect(page.getByTestId("billing-sent")).toContainText("An e-mail to billing@northwind-msp.example: delivered");
  } finally {
    // Back to the monthly default, sent nowhere, for the other tests.
    expect((await api(page, "billing/save_settings", { frequency: "monthly", weekday: "1", day: "1", hour: "7", ticket_company: "", email_to: "" })).status).toBe(200);
  }
});

test("a Viewer reads the schedule but cannot change it", async ({ page }) => {
  await signIn(page, "Vera Viewer");
  await open(page, "/billing");
  await expect(page.getByTestId("billing-schedule")).toBeVisible();
  await expect(page.getByRole("button", { name: "Save schedule and delivery" })).toHaveCount(0);
  expect((await api(page, "billing/save_settings", { frequency: "daily", weekday: "1", day: "1", hour: "1" })).status).toBe(403);
});

test("a long report says how far it has got and which tool it waits for, then shows the report", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, "Eddie Editor");
  // Auvik answers slowly: the others are read meanwhile, and the page names the one still read.
  const faults = (rules: object[]) => page.request.post(`${simUrl}/_sim/faults`, { data: { rules } });
  expect((await faults([{ path: "/auvik*", kind: "latency", ms: 4000 }])).ok()).toBeTruthy();
  try {
    await open(page, "/billing");
    await page.locator("body[data-hydrated]").waitFor();
    await page.getByRole("button", { name: "Run now" }).click();
    await expect(page.getByTestId("billing-progress")).toContainText(/Report running: \d of 9 tools read; reading .*Auvik/, { timeout: 30_000 });
    await expect(page.getByTestId("billing-progress")).toBeEmpty({ timeout: 120_000 });
    await expect(page.getByTestId("report-line")).not.toContainText("A run is going now");
  } finally {
    await faults([]);
  }
});
