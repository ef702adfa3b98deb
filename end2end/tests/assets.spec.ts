import { expect, open, test } from "./fixtures";

/**
 * The WASM, JS and CSS travel compressed, under names that change with their content, so a
 * browser keeps them for good and a new build is fetched at once. The figures are printed for
 * the issue note (transfer sizes and the time until the page is interactive).
 */
test("the site's files are served compressed and cached for good under hashed names", async ({ page }) => {
  // A new browser context: nothing is cached yet.
  const started = Date.now();
  await open(page, "/signin");
  const interactiveMs = Date.now() - started;

  const assets = await page.evaluate(() =>
    (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
      .filter((r) => new URL(r.name).pathname.startsWith("/pkg/"))
      .map((r) => ({ path: new URL(r.name).pathname, transfer: r.transferSize, encoded: r.encodedBodySize, decoded: r.decodedBodySize })),
  );
  const kinds = [".wasm", ".js", ".css"];
  for (const kind of kinds) {
    const file = assets.find((a) => a.path.endsWith(kind));
    expect(file, `the page loads a ${kind} file`).toBeTruthy();
    // seatsync.<hash>.wasm: the name changes whenever the content does.
    expect(file!.path).toMatch(new RegExp(`^/pkg/seatsync\\.[A-Za-z0-9_-]{8,}\\${kind}$`));
    const res = await page.request.get(file!.path, { headers: { "Accept-Encoding": "br, gzip" } });
    expect(res.status()).toBe(200);
    expect(res.headers()["content-encoding"], `${file!.path} is compressed`).toMatch(/^(br|gzip)$/);
    expect(res.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
    // The browser's own count: bytes received against bytes unpacked.
    expect(file!.encoded, `${file!.path} travels smaller than it is`).toBeLessThan(file!.decoded);
  }
  // A name that is not there is not kept by anyone.
  const missing = await page.request.get("/pkg/seatsync.0000000000.wasm");
  expect(missing.status()).toBe(404);
  expect(missing.headers()["cache-control"] ?? "").not.toContain("immutable");

  const wasm = assets.find((a) => a.path.endsWith(".wasm"))!;
  console.log(
    `site figures: ${assets.map((a) => `${a.path.replace(/\.[A-Za-z0-9_-]+\./, ".")} ${(a.encoded / 1024).toFixed(0)} KB sent, ${(a.decoded / 1024).toFixed(0)} KB unpacked`).join("; ")}; ` +
      `WASM ratio ${(wasm.encoded / wasm.decoded).toFixed(2)}; sign-in page interactive after ${interactiveMs} ms, cold cache`,
  );
});
