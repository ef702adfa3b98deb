import { api, expect, open, signIn, simUrl, test } from "./fixtures";
import type { Browser, Page } from "@playwright/test";

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

/**
 * Opens a link's `path` in a new browser where nobody is signed in: the sign-in comes first, as
 * Eddie Editor, and leads back to the link's page.
 */
async function openSignedOut(browser: Browser, path: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(path);
  await expect(page).toHaveURL(/\/signin\?next=/);
  await page.getByRole("link", { name: "Sign in with Microsoft" }).click();
  await page.getByRole("button", { name: /Eddie Editor/ }).click();
  await expect(page).toHaveURL(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
  await page.locator("body[data-hydrated]").waitFor();
  return { context, page };
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
  const { context, page: fresh } = await openSignedOut(browser, path);
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

/** The reduction link of a Pax8 subscription reducible now, from the newest text of a ticket. */
function pax8LinkIn(text: string): string | undefined {
  const blocks = text.split("\n\n");
  const block = blocks.find((b) => b.includes("Takes effect now, through Pax8") && b.includes("Reduce to"));
  const line = (block ?? blocks.find((b) => b.startsWith("Reduce all of them:")))?.match(/https?:\/\/\S+\/alerts\/reduce\/\S+/);
  return line?.[0];
}

test("a link from the Autotask ticket, opened signed out, reduces the Pax8 quantity once and notes the ticket", async ({ page, browser }) => {
  // Tickets are filed in the Billing queue, as an Admin chooses (Autotask wants a queue).
  await signIn(page, "Ada Admin");
  await open(page, "/settings/integrations/autotask");
  await page.getByLabel("Queue", { exact: true }).selectOption({ label: "Billing" });
  await page.getByRole("button", { name: "Save ticket defaults" }).click();
  await expect(page.getByRole("status").filter({ hasText: "new tickets are filed this way" })).toBeVisible();

  // A customer with a Pax8 subscription reducible now, mapped to its Autotask company.
  await signIn(page, "Eddie Editor");
  await alertsReady(page);
  const view = (await api(page, "alerts/view")).body;
  expect((await api(page, "mapping/refresh")).status).toBe(200);
  const customers = (await api(page, "mapping/customers")).body.rows as any[];
  let tenant: any;
  let companyId: number | undefined;
  for (const t of view.tenants) {
    if (!t.findings.some((f: any) => f.channel === "pax8" && f.timing === "now")) continue;
    const seeded = await page.request.get(`${simUrl}/_sim/autotask-company-of/${t.tenant_id}`);
    if (!seeded.ok()) continue;
    tenant = t;
    companyId = (await seeded.json()).companyId;
    break;
  }
  expect(tenant, "the seeded MSP has a customer with an Autotask company to alert through Pax8").toBeTruthy();
  const row = customers.find((c: any) => c.tenant_id === tenant.tenant_id);
  if (row.state !== "mapped") {
    const saved = await api(page, "mapping/save_tenant", { tenant_id: tenant.tenant_id, action: "map", company_id: String(companyId), version: String(row.version) });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  }
  // The run opens the customer's ticket (or notes the open one with fresh links).
  await alertsReady(page);
  // The job ends after its tickets, so they are there; read until the run's ticket shows.
  let ticket: any;
  await expect(async () => {
    const all = (await (await page.request.get(`${simUrl}/_sim/autotask/tickets`)).json()) as any[];
    ticket = all.filter((t) => t.title?.startsWith(`Unused Microsoft licences: ${tenant.name} [`)).pop();
    expect(ticket).toBeTruthy();
  }).toPass({ timeout: 30_000 });
  const notes = async () =>
    ((await (await page.request.get(`${simUrl}/_sim/autotask/ticketnotes`)).json()) as any[]).filter((n) => n.ticketID === ticket.id);
  const before = await notes();
  const newest = [ticket.description, ...before.map((n) => n.description)].reverse().find((t: string) => pax8LinkIn(t));
  const link = pax8LinkIn(newest)!;
  expect(link, newest).toBeTruthy();
  const path = new URL(link).pathname;

  // Opened from the ticket by someone signed out: sign in, then the confirmation page.
  const { context, page: fresh } = await openSignedOut(browser, path);
  const item = fresh.getByTestId("reduce-item").filter({ hasText: "Pax8" }).first();
  await expect(item.getByTestId("reduce-step")).toContainText(/\d+ → \d+ in Pax8 now/);
  const subscription = (await item.getAttribute("data-subscription"))!;
  const target = Number((await item.getByTestId("reduce-step").textContent())!.match(/→ (\d+)/)![1]);
  await fresh.getByRole("button", { name: "Confirm" }).click();
  await expect(fresh.getByTestId("reduce-done")).toContainText(`→ ${target} in Pax8 (now)`);
  await expect(fresh.getByTestId("ticket-note")).toContainText("A note with these changes was added to the ticket");
  await context.close();

  // Reduced once in Pax8 (and so in Partner Center); the ticket says so.
  expect((await seeded(page, subscription)).quantity).toBe(target);
  const after = await notes();
  expect(after.length).toBe(before.length + 1);
  expect(after[after.length - 1].title).toMatch(/^Licences reduced/);
  expect(after[after.length - 1].description).toContain("Eddie Editor confirmed");

  // The Alerts page lists the ticket with its note.
  await open(page, "/alerts");
  const listed = page.getByTestId("alert-ticket").filter({ hasText: tenant.name }).first();
  await expect(listed).toContainText(`ticket ${ticket.ticketNumber}`);
  await expect(listed.getByTestId("alert-ticket-note").last()).toContainText("Licences reduced");
});
