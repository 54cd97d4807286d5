import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type CompressorConfig, validateCompressor } from "./compressor.js";
import { type DataType, isBigIntDtype, parseZarrTypestr, zarrTypestr } from "./dtype.js";
import { NotAZarrArrayError, UnsupportedCompressorError } from "./errors.js";

/** Attributes Tessera keeps in `.zattrs` (any other JSON keys are kept as they are). */
export interface VolumeAttrs {
  /** Voxel size in nm, one per spatial axis (z, y, x). */
  resolution?: number[];
  /** World offset in nm of voxel 0 (z, y, x). */
  offset?: number[];
  /** Axis names, e.g. `["z","y","x"]` or `["c","z","y","x"]`. */
  axes?: string[];
  /** Free-form provenance: what wrote the array, from what, with which options. */
  provenance?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The parts of a zarr v2 `.zarray` that Tessera uses, validated. */
export interface ZarrArrayMetadata {
  shape: number[];
  chunks: number[];
  dtype: DataType;
  littleEndian: boolean;
  compressor: CompressorConfig | null;
  fillValue: number | bigint;
  order: "C" | "F";
  dimensionSeparator: "." | "/";
  /** True when `.zarray` lists filters (readable through zarrita, not writable by Tessera). */
  hasFilters: boolean;
}

function parseFill(value: unknown, dtype: DataType): number | bigint {
  if (value === null || value === undefined) return isBigIntDtype(dtype) ? 0n : 0;
  if (value === "NaN") return Number.NaN;
  if (value === "Infinity") return Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return Number.NEGATIVE_INFINITY;
  if (typeof value === "number") return isBigIntDtype(dtype) ? BigInt(value) : value;
  if (typeof value === "bigint") return value;
  if (typeof value === "string" && value.startsWith(EXACT_INTEGER)) {
    const digits = value.slice(EXACT_INTEGER.length);
    return isBigIntDtype(dtype) ? BigInt(digits) : Number(digits);
  }
  return 0;
}

/**
 * Marks a `fill_value` integer too long for a float64, kept as its digits by {@link readJsonFile}
 * (64-bit fill values such as 2^63 + 5 must never pass through a float64).
 */
const EXACT_INTEGER = "\u0000integer:";

function isIntArray(value: unknown, minimum: number): value is number[] {
  return Array.isArray(value) && value.every((v) => Number.isInteger(v) && v >= minimum);
}

/** Parse and check the JSON of a `.zarray`; throws a {@link VolumeError} subclass naming the field at fault. */
export function parseZarray(json: unknown, path: string): ZarrArrayMetadata {
  const meta = json as Record<string, unknown>;
  const where = join(path, ".zarray");
  if (typeof meta !== "object" || meta === null || meta.zarr_format !== 2) {
    throw new NotAZarrArrayError("not a zarr v2 array", {
      path: where,
      field: "zarr_format",
      expected: "2",
      found: JSON.stringify(meta?.zarr_format),
    });
  }
  if (!isIntArray(meta.shape, 0)) {
    throw new NotAZarrArrayError("invalid shape", {
      path: where,
      field: "shape",
      expected: "array of non-negative integers",
      found: JSON.stringify(meta.shape),
    });
  }
  if (!isIntArray(meta.chunks, 1) || meta.chunks.length !== meta.shape.length) {
    throw new NotAZarrArrayError("invalid chunks", {
      path: where,
      field: "chunks",
      expected: `${meta.shape.length} positive integers`,
      found: JSON.stringify(meta.chunks),
    });
  }
  const { dtype, littleEndian } = parseZarrTypestr(meta.dtype, where);
  const compressor = validateCompressor(meta.compressor, where);
  const order = meta.order ?? "C";
  if (order !== "C" && order !== "F") {
    throw new NotAZarrArrayError("invalid order", {
      path: where,
      field: "order",
      expected: '"C" or "F"',
      found: JSON.stringify(order),
    });
  }
  const separator = meta.dimension_separator ?? ".";
  if (separator !== "." && separator !== "/") {
    throw new UnsupportedCompressorError("invalid dimension separator", {
      path: where,
      field: "dimension_separator",
      expected: '"." or "/"',
      found: JSON.stringify(separator),
    });
  }
  return {
    shape: meta.shape,
    chunks: meta.chunks,
    dtype,
    littleEndian,
    compressor,
    fillValue: parseFill(meta.fill_value, dtype),
    order,
    dimensionSeparator: separator,
    hasFilters: Array.isArray(meta.filters) && meta.filters.length > 0,
  };
}

/** The `.zarray` JSON Tessera writes for `meta` (C order, little-endian, no filters). */
export function formatZarray(meta: ZarrArrayMetadata): string {
  const fill = meta.fillValue;
  const fillJson =
    typeof fill === "bigint"
      ? `${EXACT_INTEGER}${fill}`
      : Number.isNaN(fill)
        ? "NaN"
        : fill === Number.POSITIVE_INFINITY
          ? "Infinity"
          : fill === Number.NEGATIVE_INFINITY
            ? "-Infinity"
            : fill;
  const json = `${JSON.stringify(
    {
      zarr_format: 2,
      shape: meta.shape,
      chunks: meta.chunks,
      dtype: zarrTypestr(meta.dtype),
      compressor: meta.compressor,
      fill_value: fillJson,
      order: "C",
      filters: null,
      dimension_separator: meta.dimensionSeparator,
    },
    null,
    2,
  )}\n`;
  // 64-bit fill values as exact JSON integers (the digits, not a float64's)
  return json.replace(/"\\u0000integer:(-?\d+)"/, "$1");
}

/** Read and parse a JSON metadata file, or return undefined when it does not exist. */
export async function readJsonFile(path: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === "ENOENT" ||
      (error as NodeJS.ErrnoException).code === "ENOTDIR"
    )
      return undefined;
    throw error;
  }
  try {
    // keep long integer fill values exact: JSON.parse would round them to a float64
    return JSON.parse(text.replace(/("fill_value"\s*:\s*)(-?\d{16,})(?=\s*[,}])/, '$1"\\u0000integer:$2"'));
  } catch (error) {
    throw new NotAZarrArrayError("metadata is not valid JSON", {
      path,
      expected: "a JSON object",
      found: text.slice(0, 60),
      cause: error,
    });
  }
}
