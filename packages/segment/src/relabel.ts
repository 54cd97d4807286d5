import { checkLabels, type LabelArray, labelsAsNumbers } from "./arrays.js";
import { SegmentValueError } from "./errors.js";

/** Result of {@link relabelConsecutive}. */
export interface Relabelled {
  /** New labels: 0 stays 0, other ids become 1..count in increasing order of the old ids. */
  labels: Uint32Array;
  /** Number of non-zero ids. */
  count: number;
  /** `oldIds[k - 1]` is the old id of new id k. */
  oldIds: Float64Array;
}

const DENSE_LIMIT = 1 << 24;

/**
 * Map the non-zero ids of `labels` to 1..count, keeping their order (as skimage's `relabel_sequential`),
 * 0 stays background. Returns u32 labels; throws when more than 2^32 − 1 ids are present.
 */
export function relabelConsecutive(labels: LabelArray): Relabelled {
  checkLabels(labels, "labels");
  const data = labelsAsNumbers(labels, "labels");
  const n = data.length;
  let max = 0;
  let min = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v > max) max = v;
    if (v < min) min = v;
  }
  if (min < 0) {
    throw new SegmentValueError("labels must be non-negative", {
      field: "labels",
      expected: "ids ≥ 0",
      found: String(min),
    });
  }
  const out = new Uint32Array(n);
  if (max < DENSE_LIMIT) {
    const lut = new Uint32Array(max + 1);
    for (let i = 0; i < n; i++) lut[data[i]] = 1;
    let count = 0;
    const oldIds: number[] = [];
    for (let v = 1; v <= max; v++) {
      if (lut[v] !== 0) {
        lut[v] = ++count;
        oldIds.push(v);
      }
    }
    lut[0] = 0;
    for (let i = 0; i < n; i++) out[i] = lut[data[i]];
    return { labels: out, count, oldIds: Float64Array.from(oldIds) };
  }
  const seen = new Set<number>();
  let prev = -1;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v !== prev && v !== 0) seen.add(v);
    prev = v;
  }
  const oldIds = Float64Array.from(seen).sort();
  if (oldIds.length >= 2 ** 32) {
    throw new SegmentValueError("too many ids for u32 labels", {
      field: "labels",
      expected: "< 2^32 distinct ids",
      found: String(oldIds.length),
    });
  }
  const map = new Map<number, number>();
  oldIds.forEach((v, k) => {
    map.set(v, k + 1);
  });
  prev = -1;
  let mapped = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v !== prev) {
      mapped = v === 0 ? 0 : (map.get(v) as number);
      prev = v;
    }
    out[i] = mapped;
  }
  return { labels: out, count: oldIds.length, oldIds };
}
