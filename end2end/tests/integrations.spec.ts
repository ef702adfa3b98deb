import { expect, open, signIn, simUrl, test } from "./fixtures";

test("an Admin tests an integration's connection and reads the answer in words", async ({ page }) => {
  await signIn(page, "Ada Admin");
  await open(page, "/settings");
  const autotask = page.getByRole("button", { name: "Test connection to Autotask PSA" });
  await autotask.click();
  await expect(page.getByRole("status").filter({ hasText: "Connected in" })).toContainText("queried companies");

  // Autotask refusing the credentials is said, and the page stays usable.
  const rules = [{ path: "/ATServicesRest/V1.0/Companies/query", kind: "status", status: 401 }];
  expect((await page.request.post(`${simUrl}/_sim/faults`, { data: { rules } })).ok()).toBeTruthy();
  try {
    await autotask.click();
    await expect(page.getByRole("alert").filter({ hasText: "Autotask PSA answered:" })).toBeVisible();
  } finally {
    await page.request.post(`${simUrl}/_sim/faults`, { data: { rules: [] } });
  }
  await page.getByRole("button", { name: "Test connection to Microsoft Partner Center" }).click();
  await expect(page.getByRole("status").filter({ hasText: "read the customer list" })).toBeVisible();
});
