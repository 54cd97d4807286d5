import { type IntegerTypedArray, isIntegerTypedArray } from "@tessera/volume";
import { InvalidLabelsError } from "./errors.js";

/** Integer typed arrays accepted as label volumes. */
export type LabelArray = IntegerTypedArray;

/**
 * Check that `data` is an integer label array of `shape` (z, y, x) and return it; floats, wrong
 * lengths and bad shapes raise {@link InvalidLabelsError} naming expected and found.
 */
export function checkLabelArray(
  data: ArrayLike<number | bigint>,
  shape: readonly number[],
  path?: string,
): LabelArray {
  if (!isIntegerTypedArray(data)) {
    throw new InvalidLabelsError("labels must be an integer array", {
      path,
      field: "dtype",
      expected: "uint8/16/32/64 or int8/16/32/64",
      found: (data as object).constructor?.name ?? typeof data,
    });
  }
  if (shape.length !== 3 || shape.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new InvalidLabelsError("labels must be a 3D volume", {
      path,
      field: "shape",
      expected: "[z, y, x] of non-negative integers",
      found: JSON.stringify(shape),
    });
  }
  const n = shape[0] * shape[1] * shape[2];
  if (data.length !== n) {
    throw new InvalidLabelsError("label array length does not match its shape", {
      path,
      field: "shape",
      expected: `${n} elements for ${JSON.stringify(shape)}`,
      found: `${data.length}`,
    });
  }
  return data as LabelArray;
}
