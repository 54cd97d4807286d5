import { type IntegerTypedArray, isIntegerTypedArray } from "@tessera/volume";
import { SegmentDtypeError, SegmentShapeError, SegmentValueError } from "./errors.js";

/** Volume shape `[z, y, x]` (a 2-D image is `[1, y, x]`). */
export type Shape3 = readonly [number, number, number];

/** Integer typed arrays accepted as labels (ids; 0 is background unless a function says otherwise). */
export type LabelArray = IntegerTypedArray;

/** Number-valued label arrays (everything in {@link LabelArray} but the 64-bit ones). */
export type NumberLabelArray = Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array;

/** Arrays accepted as scalar maps (boundary probabilities, distances, intensities). */
export type ScalarArray = Uint8Array | Uint16Array | Float32Array | Float64Array;

/** Number of voxels of a shape. */
export function voxelCount(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Throw {@link SegmentShapeError} unless `shape` is three non-negative integers. */
export function checkShape(shape: readonly number[], field = "shape"): Shape3 {
  if (shape.length !== 3 || shape.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new SegmentShapeError("invalid shape", {
      field,
      expected: "[z, y, x], three non-negative integers",
      found: JSON.stringify(shape),
    });
  }
  return shape as unknown as Shape3;
}

/** Throw {@link SegmentShapeError} unless `array` holds exactly `voxelCount(shape) * channels` values. */
export function checkLength(
  array: { length: number },
  shape: readonly number[],
  field: string,
  channels = 1,
): void {
  const n = voxelCount(shape) * channels;
  if (array.length !== n) {
    const prefix = channels === 1 ? "" : `${channels}×`;
    throw new SegmentShapeError(`${field} does not match the shape`, {
      field,
      expected: `${n} values (${prefix}${shape.join("×")})`,
      found: `${array.length} values`,
    });
  }
}

/** Throw {@link SegmentDtypeError} unless `array` is an integer typed array (labels). */
export function checkLabels(array: unknown, field: string): asserts array is LabelArray {
  if (isIntegerTypedArray(array)) return;
  const found =
    array instanceof Float32Array || array instanceof Float64Array
      ? `${array.constructor.name} (a float dtype)`
      : String((array as object)?.constructor?.name ?? typeof array);
  throw new SegmentDtypeError("labels must have an integer dtype", {
    field,
    expected: "Uint8/16/32, Int8/16/32 or (Big)Uint64/Int64 array",
    found,
  });
}

/** Throw {@link SegmentValueError} at the first NaN or infinite value of a float array. */
export function checkFinite(array: ArrayLike<number>, field: string): void {
  if (array instanceof Float32Array) {
    // exponent bits all ones ⇔ NaN or ±Infinity: test the bit patterns, no float conversions
    const words = new Uint32Array(array.buffer, array.byteOffset, array.length);
    if (!allExponentsFinite(words, 1, 23, 0xff)) throwNonFinite(array, field);
  } else if (array instanceof Float64Array) {
    // the high word (little-endian: odd index) holds sign, exponent and the top of the mantissa
    const words = new Uint32Array(array.buffer, array.byteOffset, array.length * 2);
    if (!allExponentsFinite(words.subarray(1), 2, 20, 0x7ff)) throwNonFinite(array, field);
  }
}

/**
 * True unless the exponent field (`mask` after shifting right by `shift`) of some word (every
 * `stride`-th) is all ones. `exponent + 1` reaches bit `mask + 1` exactly for an all-ones exponent, so
 * OR-ing the sums tests every word without a branch.
 */
function allExponentsFinite(words: Uint32Array, stride: number, shift: number, mask: number): boolean {
  let bad = 0;
  const n = words.length;
  for (let i = 0; i < n; i += stride) bad |= ((words[i] >>> shift) & mask) + 1;
  return (bad & (mask + 1)) === 0;
}

function throwNonFinite(array: Float32Array | Float64Array, field: string): never {
  let i = 0;
  while (i < array.length && array[i] - array[i] === 0) i++;
  throw new SegmentValueError(`${field} holds a non-finite value`, {
    field,
    expected: "finite numbers",
    found: `${array[i]} at flat index ${i}`,
  });
}

/**
 * Labels as a number-valued array: returned as is unless 64-bit, in which case values must fit in
 * 2^53 and are copied to a Float64Array (ids stay exact).
 */
export function labelsAsNumbers(labels: LabelArray, field: string): NumberLabelArray | Float64Array {
  if (!(labels instanceof BigUint64Array || labels instanceof BigInt64Array)) return labels;
  const out = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (v < 0n || v > 9007199254740991n) {
      throw new SegmentValueError("64-bit label out of the exactly representable range", {
        field,
        expected: "ids in [0, 2^53)",
        found: `${v} at flat index ${i}`,
      });
    }
    out[i] = Number(v);
  }
  return out;
}
