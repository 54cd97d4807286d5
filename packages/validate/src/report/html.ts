/**
 * The static HTML report: index.html (catalog × test matrix) and one page per cell. Every string from
 * data or configs goes through {@link escapeHtml}; pages carry a strict Content-Security-Policy
 * (no scripts at all) and no JavaScript.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ValidationStatus } from "../checks/result.js";
import type { CellStatus, RunSummary } from "../runner/runner.js";
import { escapeHtml as e } from "./escape.js";
import { UNSAFE_SVG } from "./svg.js";

/** The pages' Content-Security-Policy: nothing but inline styles and same-origin or data: images. */
export const CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'";

/** Okabe–Ito colours (colour-blind safe) with a symbol, so status never relies on colour alone. */
export const STATUS_STYLE: Record<ValidationStatus, { color: string; symbol: string }> = {
  PASSED: { color: "#009E73", symbol: "✓" },
  FAILED: { color: "#D55E00", symbol: "✗" },
  ERROR: { color: "#CC79A7", symbol: "!" },
  SKIPPED: { color: "#BBBBBB", symbol: "–" },
  INSPECT: { color: "#56B4E9", symbol: "?" },
};

const CSS = `body{font-family:system-ui,sans-serif;margin:1.5em;color:#111;max-width:1200px}
table{border-collapse:collapse}th,td{border:1px solid #888;padding:.35em .6em;text-align:left;vertical-align:top}
.matrix td{text-align:center;min-width:8em}.matrix a{color:#000;text-decoration:none;display:block}
.status{font-weight:bold}.score{font-family:monospace}
${Object.entries(STATUS_STYLE)
  .map(([s, v]) => `.st-${s}{background:${v.color}}`)
  .join("\n")}
pre{background:#f4f4f4;padding:.6em;overflow:auto;white-space:pre-wrap}figure{margin:1em 0}
.numbers td{font-family:monospace}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${e(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** A score as text: 4 significant digits, or "—". */
export function formatScore(score: number | null | undefined): string {
  return typeof score === "number" && Number.isFinite(score) ? Number(score.toPrecision(4)).toString() : "—";
}

function badge(status: ValidationStatus, score: number | null): string {
  const s = STATUS_STYLE[status] ?? STATUS_STYLE.ERROR;
  return `<span class="status">${e(s.symbol)} ${e(status)}</span><br><span class="score">${e(formatScore(score))}</span>`;
}

/** Render JSON data as nested tables (numbers in arrays abbreviated past `maxItems`), all escaped. */
export function renderData(value: unknown, depth = 0, maxItems = 60): string {
  if (value === null || value === undefined) return "<i>null</i>";
  if (typeof value !== "object") return e(typeof value === "number" ? formatNumber(value) : value);
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== "object")) {
      const shown = value
        .slice(0, maxItems)
        .map((v) => (typeof v === "number" ? formatNumber(v) : String(v)));
      return e(`[${shown.join(", ")}${value.length > maxItems ? `, … (${value.length} values)` : ""}]`);
    }
    if (depth >= 3) return `<pre>${e(JSON.stringify(value).slice(0, 2000))}</pre>`;
    return `<ol>${value
      .slice(0, maxItems)
      .map((v) => `<li>${renderData(v, depth + 1, maxItems)}</li>`)
      .join("")}</ol>`;
  }
  if (depth >= 3) return `<pre>${e(JSON.stringify(value).slice(0, 2000))}</pre>`;
  const rows = Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `<tr><th>${e(k)}</th><td>${renderData(v, depth + 1, maxItems)}</td></tr>`)
    .join("");
  return `<table class="numbers">${rows}</table>`;
}

function formatNumber(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(6)).toString() : String(x);
}

/** The index page: one row per catalog, one column per test, a legend and the run's provenance. */
export function indexPage(summary: RunSummary): string {
  const head = summary.tests
    .map((t) => `<th scope="col" data-test="${e(t.name)}">${e(t.name)}</th>`)
    .join("");
  const rows = summary.catalogs
    .map((c) => {
      const tds = summary.tests
        .map((t) => {
          const cell = summary.cells.find((x) => x.catalog === c.name && x.test === t.name);
          if (!cell) return `<td>—</td>`;
          return `<td class="cell st-${e(cell.status)}" data-status="${e(cell.status)}"><a href="${e(cell.dir)}/index.html">${badge(cell.status, cell.score)}</a></td>`;
        })
        .join("");
      return `<tr data-catalog="${e(c.name)}"><th scope="row">${e(c.name)}</th>${tds}</tr>`;
    })
    .join("\n");
  const legend = Object.entries(STATUS_STYLE)
    .map(
      ([s, v]) =>
        `<span class="st-${e(s)}" style="padding:.2em .5em;margin-right:.4em">${e(v.symbol)} ${e(s)}</span>`,
    )
    .join("");
  const counts = Object.entries(summary.counts)
    .map(([s, n]) => `${e(s)} ${e(n)}`)
    .join(", ");
  const versions = Object.entries(summary.versions)
    .map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`)
    .join("");
  const catalogs = summary.catalogs
    .map(
      (c) =>
        `<tr><th>${e(c.name)}</th><td>${e(c.config)}</td><td class="score">${e(c.configSha256 ?? "")}</td><td>${e(
          c.inputs
            .map(
              (i) =>
                `${i.path} (${i.kind}${i.bytes === undefined ? "" : `, ${i.bytes} B`}${i.sha256 ? `, sha256 ${i.sha256.slice(0, 16)}…` : i.mtime ? `, mtime ${i.mtime}` : ""})`,
            )
            .join("; "),
        )}</td></tr>`,
    )
    .join("");
  const tests = summary.tests
    .map(
      (t) =>
        `<tr><th>${e(t.name)}</th><td>${e(t.kind)}</td><td>${e(t.config ?? "(in code)")}</td><td class="score">${e(t.configSha256 ?? "")}</td></tr>`,
    )
    .join("");
  return page(
    "Validation report",
    `<h1>Validation report</h1>
<p>${e(summary.catalogs.length)} catalogs × ${e(summary.tests.length)} tests, ${e(summary.startedAt)} – ${e(summary.finishedAt)} (${e(summary.seconds.toFixed(1))} s). ${counts}.</p>
<table class="matrix" id="matrix">
<thead><tr><th scope="col">catalog \\ test</th>${head}</tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p>Legend: ${legend}. Each cell shows the status and the score (the number its criterion compares); follow it for the plots and numbers.</p>
<h2>Provenance</h2>
<p><a href="summary.json">summary.json</a></p>
<table><thead><tr><th>catalog</th><th>config</th><th>config sha256</th><th>inputs</th></tr></thead><tbody>${catalogs}</tbody></table>
<table><thead><tr><th>test</th><th>kind</th><th>config</th><th>config sha256</th></tr></thead><tbody>${tests}</tbody></table>
<table><thead><tr><th>package</th><th>version</th></tr></thead><tbody>${versions}</tbody></table>`,
  );
}

/** A cell's page: status, score, criterion, summary, plots (inline SVG), numbers and any stack trace. */
export function cellPage(status: CellStatus, data: unknown, svgs: string[]): string {
  const plots = svgs
    .map((svg, i) => `<figure id="plot-${i}">${svg}<figcaption>plot ${i + 1}</figcaption></figure>`)
    .join("\n");
  const trace = status.error
    ? `<h2>Stack trace</h2><pre class="stack">${e(status.error.stack ?? `${status.error.name}: ${status.error.message}`)}</pre>`
    : "";
  const plotErrors = status.plotErrors?.length
    ? `<p>Plots not rendered: ${e(status.plotErrors.join("; "))}</p>`
    : "";
  return page(
    `${status.test} on ${status.catalog}`,
    `<p><a href="../../index.html">← all results</a></p>
<h1>${e(status.test)} <small>on</small> ${e(status.catalog)}</h1>
<table>
<tr><th>status</th><td class="st-${e(status.status)}">${badge(status.status, status.score)}</td></tr>
<tr><th>test kind</th><td>${e(status.kind)}</td></tr>
<tr><th>criterion</th><td class="criterion">${e(status.criterion || "(none: inspect the plots)")}</td></tr>
<tr><th>summary</th><td class="summary">${e(status.summary)}</td></tr>
<tr><th>time</th><td>${e(status.startedAt)}, ${e(status.seconds.toFixed(3))} s</td></tr>
</table>
<p>Files: <a href="status.json">status.json</a>, <a href="data.json">data.json</a>, <a href="cell.log">cell.log</a></p>
${trace}
<h2>Plots</h2>
${plots || "<p>No plots.</p>"}
${plotErrors}
<h2>Numbers</h2>
${renderData(data)}`,
  );
}

/** Write index.html and each cell's index.html from the run's summary.json, status.json, data.json and SVGs. */
export async function writeReport(out: string): Promise<void> {
  const summary = JSON.parse(await readFile(join(out, "summary.json"), "utf8")) as RunSummary;
  for (const cell of summary.cells) {
    const dir = join(out, cell.dir);
    const status = JSON.parse(await readFile(join(dir, "status.json"), "utf8")) as CellStatus;
    const data = JSON.parse(await readFile(join(dir, "data.json"), "utf8")) as unknown;
    const svgs = (await Promise.all(status.plots.map((p) => readFile(join(dir, p), "utf8")))).filter(
      (svg) => svg.trimStart().startsWith("<svg") && !UNSAFE_SVG.test(svg),
    );
    await writeFile(join(dir, "index.html"), cellPage(status, data, svgs));
  }
  await writeFile(join(out, "index.html"), indexPage(summary));
}
