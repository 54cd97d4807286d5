import type { Agglomeration } from "./agglomerate.js";
import { type AgglomerationModel, checkAgglomerationModel } from "./agglomeration-model.js";
import { RandomForestClassifier } from "./edge-classifier.js";
import { edgeFeatureNames } from "./edge-feature-vector.js";
import { edgeFeatures } from "./edge-features.js";
import { SegmentOptionsError } from "./errors.js";
import { FeatureAgglomerator } from "./feature-agglomerator.js";
import { ModelScorer } from "./model-scorer.js";

/** Options of {@link agglomerateWithModel}. */
export interface AgglomerateWithModelOptions {
  /** Merge while the merge probability is ≥ this (default 0.5). */
  threshold?: number;
  /** Several probability thresholds in one pass (overrides `threshold`). */
  thresholds?: readonly number[];
  /** Raw image (same shape); required when the model was trained with one. */
  raw?: ArrayLike<number>;
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
  const thresholds = [...(options.thresholds ?? [options.threshold ?? 0.5])].sort((a, b) => b - a);
  if (thresholds.length === 0 || thresholds.some((t) => !(t >= 0 && t <= 1))) {
    throw new SegmentOptionsError("invalid merge probability thresholds", {
      field: "thresholds",
      expected: "numbers in [0, 1]",
      found: JSON.stringify(options.thresholds ?? options.threshold),
    });
  }
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
  const names = edgeFeatureNames(table);
  if (names.length !== model.features.length || names.some((name, k) => name !== model.features[k])) {
    throw new SegmentOptionsError("the model's features are not those of these inputs", {
      field: "features",
      expected: `${model.features.length} features (${model.features.slice(0, 3).join(", ")}, …)`,
      found: `${names.length} features (${names.slice(0, 3).join(", ")}, …)`,
    });
  }
  const forest = RandomForestClassifier.fromJSON(model.classifier);
  const agg = new FeatureAgglomerator(table);
  const scorer = new ModelScorer(forest, agg.table, names);
  // score = −p: the lowest score pops first
  agg.start((e) => -scorer.probability(e));
  const segments: Float64Array[] = [];
  const merges: number[] = [];
  let fragmentIds: Float64Array = new Float64Array(0);
  for (const threshold of thresholds) {
    agg.mergeUpTo(-threshold);
    const result = agg.segments();
    fragmentIds = result.fragmentIds;
    segments.push(result.segments);
    merges.push(agg.merges);
  }
  return { thresholds, fragmentIds, segments, merges };
}
