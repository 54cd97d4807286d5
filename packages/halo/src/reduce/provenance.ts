/** Provenance records written with every catalog output. */
import { createRequire } from "node:module";

/** Version of `@tessera/halo` (from its package.json), for provenance. */
export const HALO_VERSION: string = (() => {
  const require = createRequire(import.meta.url);
  // ../package.json from dist/, ../../package.json from src/reduce/
  for (const rel of ["../package.json", "../../package.json"]) {
    try {
      const pkg = require(rel) as { name?: string; version?: string };
      if (pkg.name === "@tessera/halo" && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return "unknown";
})();

/** What made an output: tool, version, inputs, parameters, time. */
export interface CatalogProvenance {
  /** Tool that wrote the output (default `@tessera/halo`). */
  tool: string;
  version: string;
  /** The reduction or writer (e.g. `massCut`, `writeCatalogCsv`). */
  operation?: string;
  /** Input files or data sets. */
  inputs: string[];
  /** Parameters of the reduction. */
  parameters: Record<string, unknown>;
  /** ISO 8601 time of writing. */
  created: string;
  [key: string]: unknown;
}

/** Fields a caller may give; the rest is filled in by {@link catalogProvenance}. */
export type CatalogProvenanceInput = Partial<CatalogProvenance>;

/** A complete provenance record: defaults for tool, version, inputs, parameters and time (now). */
export function catalogProvenance(input: CatalogProvenanceInput = {}, operation?: string): CatalogProvenance {
  return {
    ...input,
    tool: input.tool ?? "@tessera/halo",
    version: input.version ?? HALO_VERSION,
    operation: input.operation ?? operation,
    inputs: input.inputs ?? [],
    parameters: input.parameters ?? {},
    created: input.created ?? new Date().toISOString(),
  };
}

/**
 * JSON with every non-ASCII character escaped as \uXXXX (python zarr 2.13 reads `.zattrs` as ASCII;
 * BigInt values are written as decimal strings).
 */
export function asciiJson(value: unknown): string {
  const text = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
  return `${text.replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`)}\n`;
}
