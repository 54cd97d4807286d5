/** Row selection by mass range and column selection over columnar catalogs. */
import { type Catalog, catalogColumn, catalogRows, ReduceError, takeRows } from "./catalog.js";

/** Options of {@link massCut}. */
export interface MassCutOptions {
  /** Lowest mass kept (inclusive); default no lower bound. */
  min?: number;
  /** Mass bound kept below (exclusive); default no upper bound. */
  max?: number;
  /** Column holding the mass (default `fof_halo_mass`). */
  column?: string;
}

/**
 * The rows of `catalog` with `min ≤ column < max`, every column kept and aligned (row order is
 * preserved). The bounds are compared with the stored values (a float32 column holds fround(M), so
 * a bound of 5e12 excludes a stored fround(5e12) = 4999999913984: pass `Math.fround(5e12)` to keep
 * it). NaN masses are never kept; 64-bit integer columns are compared as numbers.
 * @throws UnknownColumnError for a missing mass column; ReduceError for misaligned columns or bounds
 *   that are not numbers (or min > max).
 */
export function massCut(catalog: Catalog, options: MassCutOptions = {}): Catalog {
  const n = catalogRows(catalog);
  const name = options.column ?? "fof_halo_mass";
  const col = catalogColumn(catalog, name);
  const min = options.min ?? Number.NEGATIVE_INFINITY;
  const max = options.max ?? Number.POSITIVE_INFINITY;
  for (const [field, v] of [
    ["min", min],
    ["max", max],
  ] as const) {
    if (typeof v !== "number" || Number.isNaN(v)) {
      throw new ReduceError(`the mass bound ${field} must be a number`, {
        field,
        expected: "a number (or omitted)",
        found: String(v),
      });
    }
  }
  if (min > max) {
    throw new ReduceError("the mass range is empty", {
      field: "min",
      expected: `≤ max (${max})`,
      found: String(min),
    });
  }
  const keep = new Int32Array(n);
  let k = 0;
  if (col instanceof BigInt64Array || col instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) {
      const v = Number(col[i]);
      if (v >= min && v < max) keep[k++] = i;
    }
  } else {
    const c = col as Float64Array;
    for (let i = 0; i < n; i++) {
      const v = c[i];
      if (v >= min && v < max) keep[k++] = i;
    }
  }
  return takeRows(catalog, keep.subarray(0, k));
}

/**
 * A catalog holding only the columns `names`, in that order (the arrays are shared, not copied).
 * @throws UnknownColumnError naming the first missing column; ReduceError for a repeated name.
 */
export function selectColumns(catalog: Catalog, names: readonly string[]): Catalog {
  catalogRows(catalog);
  const out: Catalog = {};
  names.forEach((name, i) => {
    if (Object.hasOwn(out, name)) {
      throw new ReduceError("a column is named twice", {
        field: `names[${i}]`,
        expected: "distinct names",
        found: name,
      });
    }
    out[name] = catalogColumn(catalog, name, `names[${i}]`);
  });
  return out;
}
