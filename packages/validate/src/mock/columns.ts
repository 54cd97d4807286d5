/** Checks of the halo columns and numeric options the mock-galaxy step reads. */
import { MockGalaxyError } from "./errors.js";
import type { IdColumn } from "./random.js";

/** A numeric column (64-bit integers allowed only for ids). */
export type NumericColumn =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/** A halo catalog: column name → typed array, one row per halo (as `@tessera/halo` writes them). */
export type HaloColumns = Record<string, ArrayLike<number> | ArrayLike<bigint>>;

const NUMBER_ARRAYS = [
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
];

/** The numeric column `name` of `halos`, of length `rows` when given. */
export function numericColumn(halos: HaloColumns, name: string, rows?: number): NumericColumn {
  const col = halos?.[name];
  if (!NUMBER_ARRAYS.some((T) => col instanceof T)) {
    throw new MockGalaxyError(
      col === undefined ? "the halo catalog lacks a column" : "a halo column has the wrong type",
      {
        field: `halos.${name}`,
        expected: "a Float32Array/Float64Array (or other number typed array)",
        found: col === undefined ? "no such column" : Object.prototype.toString.call(col),
      },
    );
  }
  const c = col as NumericColumn;
  if (rows !== undefined && c.length !== rows) {
    throw new MockGalaxyError("halo columns differ in length", {
      field: `halos.${name}`,
      expected: `${rows} rows (as the id column)`,
      found: `${c.length} rows`,
    });
  }
  return c;
}

/** The id column `name`: 64-bit integer arrays, or number arrays holding integers below 2⁵³. */
export function idColumn(halos: HaloColumns, name: string): IdColumn {
  const col = halos?.[name];
  if (col instanceof BigInt64Array || col instanceof BigUint64Array) return col;
  const c = numericColumn(halos, name);
  for (let i = 0; i < c.length; i++) {
    const v = c[i];
    if (!Number.isSafeInteger(v)) {
      throw new MockGalaxyError("halo ids must be integers", {
        field: `halos.${name}[${i}]`,
        expected: "an integer below 2^53 in magnitude (or a BigInt64Array column)",
        found: String(v),
      });
    }
  }
  return c;
}

/** A finite number in [min, max] (inclusive), or throw naming the option. */
export function checkNumber(value: unknown, field: string, min: number, max: number, what?: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new MockGalaxyError("an option is out of range", {
      field,
      expected: what ?? `a finite number in [${min}, ${max}]`,
      found: String(value),
    });
  }
  return value;
}

/** An integer seed in [0, 2³²). */
export function checkSeed(value: unknown, field = "seed"): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value >= 4294967296) {
    throw new MockGalaxyError("the seed must be an integer in [0, 2^32)", {
      field,
      expected: "an integer in [0, 4294967295]",
      found: String(value),
    });
  }
  return value;
}
