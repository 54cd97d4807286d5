import type { LabelArray } from "./arrays.js";
import { type ContingencyTable, contingencyTable } from "./contingency.js";

/** Variation of information in bits: split = H(seg | gt), merge = H(gt | seg). */
export interface Voi {
  split: number;
  merge: number;
}

/**
 * Adapted Rand error with its precision and recall.
 * In the `cremi` convention precision = Σn²ᵢⱼ / Σ(seg sizes)² and recall = Σn²ᵢⱼ / Σ(gt sizes)²; in
 * the `skimage` convention the names are those scikit-image 0.19 gives (swapped: "precision" is
 * relative to the ground-truth sizes).
 */
export interface AdaptedRand {
  are: number;
  precision: number;
  recall: number;
}

/** Options shared by the metrics. */
export interface MetricOptions {
  /** Ground-truth ids whose voxels are left out (default `[0]`). */
  ignoreGt?: readonly number[];
}

/** Options of {@link adaptedRand}. */
export interface AdaptedRandOptions extends MetricOptions {
  /**
   * `cremi` (default): cremi_python's `adapted_rand` — gt label 0 ignored, segmentation label 0 counted
   * as singletons. `skimage`: scikit-image 0.19's `adapted_rand_error` — self-pairs subtracted from
   * every sum of squares, precision/recall named as skimage names them.
   */
  convention?: "cremi" | "skimage";
}

function ignored(ignore: readonly number[], id: number): boolean {
  for (let k = 0; k < ignore.length; k++) if (ignore[k] === id) return true;
  return false;
}

function marginals(table: ContingencyTable, ignore: readonly number[], skipSegZero: boolean) {
  const gtSizes = new Map<number, number>();
  const segSizes = new Map<number, number>();
  let total = 0;
  let pairSquares = 0;
  let segZero = 0;
  for (let e = 0; e < table.size; e++) {
    const g = table.gt[e];
    if (ignored(ignore, g)) continue;
    const s = table.seg[e];
    const n = table.count[e];
    total += n;
    gtSizes.set(g, (gtSizes.get(g) ?? 0) + n);
    if (skipSegZero && s === 0) {
      segZero += n;
      continue;
    }
    segSizes.set(s, (segSizes.get(s) ?? 0) + n);
    pairSquares += n * n;
  }
  return { gtSizes, segSizes, total, pairSquares, segZero };
}

function sumSquares(sizes: Map<number, number>): number {
  let sum = 0;
  for (const n of sizes.values()) sum += n * n;
  return sum;
}

/** Variation of information (bits) of a contingency table; gt ids in `ignoreGt` (default `[0]`) are left out. */
export function voiFromTable(table: ContingencyTable, options: MetricOptions = {}): Voi {
  const ignore = options.ignoreGt ?? [0];
  const { gtSizes, segSizes, total } = marginals(table, ignore, false);
  if (total === 0) return { split: 0, merge: 0 };
  let split = 0;
  let merge = 0;
  for (let e = 0; e < table.size; e++) {
    const g = table.gt[e];
    if (ignored(ignore, g)) continue;
    const n = table.count[e];
    const p = n / total;
    split -= p * Math.log2(n / (gtSizes.get(g) as number));
    merge -= p * Math.log2(n / (segSizes.get(table.seg[e]) as number));
  }
  return { split: split + 0, merge: merge + 0 };
}

/** Adapted Rand error of a contingency table, in the CREMI convention (default) or scikit-image's. */
export function adaptedRandFromTable(table: ContingencyTable, options: AdaptedRandOptions = {}): AdaptedRand {
  const ignore = options.ignoreGt ?? [0];
  if (options.convention === "skimage") {
    const { gtSizes, segSizes, total, pairSquares } = marginals(table, ignore, false);
    const p2 = pairSquares - total;
    const precision = p2 / (sumSquares(gtSizes) - total);
    const recall = p2 / (sumSquares(segSizes) - total);
    return { are: 1 - (2 * precision * recall) / (precision + recall), precision, recall };
  }
  const { gtSizes, segSizes, pairSquares, segZero } = marginals(table, ignore, true);
  const singletons = segZero / table.voxels;
  const sumAB = pairSquares + singletons;
  const precision = sumAB / (sumSquares(segSizes) + singletons);
  const recall = sumAB / sumSquares(gtSizes);
  return { are: 1 - (2 * precision * recall) / (precision + recall), precision, recall };
}

/** Variation of information (bits) of `seg` against `gt` (flat arrays of equal length). */
export function voi(seg: LabelArray, gt: LabelArray, options: MetricOptions = {}): Voi {
  return voiFromTable(contingencyTable(seg, gt), options);
}

/** Adapted Rand error of `seg` against `gt` (flat arrays of equal length). */
export function adaptedRand(seg: LabelArray, gt: LabelArray, options: AdaptedRandOptions = {}): AdaptedRand {
  return adaptedRandFromTable(contingencyTable(seg, gt), options);
}

/** CREMI score: sqrt(ARE · (VOI split + VOI merge)). */
export function cremiScore(are: number, voiResult: Voi): number {
  return Math.sqrt(are * (voiResult.split + voiResult.merge));
}
