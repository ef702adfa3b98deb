import { readFileSync } from "node:fs";
import { expect, open, reload, signIn, test } from "./fixtures";

const BASIC = "O365_BUSINESS_ESSENTIALS";
const CSV_HEADER = "Product_Display_Name,String_Id,GUID,Service_Plan_Name,Service_Plan_Id,Service_Plans_Included_Friendly_Names";

test("an Admin uploads Microsoft's product names and prices a product; the overview counts its waste", async ({ page }) => {
  await signIn(page, "Ada Admin");
  await open(page, "/settings/products");
  await expect(page.getByRole("heading", { name: "Product names" })).toBeVisible();
  const basic = page.getByTestId("sku-row").filter({ hasText: BASIC });
  await expect(basic).toHaveCount(1);

  // A malformed file is refused with a reason, and the names in use stay.
  const before = await page.getByTestId("names-source").innerText();
  await page.getByLabel("Upload Microsoft's licensing CSV").setInputFiles({
    name: "wrong.csv", mimeType: "text/csv", buffer: Buffer.from("Name,Price\nfoo,1\n"),
  });
  await expect(page.getByRole("alert")).toContainText(/String_Id|GUID|column/i);
  await expect(page.getByTestId("names-source")).toHaveText(before);

  // Microsoft's format (one row per service plan): the product's new name is used at once.
  const csv = [
    CSV_HEADER,
    `Microsoft 365 Business Basic (2027 name),${BASIC},3b555118-da6a-4418-894f-7df1e2096870,EXCHANGE_S_STANDARD,9aaf7827-d63c-4b61-89c3-182f06f82e5c,EXCHANGE ONLINE (PLAN 1)`,
    `Microsoft 365 Business Basic (2027 name),${BASIC},3b555118-da6a-4418-894f-7df1e2096870,MCOSTANDARD,0feaeb32-d00e-4d66-bd5a-43b5b83db82c,SKYPE FOR BUSINESS ONLINE (PLAN 2)`,
  ].join("\r\n");
  await page.getByLabel("Upload Microsoft's licensing CSV").setInputFiles({
    name: "licensing-2027.csv", mimeType: "text/csv", buffer: Buffer.from(csv),
  });
  await expect(page.getByText("licensing-2027.csv: 1 products read")).toBeVisible();

  // Microsoft's real file grows past the 2 MB a form field may carry: it goes up as a file.
  const rows = [CSV_HEADER];
  for (let i = 0, size = 0; size < 3_000_000; i++) {
    const n = String(Math.floor(i / 20)).padStart(12, "0");
    const row = `Product number ${Math.floor(i / 20)},PRODUCT_${Math.floor(i / 20)},00000000-0000-4000-8000-${n},PLAN_${i},00000000-1111-4000-8000-000000000000,Service plan number ${i} with a long friendly name`;
    rows.push(row);
    size += row.length + 2;
  }
  rows.push(csv.split("\r\n").slice(1).join("\r\n"));
  await page.getByLabel("Upload Microsoft's licensing CSV").setInputFiles({ name: "licensing-full.csv", mimeType: "text/csv", buffer: Buffer.from(rows.join("\r\n")) });
  await expect(page.getByText(/licensing-full\.csv: \d+ products read/)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("names-source")).toContainText("In use: licensing-full.csv");
  await expect(basic).toContainText("Microsoft 365 Business Basic (2027 name)");

  // A price makes the product's unused seats count in dollars on the overview.
  await open(page, "/overview");
  await expect(page.getByRole("heading", { name: "Seats overview" })).toBeVisible();
  const costBefore = await page.getByTestId("total-waste-cost").innerText();
  // A price not used before, so a rerun against the same database changes the figure too.
  const price = (5 + Math.random() * 5).toFixed(2);
  await open(page, "/settings/products");
  await basic.getByRole("textbox", { name: `Monthly cost for ${BASIC}` }).fill(price);
  await basic.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Saved ${BASIC}.` })).toBeVisible();
  await open(page, "/overview");
  await expect(page.getByTestId("total-waste-cost")).not.toHaveText(costBefore);
});

test("the overview lists the worst first, and spare seats are not waste", async ({ page }) => {
  await signIn(page, "Eddie Editor");
  await open(page, "/overview");
  await expect(page.getByRole("heading", { name: "Seats overview" })).toBeVisible();
  const rows = page.getByTestId("overview-row");
  await expect(rows.first()).toBeVisible();
  const dollars = (s: string) => (s.startsWith("$") ? Number(s.replace(/[$,]/g, "")) : 0);
  const costs = (await rows.getByTestId("waste-cost").allInnerTexts()).map(dollars);
  expect(costs).toEqual([...costs].sort((a, b) => b - a));

  // Keep as many spare seats as the worst tenant has unused: it no longer wastes anything.
  const worst = rows.first();
  const name = (await worst.getByRole("link").first().innerText()).trim();
  const unused = Number((await worst.locator("td").nth(3).innerText()).replace(/,/g, ""));
  expect(unused).toBeGreaterThan(0);
  const wastedBefore = Number((await page.getByTestId("total-wasted").innerText()).replace(/,/g, ""));
  const spare = worst.getByRole("spinbutton", { name: `Spare seats for ${name}` });
  const wastedHere = Number((await worst.locator("td").nth(5).innerText()).replace(/,/g, ""));
  await spare.fill(String(unused));
  await spare.press("Enter");
  await expect(page.getByTestId("total-wasted")).toHaveText((wastedBefore - wastedHere).toLocaleString("en-US"));
  const same = rows.filter({ has: page.getByRole("link", { name, exact: true }) });
  await expect(same.getByTestId("waste-cost")).toHaveText("—");
  await expect(same.getByRole("status")).toHaveText("Saved");
  // A value out of range is refused on its own row, in words, and nothing changes.
  const spareAgain = same.getByRole("spinbutton", { name: `Spare seats for ${name}` });
  await spareAgain.fill("-4");
  await spareAgain.press("Enter");
  await expect(same.getByRole("status")).toContainText("0 to 10,000");

  // A Viewer sees the numbers but cannot change spare seats.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("You have signed out.")).toBeVisible();
  await signIn(page, "Vera Viewer");
  await open(page, "/overview");
  await expect(rows.first()).toBeVisible();
  await expect(page.getByRole("spinbutton")).toHaveCount(0);
});

test("the overview sorts by any column both ways, keeps the sort in the address, and exports every tenant as CSV", async ({ page }) => {
  await signIn(page, "Vera Viewer");
  await open(page, "/overview");
  const rows = page.getByTestId("overview-row");
  await expect(rows.first()).toBeVisible();
  const names = async () => (await rows.locator("td:first-child > a").allInnerTexts()).map((n) => n.trim().toLowerCase());
  const ordered = (list: string[]) => [...list].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const header = (name: string) => page.getByRole("columnheader", { name });

  await page.getByRole("button", { name: "Tenant", exact: true }).click();
  await expect(page).toHaveURL(/sort=tenant/);
  await expect(header("Tenant")).toHaveAttribute("aria-sort", "ascending");
  expect(await names()).toEqual(ordered(await names()));
  await page.getByRole("button", { name: "Tenant", exact: true }).click();
  await expect(header("Tenant")).toHaveAttribute("aria-sort", "descending");
  expect(await names()).toEqual(ordered(await names()).reverse());

  // A number column sorts largest first, and a reload keeps it.
  await page.getByRole("button", { name: "Unused", exact: true }).click();
  // Largest first is the default direction, so the address leaves it out.
  await expect(page).toHaveURL(/sort=unused$/);
  const unused = async () => (await rows.locator("td:nth-child(4)").allInnerTexts()).map((n) => Number(n.replace(/,/g, "")));
  const before = await unused();
  expect(before).toEqual([...before].sort((a, b) => b - a));
  await reload(page);
  await expect(header("Unused")).toHaveAttribute("aria-sort", "descending");
  expect(await unused()).toEqual(before);
  await expect(header("Tenant")).toHaveAttribute("aria-sort", "none");
  const tenants = Number((await page.getByTestId("total-tenants").innerText()).replace(/,/g, ""));
  await expect(page.getByTestId("overview-range")).toContainText(`of ${tenants.toLocaleString("en-US")}`);

  // The export holds every tenant, whatever the page shows, one line each, RFC 4180.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^seatsync-overview-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = readFileSync(await download.path(), "utf8").replace(/^\uFEFF/, "");
  const lines = text.split("\r\n").filter((l) => l !== "");
  expect(lines[0]).toBe("Tenant,Domain,Bought,Assigned,Unused,Spare seats allowed,Wasted,Waste a month,Wasted seats without a price,Last synced (UTC),Last sync error");
  expect(lines.length - 1).toBe(tenants);
  expect(lines.slice(1).every((l) => !/^[=+\-@]/.test(l))).toBe(true);
});
