import type { Catalog } from "../catalog/catalog.js";

/** Outcome of a validation test. INSPECT: no pass criterion (look at the plots); ERROR: the test could not run. */
export type ValidationStatus = "PASSED" | "FAILED" | "SKIPPED" | "INSPECT" | "ERROR";

/** A vega-lite specification (plain JSON). */
export type VegaLiteSpec = Record<string, unknown>;

/** What a validation test returns. */
export interface ValidationResult {
  /** The test's name. */
  test: string;
  status: ValidationStatus;
  /** The number the criterion compares (e.g. χ²/dof); null when skipped, inspect-only or errored. */
  score: number | null;
  /** The numeric pass criterion, stated (e.g. "χ²/dof < 2 over 12 bins"); "" for inspect-only tests. */
  criterion: string;
  /** One or two sentences: what was measured and why it passed, failed or was skipped. */
  summary: string;
  /** The curves (bins, values, errors, reference) as plain JSON. */
  data: Record<string, unknown>;
  /** Vega-lite plots of `data`. */
  plots?: VegaLiteSpec[];
}

/** What the runner gives a test besides the catalog. */
export interface ValidationContext {
  /** The shared data folder holding `cosmo/descqa` (default: `$TESSERA_SHARED_DATA` or `../shared/data`). */
  dataDir?: string;
}

/** A validation test: a name, a parsed config and `run`. */
export interface ValidationTest<C = unknown> {
  readonly name: string;
  readonly config: C;
  /** Stream the catalog (`catalog.iterate`) and compare; never throws: errors become status ERROR. */
  run(catalog: Catalog, context?: ValidationContext): Promise<ValidationResult>;
}

/** A PASSED/FAILED result from a score and a threshold (`score < threshold` passes; NaN fails). */
export function judged(
  test: string,
  score: number,
  threshold: number,
  criterion: string,
  summary: string,
  data: Record<string, unknown>,
  plots?: VegaLiteSpec[],
): ValidationResult {
  const status = score < threshold ? "PASSED" : "FAILED";
  return { test, status, score, criterion, summary: `${status}: ${summary}`, data, plots };
}

/** A SKIPPED result with its reason. */
export function skipped(test: string, criterion: string, reason: string): ValidationResult {
  return { test, status: "SKIPPED", score: null, criterion, summary: `SKIPPED: ${reason}`, data: { reason } };
}

/** An ERROR result from a thrown error (its class name and message). */
export function errored(test: string, criterion: string, error: unknown): ValidationResult {
  const e = error as Error;
  const message = `${e?.name ?? "Error"}: ${e?.message ?? String(error)}`;
  return {
    test,
    status: "ERROR",
    score: null,
    criterion,
    summary: `ERROR: ${message}`,
    data: { error: message },
  };
}

/** Format a number for summaries (4 significant digits). */
export function fmt(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : String(x);
}
