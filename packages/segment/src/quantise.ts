import { checkFinite, type ScalarArray } from "./arrays.js";
import { SegmentDtypeError, SegmentOptionsError } from "./errors.js";

/** A scalar map as integer levels for a bucket queue. */
export interface Quantised {
  /** Level of each voxel, 0..levels−1, order-preserving. */
  values: Uint8Array | Uint16Array;
  /** Number of levels (256 or 65536 for integer inputs, the asked number for floats). */
  levels: number;
}

/**
 * Integer levels of a scalar map, preserving order: Uint8/Uint16 maps are used as they are; float maps
 * are mapped linearly from [min, max] onto `levels` levels (default 65536), so values closer than
 * (max − min)/(levels − 1) may tie. Throws on NaN or infinite values.
 */
export function quantise(map: ScalarArray, levels = 65536, field = "boundaries"): Quantised {
  if (map instanceof Uint8Array) return { values: map, levels: 256 };
  if (map instanceof Uint16Array) return { values: map, levels: 65536 };
  if (!(map instanceof Float32Array || map instanceof Float64Array)) {
    throw new SegmentDtypeError(`${field} must be a Uint8, Uint16, Float32 or Float64 array`, {
      field,
      expected: "Uint8Array, Uint16Array, Float32Array or Float64Array",
      found: String((map as object)?.constructor?.name ?? typeof map),
    });
  }
  if (!Number.isInteger(levels) || levels < 2 || levels > 65536) {
    throw new SegmentOptionsError("invalid number of levels", {
      field: "levels",
      expected: "an integer in [2, 65536]",
      found: String(levels),
    });
  }
  checkFinite(map, field);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const values = levels <= 256 ? new Uint8Array(map.length) : new Uint16Array(map.length);
  if (!(max > min)) return { values, levels };
  const scale = (levels - 1) / (max - min);
  for (let i = 0; i < map.length; i++) values[i] = Math.round((map[i] - min) * scale);
  return { values, levels };
}
