import { expect, test as base, type Page } from "@playwright/test";

/**
 * Every test fails if the page logs a hydration error, an uncaught exception or a violation of
 * its Content-Security-Policy (the suite runs with the policy SeatSync ships).
 */
export const test = base.extend<{ consoleProblems: string[] }>({
  consoleProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" && /hydration|panicked|Content Security Policy/i.test(m.text())) problems.push(m.text().slice(0, 300));
      });
      await page.addInitScript(() => {
        document.addEventListener("securitypolicyviolation", (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
      });
      page.on("pageerror", (e) => problems.push(e.message));
      await use(problems);
      expect(problems, "the page logged errors").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Signs in through the simulated Entra ID by picking the demo account named `who`. */
export async function signIn(page: Page, who: string) {
  await page.goto("/signin");
  await page.getByRole("link", { name: "Sign in with Microsoft" }).click();
  await page.getByRole("button", { name: new RegExp(who) }).click();
  await expect(page).toHaveURL(/\/$/);
  // Clicks before hydration would be lost, as in any server-rendered app.
  await page.locator("body[data-hydrated]").waitFor();
}

/** Opens `url` and waits until the page is hydrated: input typed before that is lost. */
export async function open(page: Page, url: string) {
  await page.goto(url);
  await page.locator("body[data-hydrated]").waitFor();
}

/** Reloads the page and waits until it is hydrated again, for the same reason as `open`. */
export async function reload(page: Page) {
  await page.reload();
  await page.locator("body[data-hydrated]").waitFor();
}

export const baseUrl = process.env.E2E_BASE_URL ?? "http://127.0.0.1:3110";

/**
 * Calls a server function as the signed-in page's user, with the `Origin` SeatSync's pages
 * send (a request without one is refused as cross-site); returns status and JSON body.
 */
export async function api(page: Page, endpoint: string, form: Record<string, string> = {}) {
  const res = await page.request.post(`/api/${endpoint}`, { form, headers: { Accept: "application/json", Origin: baseUrl } });
  const text = await res.text();
  let body: any = null;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status(), body };
}

export const simUrl = process.env.E2E_SIM_URL ?? "http://127.0.0.1:4110";

/**
 * Makes sure new Autotask services get an allocation code (Autotask requires one), choosing it
 * as an Admin would on the Settings page: the first one listed, a recurring-service code.
 */
export async function ensureAllocationCode(page: Page) {
  const browser = page.context().browser();
  if (!browser) throw new Error("no browser");
  const context = await browser.newContext({ baseURL: baseUrl });
  const admin = await context.newPage();
  await signIn(admin, "Ada Admin");
  await open(admin, "/settings");
  const picker = admin.getByLabel("Allocation code of new services");
  await expect(picker.locator("option").nth(1)).toBeAttached();
  if ((await picker.inputValue()) === "") {
    await picker.selectOption({ index: 1 });
    await admin.getByRole("button", { name: "Save settings" }).click();
    await expect(admin.getByRole("status").filter({ hasText: "Settings saved." })).toBeVisible();
  }
  await context.close();
}

/** Runs the billing report from its page and waits for the new report. */
export async function runReport(page: Page) {
  const before = (await page.getByTestId("report-line").count()) ? await page.getByTestId("report-line").getAttribute("title") : null;
  await page.getByRole("button", { name: "Run now" }).click();
  await expect(page.getByTestId("report-line")).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId("report-line")).not.toContainText("A run is going now", { timeout: 120_000 });
  if (before) await expect(page.getByTestId("report-line")).not.toHaveAttribute("title", before, { timeout: 120_000 });
  await expect(page.getByTestId("billing-progress")).toBeEmpty();
}
