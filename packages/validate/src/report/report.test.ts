import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { escapeHtml } from "./escape.js";
import { EVIL_SUMMARY, evilTest, writeEvilReport } from "./report.test-helpers.js";
import { renderSvg } from "./svg.js";

function htmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? htmlFiles(p) : f.endsWith(".html") ? [p] : [];
  });
}

describe("escapeHtml", () => {
  it("escapes the characters that open tags, entities and attributes", () => {
    expect(escapeHtml(`<a href="x" title='y'>&\`</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;",
    );
    expect(escapeHtml(null)).toBe("");
    expect(escapeHtml(1.5)).toBe("1.5");
  });
});

describe("renderSvg", () => {
  it("renders a vega-lite line plot to SVG with paths and escaped titles", async () => {
    const result = await evilTest().test.run(undefined as never);
    const svg = await renderSvg(result.plots?.[0] as Record<string, unknown>);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain("&lt;script&gt;alert(6)&lt;/script&gt;");
    expect(svg).not.toMatch(/<script/i);
    expect(svg.match(/<path/g)?.length).toBeGreaterThan(2);
  });
});

describe("HTML report with hostile names and strings", () => {
  const dir = tempDir("validate-report-");
  afterAll(() => dir.cleanup());
  let out = "";
  beforeAll(async () => {
    out = await writeEvilReport(dir.path);
  }, 30_000);

  it("escapes every name and string, has no script tag and a strict CSP on every page", () => {
    const pages = htmlFiles(out);
    expect(pages.length).toBe(5); // index + 2 × 2 cells
    for (const p of pages) {
      const html = readFileSync(p, "utf8");
      expect(html, p).not.toMatch(/<script/i);
      expect(html, p).not.toMatch(/<img/i);
      // no event-handler attribute on any tag (quoted attribute values, escaped, removed first)
      const tags = html.replace(/"[^"]*"/g, '""').match(/<[a-z][^>]*>/gi) ?? [];
      expect(
        tags.filter((t) => /\son[a-z]+\s*=/i.test(t)),
        p,
      ).toEqual([]);
      expect(html, p).toContain(
        `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; img-src &#39;self&#39; data:; style-src &#39;unsafe-inline&#39;">`,
      );
    }
    const index = readFileSync(join(out, "index.html"), "utf8");
    expect(index).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(index).toContain("&quot;&gt;&lt;svg onload=alert(3)&gt;");
  });

  it("shows status as text, symbol and score, not colour alone", () => {
    const index = readFileSync(join(out, "index.html"), "utf8");
    expect(index).toMatch(
      /data-status="FAILED"><a href="[^"]+"><span class="status">✗ FAILED<\/span><br><span class="score">3\.25<\/span>/,
    );
    expect(index).toMatch(/<span class="status">✓ PASSED<\/span><br><span class="score">0<\/span>/);
    expect(index).toContain(".st-FAILED{background:#D55E00}");
  });

  it("writes a cell page with criterion, summary, numbers and the inline plot, all escaped", () => {
    const evilDir = readdirSync(join(out, "script_alert_1_script_")).find((d) => d !== "readiness") as string;
    const html = readFileSync(join(out, "script_alert_1_script_", evilDir, "index.html"), "utf8");
    expect(html).toContain("&lt;i&gt;score&lt;/i&gt; &lt; 1");
    expect(html).toContain(escapeHtml(EVIL_SUMMARY));
    expect(html).toContain("&lt;key onclick=alert(4)&gt;");
    expect(html).toContain("[1, 2, 3]");
    expect(html).toMatch(/<figure id="plot-0"><svg/);
  });
});
