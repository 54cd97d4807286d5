/** The validation runner: every catalog × every test, one output folder per cell, a run summary. */
import { createHash } from "node:crypto";
import { appendFileSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, extname, join, resolve } from "node:path";
import { type Catalog, openCatalog } from "../catalog/catalog.js";
import type { ValidationResult, ValidationStatus } from "../checks/result.js";
import { ValidateError } from "../errors.js";
import { writeReport } from "../report/html.js";
import { renderSvg } from "../report/svg.js";
import { describeInput, type InputRecord, runVersions } from "./provenance.js";
import type { LoadedTest } from "./test-config.js";

/** A catalog to validate: its config file and the name shown in the report (default: the file name). */
export interface CatalogInput {
  path: string;
  name?: string;
}

/** Options of {@link runValidation}. */
export interface RunOptions {
  catalogs: readonly (string | CatalogInput)[];
  tests: readonly LoadedTest[];
  /** Output folder. */
  out: string;
  /** Replace an earlier report in `out` (a folder holding summary.json). */
  overwrite?: boolean;
  /** Shared data folder for the tests' reference data. */
  dataDir?: string;
  /** Called after each cell with (cells done, cells in all). */
  onProgress?: (done: number, total: number) => void;
  /** Write index.html and the cell pages (default true). */
  report?: boolean;
}

/** What the summary records about one cell. */
export interface CellRecord {
  catalog: string;
  test: string;
  kind: string;
  /** Cell folder relative to the output folder (`<catalog>/<test>`, names made file-safe). */
  dir: string;
  status: ValidationStatus;
  score: number | null;
  seconds: number;
  /** Plot files relative to the cell folder. */
  plots: string[];
}

/** summary.json of a run. */
export interface RunSummary {
  tool: "@tessera/validate";
  versions: Record<string, string>;
  startedAt: string;
  finishedAt: string;
  seconds: number;
  out: string;
  dataDir?: string;
  catalogs: { name: string; slug: string; config: string; configSha256?: string; inputs: InputRecord[] }[];
  tests: {
    name: string;
    slug: string;
    kind: string;
    config?: string;
    configSha256?: string;
    parameters: unknown;
  }[];
  cells: CellRecord[];
  counts: Record<ValidationStatus, number>;
}

/** status.json of a cell: the result (without data and plots, which have their own files) and timing. */
export interface CellStatus extends Omit<ValidationResult, "data" | "plots"> {
  catalog: string;
  kind: string;
  startedAt: string;
  finishedAt: string;
  seconds: number;
  plots: string[];
  plotErrors?: string[];
  /** A thrown error: its name, message and stack. */
  error?: { name: string; message: string; stack?: string };
}

/** A name made safe as one path segment (letters, digits, `._-`), unique among `taken`. */
export function slugify(name: string, taken: Set<string>): string {
  let base =
    name
      .replace(/[^A-Za-z0-9._-]+/g, "_")
      .replace(/^[._]+/, "")
      .slice(0, 80) || "item";
  if (base === "index.html") base = "index_html";
  let slug = base;
  for (let i = 2; taken.has(slug.toLowerCase()); i++) slug = `${base}-${i}`;
  taken.add(slug.toLowerCase());
  return slug;
}

/** JSON with NaN/±Infinity as null and BigInt as strings. */
export function safeJson(value: unknown): string {
  return `${JSON.stringify(
    value,
    (_k, v) =>
      typeof v === "bigint" ? v.toString() : typeof v === "number" && !Number.isFinite(v) ? null : v,
    2,
  )}\n`;
}

async function prepareOut(out: string, overwrite: boolean): Promise<void> {
  const entries = await readdir(out).catch(() => undefined);
  if (entries && entries.length > 0) {
    if (!overwrite) {
      throw new ValidateError("the output folder exists and is not empty", {
        path: out,
        field: "--out",
        expected: "a new or empty folder, or --overwrite",
        found: `${entries.length} entries`,
      });
    }
    if (!entries.includes("summary.json")) {
      throw new ValidateError("--overwrite replaces only an earlier validation report", {
        path: out,
        field: "--out",
        expected: "a folder holding summary.json (an earlier report), or a new folder",
        found: `a folder without summary.json (${entries.length} entries)`,
      });
    }
    await rm(out, { recursive: true, force: true });
  }
  await mkdir(out, { recursive: true });
}

const STATUSES: ValidationStatus[] = ["PASSED", "FAILED", "SKIPPED", "INSPECT", "ERROR"];

function asResult(value: unknown, test: string): ValidationResult | undefined {
  const r = value as Partial<ValidationResult> | null;
  if (!r || typeof r !== "object" || !STATUSES.includes(r.status as ValidationStatus)) return undefined;
  return {
    test: typeof r.test === "string" ? r.test : test,
    status: r.status as ValidationStatus,
    score: typeof r.score === "number" ? r.score : null,
    criterion: String(r.criterion ?? ""),
    summary: String(r.summary ?? ""),
    data: r.data && typeof r.data === "object" ? r.data : {},
    plots: Array.isArray(r.plots) ? r.plots : [],
  };
}

/**
 * Run every test on every catalog. Each cell gets `<out>/<catalog>/<test>/` with status.json (the
 * result and timing), cell.log, data.json and plots/plot-N.svg (+ .vl.json specs). A cell that throws
 * (or whose catalog cannot be opened) is ERROR with its stack trace; the others go on. Writes
 * summary.json (provenance: versions, config sha256s, input checksums or sizes+mtimes, times) and,
 * unless `report: false`, the HTML report.
 * @throws ValidateError when the output folder is not usable (exists, not empty, no --overwrite).
 */
export async function runValidation(options: RunOptions): Promise<RunSummary> {
  const out = resolve(options.out);
  await prepareOut(out, options.overwrite ?? false);
  const started = new Date();
  const t0 = performance.now();
  const catalogSlugs = new Set<string>();
  const catalogs = options.catalogs.map((c) => {
    const input = typeof c === "string" ? { path: c } : c;
    const config = resolve(input.path);
    const name = input.name ?? basename(config, extname(config));
    return { name, config, slug: slugify(name, catalogSlugs) };
  });
  const testSlugs = new Set<string>();
  const tests = options.tests.map((t) => ({ ...t, slug: slugify(t.name, testSlugs) }));
  const total = catalogs.length * tests.length;
  const cells: CellRecord[] = [];
  const catalogRecords: RunSummary["catalogs"] = [];
  let done = 0;
  options.onProgress?.(0, total);

  for (const cat of catalogs) {
    let opened: { catalog: Catalog } | { error: unknown };
    try {
      opened = { catalog: await openCatalog(cat.config) };
    } catch (error) {
      opened = { error };
    }
    const configSha256 = await readFile(cat.config)
      .then((b) => createHash("sha256").update(b).digest("hex"))
      .catch(() => undefined);
    const files = "catalog" in opened ? opened.catalog.files : [];
    catalogRecords.push({
      name: cat.name,
      slug: cat.slug,
      config: cat.config,
      configSha256,
      inputs: await Promise.all(files.map((f) => describeInput(f))),
    });
    for (const t of tests) {
      const dir = `${cat.slug}/${t.slug}`;
      cells.push(await runCell(out, dir, cat.name, t, opened, options.dataDir));
      options.onProgress?.(++done, total);
    }
  }

  const finished = new Date();
  const counts = Object.fromEntries(
    STATUSES.map((s) => [s, cells.filter((c) => c.status === s).length]),
  ) as Record<ValidationStatus, number>;
  const summary: RunSummary = {
    tool: "@tessera/validate",
    versions: runVersions(),
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    seconds: (performance.now() - t0) / 1000,
    out,
    dataDir: options.dataDir,
    catalogs: catalogRecords,
    tests: tests.map((t) => ({
      name: t.name,
      slug: t.slug,
      kind: t.kind,
      config: t.file,
      configSha256: t.sha256,
      parameters: t.test.config,
    })),
    cells,
    counts,
  };
  await writeFile(join(out, "summary.json"), safeJson(summary));
  if (options.report ?? true) await writeReport(out);
  return summary;
}

async function runCell(
  out: string,
  dir: string,
  catalogName: string,
  t: LoadedTest & { slug: string },
  opened: { catalog: Catalog } | { error: unknown },
  dataDir: string | undefined,
): Promise<CellRecord> {
  const cellDir = join(out, dir);
  await mkdir(join(cellDir, "plots"), { recursive: true });
  const logFile = join(cellDir, "cell.log");
  const log = (msg: string) => appendFileSync(logFile, `${new Date().toISOString()} ${msg}\n`);
  const startedAt = new Date();
  const t0 = performance.now();
  log(`started test ${t.name} (${t.kind}) on catalog ${catalogName}`);
  let result: ValidationResult;
  let error: CellStatus["error"];
  const criterion = String((t.test as { criterion?: unknown }).criterion ?? "");
  try {
    if ("error" in opened) throw opened.error;
    const raw = await t.test.run(opened.catalog, { dataDir });
    const r = asResult(raw, t.name);
    if (!r) throw new ValidateError(`test ${t.name} returned no ValidationResult`, { found: typeof raw });
    result = r;
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    error = { name: err.name, message: err.message, stack: err.stack };
    log(`threw ${err.stack ?? `${err.name}: ${err.message}`}`);
    result = {
      test: t.name,
      status: "ERROR",
      score: null,
      criterion,
      summary: `ERROR: ${err.name}: ${err.message}`,
      data: { error: `${err.name}: ${err.message}` },
    };
  }
  const plots: string[] = [];
  const plotErrors: string[] = [];
  for (const [i, spec] of (result.plots ?? []).entries()) {
    await writeFile(join(cellDir, "plots", `plot-${i}.vl.json`), safeJson(spec));
    try {
      await writeFile(join(cellDir, "plots", `plot-${i}.svg`), await renderSvg(spec));
      plots.push(`plots/plot-${i}.svg`);
    } catch (e) {
      const msg = `plot ${i}: ${(e as Error).message}`;
      plotErrors.push(msg);
      log(`plot not rendered: ${msg}`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const finishedAt = new Date();
  const { data, plots: _specs, ...rest } = result;
  const status: CellStatus = {
    ...rest,
    catalog: catalogName,
    kind: t.kind,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds,
    plots,
    ...(plotErrors.length > 0 ? { plotErrors } : {}),
    ...(error ? { error } : {}),
  };
  await writeFile(join(cellDir, "data.json"), safeJson(data));
  await writeFile(join(cellDir, "status.json"), safeJson(status));
  log(
    `finished ${result.status}${result.score === null ? "" : ` score ${result.score}`} in ${seconds.toFixed(3)} s`,
  );
  return {
    catalog: catalogName,
    test: t.name,
    kind: t.kind,
    dir,
    status: result.status,
    score: result.score,
    seconds,
    plots,
  };
}
