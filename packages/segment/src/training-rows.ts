import { SegmentOptionsError, SegmentShapeError, SegmentValueError } from "./errors.js";

/** Throw a typed error naming `field` of `classifier`'s options unless `value` lies in [lo, hi] (an integer if `integer`). */
export function checkOption(
  classifier: string,
  field: string,
  value: number,
  lo: number,
  hi: number,
  integer: boolean,
): void {
  if (!(value >= lo && value <= hi) || (integer && !Number.isInteger(value))) {
    throw new SegmentOptionsError(`invalid ${classifier} option ${field}`, {
      field,
      expected: `${integer ? "an integer" : "a number"} in [${lo}, ${hi}]`,
      found: String(value),
    });
  }
}

/**
 * Check a classifier's training data: at least one row, rows of equal length, one label per row,
 * each 0 or 1 (typed errors naming the row). Returns the row length and the labels as bytes.
 */
export function checkTrainingRows(
  X: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
): { features: number; labels: Uint8Array } {
  const n = X.length;
  if (n === 0 || y.length !== n) {
    throw new SegmentShapeError("training rows and labels do not match", {
      field: "y",
      expected: `${n} labels for ${n} rows (at least one)`,
      found: `${y.length} labels`,
    });
  }
  const features = X[0].length;
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (X[i].length !== features) {
      throw new SegmentShapeError("training rows differ in length", {
        field: `X[${i}]`,
        expected: `${features} features`,
        found: `${X[i].length}`,
      });
    }
    if (y[i] !== 0 && y[i] !== 1) {
      throw new SegmentValueError("labels must be 0 or 1", {
        field: `y[${i}]`,
        expected: "0 or 1",
        found: String(y[i]),
      });
    }
    labels[i] = y[i];
  }
  return { features, labels };
}

/** Throw unless a row to predict has the classifier's `features` entries. */
export function checkRowLength(row: ArrayLike<number>, features: number): void {
  if (row.length !== features) {
    throw new SegmentShapeError("feature row has the wrong length", {
      field: "row",
      expected: `${features} features`,
      found: `${row.length}`,
    });
  }
}
