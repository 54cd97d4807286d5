/** A catalog as CSV: a header row of column names, one row per catalog row, exact numbers. */
import { open } from "node:fs/promises";
import { type Catalog, catalogRows } from "./catalog.js";
import { writeWithSidecar } from "./output-files.js";
import { type CatalogProvenanceInput, catalogProvenance } from "./provenance.js";

/** Options of {@link writeCatalogCsv}. */
export interface WriteCatalogCsvOptions {
  /** Provenance (tool, version, inputs, parameters, created are filled in when missing). */
  provenance?: CatalogProvenanceInput;
  /** Rows formatted per write (default 8192). */
  batchRows?: number;
}

/** A CSV field: quoted (RFC 4180) when it holds a comma, quote or line break. */
function field(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Write `catalog` as CSV (`\n` line ends, columns in key order). Numbers are written with
 * JavaScript's shortest round-trip form of their value (a float32 value as the float64 that equals
 * it exactly, e.g. 0.1f → 0.10000000149011612; −0 as `-0`; NaN and ±Infinity as `NaN`, `Infinity`,
 * `-Infinity`), 64-bit integers exactly as decimal. The provenance goes to `<path>.provenance.json`.
 * Written under temporary names and renamed when complete.
 * @throws ReduceError for misaligned columns.
 */
export async function writeCatalogCsv(
  path: string,
  catalog: Catalog,
  options: WriteCatalogCsvOptions = {},
): Promise<{ path: string; rows: number; provenancePath: string }> {
  const rows = catalogRows(catalog);
  const names = Object.keys(catalog);
  const cols = names.map((n) => catalog[n]);
  const batch = Math.max(1, Math.floor(options.batchRows ?? 8192));
  const provenance = catalogProvenance(options.provenance, "writeCatalogCsv");
  await writeWithSidecar(path, provenance, async (tmp) => {
    const fh = await open(tmp, "wx");
    try {
      await fh.write(`${names.map(field).join(",")}\n`);
      for (let r0 = 0; r0 < rows; r0 += batch) {
        const r1 = Math.min(rows, r0 + batch);
        const lines: string[] = [];
        for (let r = r0; r < r1; r++) {
          const cells: string[] = [];
          for (const c of cols) {
            const v = c[r];
            cells.push(typeof v === "bigint" ? v.toString() : Object.is(v, -0) ? "-0" : String(v));
          }
          lines.push(cells.join(","));
        }
        await fh.write(`${lines.join("\n")}\n`);
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
  });
  return { path, rows, provenancePath: `${path}.provenance.json` };
}
