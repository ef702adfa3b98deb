import { api, baseUrl, expect, open, signIn, test } from "./fixtures";

test("an Admin makes an API token, sees it once, another system reads billing with it, and revoking stops it", async ({ page }) => {
  await signIn(page, "Ada Admin");
  await open(page, "/settings");
  await page.locator("body[data-hydrated]").waitFor();
  const name = `Finance workflow ${Date.now()}`;
  await page.getByLabel("Name (the system that will use it)").fill(name);
  await page.getByRole("button", { name: "Make a token" }).click();
  const shown = page.getByTestId("new-api-token");
  await expect(shown).toHaveValue(/^seatsync_[A-Za-z0-9_-]{40,}$/);
  const token = await shown.inputValue();
  const row = page.getByTestId("api-token").filter({ hasText: name });
  await expect(row).toContainText("read billing reports");
  await expect(row).toContainText("never");
  await expect(row).not.toContainText(token);

  // Another system, with no session: the token reads the reports (404 only while none was made).
  const read = await fetch(`${baseUrl}/api/v1/billing/reports`, { headers: { authorization: `Bearer ${token}` } });
  expect(read.status).toBe(200);
  const reports = (await read.json()) as any[];
  const latest = await fetch(`${baseUrl}/api/v1/billing/reports/latest.csv`, { headers: { authorization: `Bearer ${token}` } });
  expect(latest.status).toBe(reports.length ? 200 : 404);
  const none = await fetch(`${baseUrl}/api/v1/billing/reports/latest.csv`);
  expect(none.status).toBe(401);

  // Once the page reloads, the token is not shown again.
  await open(page, "/settings");
  await expect(page.getByTestId("new-api-token")).toHaveCount(0);
  await expect(row).not.toContainText("never");
  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(row).toContainText("Revoked");
  const after = await fetch(`${baseUrl}/api/v1/billing/reports`, { headers: { authorization: `Bearer ${token}` } });
  expect(after.status).toBe(401);
});

test("an Editor cannot make or list API tokens", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  expect((await api(page, "api_tokens/create", { name: "Sneaky" })).status).toBe(403);
  expect((await api(page, "api_tokens/list")).status).toBe(403);
});
