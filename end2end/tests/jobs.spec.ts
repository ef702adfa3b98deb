import { api, expect, open, signIn, simUrl, test } from "./fixtures";

async function slowPartnerCenter(page: import("@playwright/test").Page, ms: number) {
  const rules = ms > 0 ? [{ path: "/v1/customers/*", contains: "subscriptions", kind: "latency", ms }] : [];
  const res = await page.request.post(`${simUrl}/_sim/faults`, { data: { rules } });
  expect(res.ok()).toBeTruthy();
}

test("an Editor runs the licence sync from the Jobs page and follows its progress to the end", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  await open(page, "/jobs");
  const card = page.getByTestId("job-licence_sync");
  await expect(card.getByRole("heading", { name: "Licence sync" })).toBeVisible();
  await expect(card.getByTestId("schedule")).toContainText("Every day at 02:00 UTC");
  // An Editor runs jobs but does not pause schedules.
  await expect(card.getByRole("button", { name: "Pause schedule" })).toHaveCount(0);

  await slowPartnerCenter(page, 1500);
  try {
    await card.getByRole("button", { name: "Run now" }).click();
    const active = card.getByTestId("active-run");
    await expect(active).toContainText(/tenants done/, { timeout: 15_000 });
    await expect(active.getByRole("progressbar", { name: "Run progress" })).toBeVisible();
    await expect(card.getByRole("button", { name: "Run now" })).toBeDisabled();
    await expect(card.getByTestId("why-disabled")).toContainText("A run is queued or going");
  } finally {
    await slowPartnerCenter(page, 0);
  }
  await expect(card.getByTestId("active-run")).toHaveCount(0, { timeout: 60_000 });
  const latest = card.getByTestId("runs").locator("tbody tr").first();
  await expect(latest).toContainText("By hand");
  await expect(latest).toContainText("Eddie Editor");
  // Graph refuses a few seeded tenants (403): such a run ends partly failed.
  await expect(latest).toContainText(/Succeeded|Partly failed/);
  await expect(latest).toContainText(/\d+ of \d+/);
  await expect(card.getByRole("button", { name: "Run now" })).toBeEnabled();
});

test("a Viewer reads the Jobs page but cannot run or pause; an Admin pauses and resumes a schedule", async ({ page, browser }) => {
  await signIn(page, "Vera Viewer");
  await open(page, "/jobs");
  await expect(page.getByRole("heading", { name: "Jobs", level: 1 })).toBeVisible();
  await expect(page.getByRole("button", { name: "Run now" })).toHaveCount(0);
  const refused = await api(page, "jobs/run", { kind: "licence_sync" });
  expect(refused.status, "the server refuses a Viewer's run").toBe(403);

  const context = await browser.newContext();
  const admin = await context.newPage();
  await signIn(admin, "Ada Admin");
  await open(admin, "/jobs");
  const card = admin.getByTestId("job-contract_sync");
  await card.getByRole("button", { name: "Pause schedule" }).click();
  await expect(card.getByTestId("schedule")).toContainText("paused by Ada Admin");
  await card.getByRole("button", { name: "Resume schedule" }).click();
  await expect(card.getByTestId("schedule")).toContainText("next run");
  await context.close();
});

test("an e-mail whose answer was lost is sent again once by an Editor who checked, under the same message id", async ({ page }) => {
  const to = `lost-${Date.now()}@northwind-msp.example`;
  const mails = async () =>
    ((await (await page.request.get(`${simUrl}/_sim/mail`)).json()) as any[]).filter((m) => m.to.includes(to));
  await signIn(page, "Ada Admin");
  const lose = await page.request.post(`${simUrl}/_sim/faults`, {
    data: { rules: [{ path: "smtp", method: "DATA", kind: "lost_response", times: 1 }] },
  });
  expect(lose.ok()).toBeTruthy();
  const sent = await api(page, "settings/test_email", { to });
  expect(sent.status).toBe(200);
  expect(sent.body.ok).toBe(false);
  expect(sent.body.message).toContain("may have been sent");

  await signIn(page, "Vera Viewer");
  await open(page, "/jobs");
  const row = page.getByTestId("deliveries").getByRole("row").filter({ hasText: to });
  await expect(row).toContainText("May have been sent");
  await expect(row.getByRole("button", { name: /^Send again/ })).toHaveCount(0);

  await signIn(page, "Eddie Editor");
  await open(page, "/jobs");
  await row.getByRole("button", { name: "Send again: SeatSync test e-mail" }).click();
  await expect(page.getByRole("status")).toContainText("Sent: 250");
  await expect(row).toContainText("Sent");
  await expect(row.getByRole("button", { name: /^Send again/ })).toHaveCount(0);
  const copies = await mails();
  expect(copies.length).toBe(2);
  expect(new Set(copies.map((m) => m.messageId)).size).toBe(1);
});
