import type { Page } from "@playwright/test";
import { expect, reload, test } from "./fixtures";

/** Signs in through the simulated Entra ID by picking the demo account named `who`. */
async function signIn(page: Page, who: string) {
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin/);
  await page.getByRole("link", { name: "Sign in with Microsoft" }).click();
  await expect(page.getByRole("heading", { name: "Pick an account" })).toBeVisible();
  await page.getByRole("button", { name: new RegExp(who) }).click();
  await expect(page).toHaveURL(/\/$/);
}

const nav = (page: Page) => page.getByRole("navigation", { name: "Main" });

test("a Viewer sees only what a Viewer may use", async ({ page }) => {
  await signIn(page, "Vera Viewer");
  await expect(page.getByRole("heading", { name: "Welcome, Vera" })).toBeVisible();
  await expect(page.getByTestId("signed-in-role")).toHaveText("Viewer");
  await expect(nav(page).getByRole("link", { name: "Dashboard" })).toBeVisible();
  await expect(nav(page).getByRole("link", { name: "Users" })).toHaveCount(0);
  await expect(nav(page).getByRole("link", { name: "Settings" })).toHaveCount(0);

  // Typing the address does not help: the server answers 403 with a clear page.
  const response = await page.goto("/users");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "This page needs the Admin role" })).toBeVisible();
});

test("an Admin sees the admin pages and can change a role", async ({ page }) => {
  // Vera must have signed in once to be listed; the previous test did, but stay independent.
  await signIn(page, "Vera Viewer");
  await page.getByRole("button", { name: "Sign out" }).click();

  await signIn(page, "Ada Admin");
  await expect(page.getByTestId("signed-in-role")).toHaveText("Admin");
  await expect(nav(page).getByRole("link", { name: "Users" })).toBeVisible();
  await expect(nav(page).getByRole("link", { name: "Settings" })).toBeVisible();

  await nav(page).getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { name: "Integrations" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Microsoft Partner Center" })).toBeVisible();

  await nav(page).getByRole("link", { name: "Users" }).click();
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  const veraRole = page.getByLabel("Role of Vera Viewer");
  await veraRole.selectOption("editor");
  await expect(page.getByRole("status")).toContainText("Vera Viewer now acts as Editor");
  await reload(page);
  await expect(page.getByLabel("Role of Vera Viewer")).toHaveValue("editor");
  // Put it back so the suite can run again against the same database.
  await page.getByLabel("Role of Vera Viewer").selectOption("");
  await expect(page.getByRole("status")).toContainText("Vera Viewer now acts as Viewer");
  // An Admin cannot demote themselves.
  await expect(page.getByLabel("Role of Ada Admin")).toBeDisabled();
});

test("signing out ends the session", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  await expect(page.getByTestId("signed-in-role")).toHaveText("Editor");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("You have signed out.")).toBeVisible();
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin\?next=/);
});

test("unknown pages get a 404 page", async ({ page }) => {
  await signIn(page, "Vera Viewer");
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "There is no page here" })).toBeVisible();
});
