/**
 * Columnar halo catalogs: one typed array per column, all of the same length (one row per halo or
 * particle), and the errors of the reductions.
 */
import { HaloError } from "../errors.js";
import type { GenericIOArray } from "../genericio/format.js";

/** One column of a catalog: a typed array (64-bit integers as BigInt64Array / BigUint64Array). */
export type CatalogColumn = GenericIOArray;

/** A columnar catalog: column name → typed array, every column the same length. */
export type Catalog = Record<string, CatalogColumn>;

/** Bad input to a catalog reduction; `field`, `expected` and `found` say what was wrong. */
export class ReduceError extends HaloError {}

/** A column asked for is not in the catalog. */
export class UnknownColumnError extends ReduceError {}

/** True for the typed arrays a catalog column may be. */
export function isCatalogColumn(a: unknown): a is CatalogColumn {
  return (
    a instanceof Float32Array ||
    a instanceof Float64Array ||
    a instanceof Int8Array ||
    a instanceof Int16Array ||
    a instanceof Int32Array ||
    a instanceof BigInt64Array ||
    a instanceof Uint8Array ||
    a instanceof Uint16Array ||
    a instanceof Uint32Array ||
    a instanceof BigUint64Array
  );
}

/**
 * Number of rows of `catalog` (0 for a catalog without columns).
 * @throws ReduceError when a column is not a typed array or the lengths differ (naming the column).
 */
export function catalogRows(catalog: Catalog, field = "columns"): number {
  if (catalog === null || typeof catalog !== "object") {
    throw new ReduceError("a catalog must be an object of typed arrays", {
      field,
      expected: "Record<string, TypedArray>",
      found: String(catalog),
    });
  }
  let rows: number | undefined;
  let first = "";
  for (const [name, col] of Object.entries(catalog)) {
    if (!isCatalogColumn(col)) {
      throw new ReduceError("a catalog column must be a typed array", {
        field: `${field}.${name}`,
        expected: "a numeric typed array",
        found: col === null || col === undefined ? String(col) : Object.prototype.toString.call(col),
      });
    }
    if (rows === undefined) {
      rows = col.length;
      first = name;
    } else if (col.length !== rows) {
      throw new ReduceError("catalog columns must all have the same length", {
        field: `${field}.${name}`,
        expected: `${rows} rows (like ${first})`,
        found: `${col.length} rows`,
      });
    }
  }
  return rows ?? 0;
}

/** The column `name` of `catalog`; throws {@link UnknownColumnError} listing the columns there are. */
export function catalogColumn(catalog: Catalog, name: string, field = "column"): CatalogColumn {
  const col = Object.hasOwn(catalog, name) ? catalog[name] : undefined;
  if (col === undefined) {
    throw new UnknownColumnError(`no column ${JSON.stringify(name)} in the catalog`, {
      field,
      expected: `one of ${Object.keys(catalog).join(", ") || "(no columns)"}`,
      found: name,
    });
  }
  return col;
}

/** A new catalog holding rows `rows` (ascending indices) of every column, in the same order. */
export function takeRows(catalog: Catalog, rows: Int32Array): Catalog {
  const out: Catalog = {};
  for (const [name, col] of Object.entries(catalog)) {
    const Ctor = col.constructor as new (n: number) => CatalogColumn;
    const dst = new Ctor(rows.length);
    if (dst instanceof BigInt64Array || dst instanceof BigUint64Array) {
      const src = col as BigInt64Array;
      for (let k = 0; k < rows.length; k++) (dst as BigInt64Array)[k] = src[rows[k]];
    } else {
      const src = col as Float64Array;
      const d = dst as Float64Array;
      for (let k = 0; k < rows.length; k++) d[k] = src[rows[k]];
    }
    out[name] = dst;
  }
  return out;
}
