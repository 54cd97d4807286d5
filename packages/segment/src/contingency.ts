import { checkLabels, type LabelArray, labelsAsNumbers } from "./arrays.js";
import { SegmentShapeError } from "./errors.js";
import { PairCounter } from "./pair-counter.js";

/** Sparse contingency table of two label volumes: one entry per (gt id, seg id) pair that overlaps. */
export interface ContingencyTable {
  /** Ground-truth id of each entry. */
  gt: Float64Array;
  /** Segmentation id of each entry. */
  seg: Float64Array;
  /** Number of voxels of each entry. */
  count: Float64Array;
  /** Number of entries. */
  size: number;
  /** Number of voxels of the volumes (including those of ignored labels). */
  voxels: number;
}

function countRuns(
  gt: ArrayLike<number>,
  seg: ArrayLike<number>,
  mask: Uint8Array | undefined,
  table: PairCounter,
): void {
  const n = gt.length;
  let i = 0;
  while (i < n) {
    if (mask !== undefined && mask[i] === 0) {
      i++;
      continue;
    }
    const g = gt[i];
    const s = seg[i];
    let j = i + 1;
    if (mask === undefined) {
      while (j < n && gt[j] === g && seg[j] === s) j++;
    } else {
      while (j < n && gt[j] === g && seg[j] === s && mask[j] !== 0) j++;
    }
    table.add(g, s, j - i);
    i = j;
  }
}

/**
 * Count the voxels of every (ground truth, segmentation) label pair. Runs of equal pairs along the
 * flat C order are counted at once, so the cost is one pass plus one hash update per run.
 * Voxels where `mask` is 0 are left out. Throws on float labels or differing lengths.
 */
export function contingencyTable(seg: LabelArray, gt: LabelArray, mask?: Uint8Array): ContingencyTable {
  checkLabels(seg, "segmentation");
  checkLabels(gt, "ground truth");
  if (seg.length !== gt.length || (mask !== undefined && mask.length !== gt.length)) {
    throw new SegmentShapeError("segmentation and ground truth differ in size", {
      field: mask !== undefined && mask.length !== gt.length ? "mask" : "segmentation",
      expected: `${gt.length} voxels (as the ground truth)`,
      found: `${mask !== undefined && mask.length !== gt.length ? mask.length : seg.length} voxels`,
    });
  }
  const table = new PairCounter(4096);
  countRuns(labelsAsNumbers(gt, "ground truth"), labelsAsNumbers(seg, "segmentation"), mask, table);
  return {
    gt: table.a.subarray(0, table.size),
    seg: table.b.subarray(0, table.size),
    count: table.count.subarray(0, table.size),
    size: table.size,
    voxels: gt.length,
  };
}
