import { expect, test as base, type Page } from "@playwright/test";

/** Every test fails if the page logs a hydration error or an uncaught exception. */
export const test = base.extend<{ consoleProblems: string[] }>({
  consoleProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" && /hydration|panicked/i.test(m.text())) problems.push(m.text().slice(0, 300));
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
}

/** Opens `url` and waits until the page is hydrated: input typed before that is lost. */
export async function open(page: Page, url: string) {
  await page.goto(url);
  await page.locator("body[data-hydrated]").waitFor();
}

/** Calls a server function as the signed-in page's user; returns status and JSON body. */
export async function api(page: Page, endpoint: string, form: Record<string, string> = {}) {
  const res = await page.request.post(`/api/${endpoint}`, { form, headers: { Accept: "application/json" } });
  const text = await res.text();
  let body: any = null;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status(), body };
}

export const simUrl = process.env.E2E_SIM_URL ?? "http://127.0.0.1:4110";
