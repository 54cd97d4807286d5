import type { Agglomeration } from "./agglomerate.js";
import { type AgglomerationModel, checkAgglomerationModel } from "./agglomeration-model.js";
import { edgeClassifierFromJSON } from "./edge-classifiers.js";
import { edgeFeatureNames } from "./edge-feature-vector.js";
import type { EdgeFeatureTable } from "./edge-features.js";
import { SegmentOptionsError } from "./errors.js";
import { FeatureAgglomerator } from "./feature-agglomerator.js";
import { ModelScorer } from "./model-scorer.js";

/** Probability thresholds, checked, in descending order (each a later stop of one merge sequence). */
export function checkProbabilityThresholds(thresholds: readonly number[]): number[] {
  const sorted = [...thresholds].sort((a, b) => b - a);
  if (sorted.length === 0 || sorted.some((t) => !(t >= 0 && t <= 1))) {
    throw new SegmentOptionsError("invalid merge probability thresholds", {
      field: "thresholds",
      expected: "numbers in [0, 1]",
      found: JSON.stringify(thresholds),
    });
  }
  return sorted;
}

/**
 * Check that `model` scores the edges of `table`: the same feature list (bins, raw statistics);
 * `source` (the model file) goes into the error.
 */
export function checkModelFeatures(
  model: AgglomerationModel,
  table: EdgeFeatureTable,
  source?: string,
): string[] {
  const names = edgeFeatureNames(table);
  if (names.length !== model.features.length || names.some((name, k) => name !== model.features[k])) {
    throw new SegmentOptionsError("the model's features are not those of these inputs", {
      path: source,
      field: "features",
      expected: `${model.features.length} features (${model.features.slice(0, 3).join(", ")}, …)`,
      found: `${names.length} features (${names.slice(0, 3).join(", ")}, …)`,
    });
  }
  return names;
}

/**
 * The engine of {@link agglomerateWithModel} on a precomputed {@link EdgeFeatureTable} (e.g. one
 * merged from the partials of a blockwise run, {@link mergeBlockEdgeFeatures}): merge the edge of
 * highest merge probability while it is ≥ each threshold. The result's `thresholds` are in
 * descending order; `segments[k][i]` is the lowest fragment id of the segment of `fragmentIds[i]`.
 * For the same table (up to the order of its regions and edges) the result equals
 * `agglomerateWithModel` on the volume the table describes. With `options.inPlace` the table's
 * accumulators are merged in place (no copy; the table is then spent: do not use it again).
 */
export function agglomerateFeatureTable(
  table: EdgeFeatureTable,
  model: AgglomerationModel,
  thresholds: readonly number[] = [0.5],
  source?: string,
  options: { inPlace?: boolean } = {},
): Agglomeration {
  checkAgglomerationModel(model, source);
  const descending = checkProbabilityThresholds(thresholds);
  const names = checkModelFeatures(model, table, source);
  const classifier = edgeClassifierFromJSON(model.classifier);
  const agg = new FeatureAgglomerator(table, { inPlace: options.inPlace });
  // probabilities below the lowest threshold never pop, so they need not be exact
  const scorer = new ModelScorer(classifier, agg.table, names, descending[descending.length - 1]);
  // score = −p: the lowest score pops first
  agg.start((e) => -scorer.probability(e));
  const segments: Float64Array[] = [];
  const merges: number[] = [];
  let fragmentIds: Float64Array = new Float64Array(0);
  for (const threshold of descending) {
    agg.mergeUpTo(-threshold);
    const result = agg.segments();
    fragmentIds = result.fragmentIds;
    segments.push(result.segments);
    merges.push(agg.merges);
  }
  return { thresholds: descending, fragmentIds, segments, merges };
}
