import type { Agglomeration } from "./agglomerate.js";
import { agglomerateFeatureTable, checkProbabilityThresholds } from "./agglomerate-feature-table.js";
import { type AgglomerationModel, checkAgglomerationModel } from "./agglomeration-model.js";
import { edgeFeatures } from "./edge-features.js";
import { SegmentOptionsError } from "./errors.js";
import { modelInputWarning } from "./model-input-check.js";

/** Options of {@link agglomerateWithModel}. */
export interface AgglomerateWithModelOptions {
  /** Merge while the merge probability is ≥ this (default 0.5). */
  threshold?: number;
  /** Several probability thresholds in one pass (overrides `threshold`). */
  thresholds?: readonly number[];
  /** Raw image (same shape); required when the model was trained with one. */
  raw?: ArrayLike<number>;
  /** Called with {@link modelInputWarning}'s message when the inputs look unlike the training data. */
  onWarning?: (message: string) => void;
}

/**
 * Agglomerate `fragments` with a learned model ({@link learnAgglomeration}): edge features over
 * `boundaries` (+ `raw`), then merge the edge of highest merge probability while it is ≥ the
 * threshold; a merge combines the accumulators of the merged regions' edges (no voxel rescans) and
 * scores every edge of the merged region again (through {@link ModelScorer}'s exact cache). The result's `thresholds` are the probability
 * thresholds in **descending** order (each a later stop of the same merge sequence), so apply it with
 * {@link applyAgglomeration}. Deterministic: ties go to the edge of lower fragment ids.
 */
export function agglomerateWithModel(
  fragments: ArrayLike<number>,
  boundaries: ArrayLike<number>,
  shape: readonly number[],
  model: AgglomerationModel,
  options: AgglomerateWithModelOptions = {},
): Agglomeration {
  checkAgglomerationModel(model);
  const thresholds = checkProbabilityThresholds(options.thresholds ?? [options.threshold ?? 0.5]);
  if (model.featureOptions.raw && options.raw === undefined) {
    throw new SegmentOptionsError("the model was trained with a raw image: pass one", {
      field: "raw",
      expected: "a raw image of the same shape",
      found: "none",
    });
  }
  const table = edgeFeatures(fragments, boundaries, shape, {
    bins: model.featureOptions.bins,
    raw: model.featureOptions.raw ? options.raw : undefined,
    rawRange: model.featureOptions.rawRange,
  });
  const warning = modelInputWarning(model, table);
  if (warning) options.onWarning?.(warning);
  // the table is ours: merge it in place
  return agglomerateFeatureTable(table, model, thresholds, undefined, { inPlace: true });
}
