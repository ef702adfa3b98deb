import { expect, test as base } from "@playwright/test";

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
