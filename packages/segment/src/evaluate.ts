import { checkLabels, type LabelArray } from "./arrays.js";
import { cremiBorderMask } from "./border-mask.js";
import { contingencyTable } from "./contingency.js";
import { SegmentOptionsError } from "./errors.js";
import { adaptedRandFromTable, cremiScore, voiFromTable } from "./metrics.js";

/** Options of {@link evaluateSegmentation}. */
export interface EvaluateOptions {
  /** Volume shape `[z, y, x]`; needed only with a border mask. */
  shape?: readonly [number, number, number];
  /** Adapted Rand convention (default `cremi`). */
  convention?: "cremi" | "skimage";
  /** Ground-truth ids left out (default `[0]`). */
  ignoreGt?: readonly number[];
  /** CREMI border mask radius in nm (voxels near gt boundaries are left out); none by default. */
  borderThresholdNm?: number;
  /** Voxel size `[z, y, x]` in nm, for `borderThresholdNm`. */
  resolutionNm?: readonly [number, number, number];
}

/** Scores of a segmentation against ground truth. */
export interface SegmentationScores {
  /** H(seg | gt), bits. */
  voiSplit: number;
  /** H(gt | seg), bits. */
  voiMerge: number;
  /** Adapted Rand error. */
  are: number;
  /** Precision of the adapted Rand error (see {@link AdaptedRand}). */
  precision: number;
  /** Recall of the adapted Rand error. */
  recall: number;
  /** sqrt(ARE · (VOI split + VOI merge)). */
  cremiScore: number;
  /** Voxels scored (gt not ignored, not masked). */
  voxelsScored: number;
}

/**
 * Score `seg` against `gt`: VOI split/merge (bits), adapted Rand error and CREMI score, from one
 * contingency table. With `borderThresholdNm`, CREMI's border mask leaves out voxels near gt boundaries.
 */
export function evaluateSegmentation(
  seg: LabelArray,
  gt: LabelArray,
  options: EvaluateOptions = {},
): SegmentationScores {
  checkLabels(seg, "segmentation");
  checkLabels(gt, "ground truth");
  let keep: Uint8Array | undefined;
  if (options.borderThresholdNm !== undefined) {
    if (options.shape === undefined) {
      throw new SegmentOptionsError("a border mask needs the volume shape", {
        field: "shape",
        expected: "[z, y, x]",
        found: "undefined",
      });
    }
    const masked = cremiBorderMask(gt, options.shape, {
      borderThresholdNm: options.borderThresholdNm,
      resolutionNm: options.resolutionNm,
    });
    keep = masked;
    for (let i = 0; i < masked.length; i++) keep[i] = masked[i] ^ 1;
  }
  const table = contingencyTable(seg, gt, keep);
  const ignoreGt = options.ignoreGt ?? [0];
  const v = voiFromTable(table, { ignoreGt });
  const rand = adaptedRandFromTable(table, { ignoreGt, convention: options.convention });
  let voxelsScored = 0;
  for (let e = 0; e < table.size; e++) if (!ignoreGt.includes(table.gt[e])) voxelsScored += table.count[e];
  return {
    voiSplit: v.split,
    voiMerge: v.merge,
    are: rand.are,
    precision: rand.precision,
    recall: rand.recall,
    cremiScore: cremiScore(rand.are, v),
    voxelsScored,
  };
}
