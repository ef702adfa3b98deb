import type { Browser, Page } from "@playwright/test";
import { api, baseUrl, expect, open, signIn, simUrl, test } from "./fixtures";

/** A second browser of its own (its own cookies), signed in as `who`. */
async function another(browser: Browser, who: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: baseUrl });
  const page = await context.newPage();
  await signIn(page, who);
  return page;
}

test("an Admin blocks a user, ends every session of another, and both take effect at once", async ({ page, browser }) => {
  const eddie = await another(browser, "Eddie Editor");
  const vera = await another(browser, "Vera Viewer");
  await signIn(page, "Ada Admin");
  await open(page, "/users");
  const eddieRow = page.getByTestId("user-row").filter({ hasText: "Eddie Editor" });
  await expect(eddieRow.getByTestId("role-origin")).toHaveText("Entra ID (Editor)");

  await eddieRow.getByRole("button", { name: "Block" }).click();
  await expect(page.getByRole("status")).toContainText("Eddie Editor is blocked");
  await expect(eddieRow.getByTestId("access")).toContainText("Blocked since");
  // Eddie's very next page says why he is out, and signing in again is refused.
  await eddie.goto("/overview");
  await expect(eddie).toHaveURL(/\/signin\?error=blocked/);
  await expect(eddie.getByRole("alert")).toHaveText("Your access to SeatSync has been blocked by an Admin.");
  await eddie.getByRole("link", { name: "Sign in with Microsoft" }).click();
  await eddie.getByRole("button", { name: /Eddie Editor/ }).click();
  await expect(eddie).toHaveURL(/\/signin\?error=blocked/);
  await eddieRow.getByRole("button", { name: "Unblock" }).click();
  await expect(page.getByRole("status")).toContainText("Eddie Editor may sign in again.");

  const veraRow = page.getByTestId("user-row").filter({ hasText: "Vera Viewer" });
  await veraRow.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page.getByRole("status")).toContainText("Vera Viewer was signed out on every device.");
  await vera.goto("/overview");
  await expect(vera).toHaveURL(/\/signin\?error=signed_out_by_admin/);
  await expect(vera.getByRole("alert")).toContainText("An Admin signed you out of SeatSync on every device.");

  // The history tells what happened, by whom.
  await veraRow.getByRole("button", { name: "History" }).click();
  await expect(page.getByRole("list", { name: "Access history of Vera Viewer" }).getByTestId("history-entry").first()).toContainText("Signed out on every device (by Ada Admin)");
  // An Admin cannot block themselves.
  await expect(page.getByTestId("user-row").filter({ hasText: "Ada Admin" }).getByRole("button", { name: "Block" })).toBeDisabled();
  await eddie.context().close();
  await vera.context().close();
});

test("an Admin gives a role to an address before its first sign-in and can withdraw it", async ({ page }) => {
  await signIn(page, "Ada Admin");
  await open(page, "/users");
  const address = `starter-${Date.now()}@northwind-msp.example`;
  await page.getByLabel("E-mail address").fill(address);
  await page.getByLabel("Role to give").selectOption("editor");
  await page.getByRole("button", { name: "Give role" }).click();
  await expect(page.getByRole("status")).toContainText(`${address} will be Editor from their first sign-in.`);
  await expect(page.getByLabel("E-mail address"), "the form is ready for the next address").toHaveValue("");
  const pending = page.getByTestId("pending-grant").filter({ hasText: address });
  await expect(pending).toContainText("Editor");
  await expect(pending).toContainText("by Ada Admin");
  await pending.getByRole("button", { name: "Withdraw" }).click();
  await expect(page.getByRole("status")).toContainText(`The role waiting for ${address} was withdrawn.`);
  await expect(pending).toHaveCount(0);
});

test("a user without a role gets their dashboard, not a 403", async ({ page }) => {
  await signIn(page, "Nico Newhire");
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("alert")).toContainText("Your account has no SeatSync role yet");
});

test("the sign-in never sends the browser to another site", async ({ page }) => {
  await page.goto("/signin?next=/%09/evil.example/");
  await page.getByRole("link", { name: "Sign in with Microsoft" }).click();
  await page.getByRole("button", { name: /Vera Viewer/ }).click();
  await expect(page).toHaveURL(`${baseUrl}/`);
  // A sign-in error is one of SeatSync's own messages, never text from the address.
  await page.goto("/signin?error=Call%20555-0100%20now");
  await expect(page.getByRole("alert")).toHaveText("Sign-in did not complete. Start again.");
});

test("pages refuse to be framed and a post from another origin changes nothing", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  const response = await page.goto("/overview");
  expect(response?.headers()["x-frame-options"]).toBe("DENY");
  expect(response?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  // The simulator's origin stands in for another site on the same host: refused before the
  // server function runs (which would answer 404 for this unknown tenant).
  const form = { tenant_id: "no-such-tenant", spare_seats: "9" };
  const res = await page.request.post("/api/overview/spare_seats", { form, headers: { Origin: simUrl, Accept: "application/json" } });
  expect(res.status()).toBe(403);
  expect(await res.text()).toContain("cross-site request protection");
  expect((await api(page, "overview/spare_seats", form)).status).toBe(404);
});
