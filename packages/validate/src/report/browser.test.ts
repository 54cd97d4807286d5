// The report in Chromium (Debian's /usr/bin/chromium through playwright-core), opened via file://.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { tempDir } from "@tessera/testkit";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVIL_CATALOG, writeEvilReport } from "./report.test-helpers.js";

const CHROMIUM = "/usr/bin/chromium";

describe("HTML report in Chromium", () => {
  const dir = tempDir("validate-browser-");
  let browser: Browser;
  let page: Page;
  let out = "";
  const dialogs: string[] = [];
  const pageErrors: string[] = [];
  const consoleLines: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
    out = await writeEvilReport(dir.path);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    page.on("dialog", async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    page.on("console", (m) => consoleLines.push(m.text()));
    await page.addInitScript(() => {
      (globalThis as unknown as { __xss: number }).__xss = 0;
    });
    await page.goto(pathToFileURL(join(out, "index.html")).href);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    dir.cleanup();
  });

  it("renders the matrix: one row per catalog, one column per test", async () => {
    const rows = await page.locator("#matrix tbody tr").count();
    expect(rows).toBe(2);
    const cols = await page.locator("#matrix thead th[data-test]").count();
    expect(cols).toBe(2);
    expect(await page.locator("#matrix tbody tr").first().locator("td").count()).toBe(2);
    const labels = await page.locator("#matrix td .status").allTextContents();
    expect(labels).toEqual(["✓ PASSED", "✗ FAILED", "✓ PASSED", "✗ FAILED"]);
  });

  it("shows hostile names as text and runs no script from the data", async () => {
    const rowHeader = await page.locator("#matrix tbody tr").first().locator("th").textContent();
    expect(rowHeader).toBe(EVIL_CATALOG);
    expect(await page.getByText(EVIL_CATALOG, { exact: true }).first().isVisible()).toBe(true);
    expect(await page.locator("script").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss: number }).__xss)).toBe(0);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("opens a cell page from its link, with plots as SVG with paths", async () => {
    await page.locator("#matrix tbody tr").first().locator("td").nth(1).locator("a").click();
    await page.waitForLoadState("load");
    expect(page.url()).toMatch(/script_alert_1_script_\/svg_onload_alert_3_\/index\.html$/);
    expect(await page.locator("h1").textContent()).toContain(EVIL_CATALOG);
    expect(await page.locator("td.summary").textContent()).toContain(
      `<img src=x onerror="window.__xss=1;alert(2)">`,
    );
    expect(await page.locator("figure svg").count()).toBe(1);
    expect(await page.locator("figure svg path").count()).toBeGreaterThan(3);
    const bbox = await page.locator("figure svg").boundingBox();
    expect(bbox?.width).toBeGreaterThan(100);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss: number }).__xss)).toBe(0);
    await page.locator("a", { hasText: "all results" }).click();
    await page.waitForLoadState("load");
    expect(page.url()).toMatch(/report\/index\.html$/);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
