import type { AgglomerationModel } from "./agglomeration-model.js";
import { addContactStats, contactQuantile } from "./edge-feature-vector.js";
import type { ContactStats, EdgeFeatureTable } from "./edge-features.js";

/**
 * How far (in boundary value, 0 … 1) the median or the 90th percentile of the contact boundary
 * values may move between a model's training data and the data it is applied to before
 * {@link modelInputWarning} warns. Measured against gala's train-p1 with the default fragments: its
 * two z halves differ by 0.00 at both quantiles; neuroproof's inverted grayscale (its supervoxels) by
 * 0.34 at the median, snemi-mini's inverted probabilities (default fragments) by 0.59, gala's own
 * image inverted (default fragments) by 0.31.
 */
export const CONTACT_QUANTILE_TOLERANCE = 0.2;

/**
 * The 10th, 50th and 90th percentiles of the boundary values of all contact faces of `table` (each
 * face once, from the edges' histograms: the centre of the bin holding the quantile), or `undefined`
 * for a table without contacts.
 */
export function contactBoundaryQuantiles(table: EdgeFeatureTable): [number, number, number] | undefined {
  const { bins, boundaryRange } = table;
  // every contact pooled into one entry, as a merge of all edges would pool them
  const pooled: ContactStats = {
    count: new Float64Array(1),
    sum: new Float64Array(1),
    sumSq: new Float64Array(1),
    min: Float64Array.of(Number.POSITIVE_INFINITY),
    max: Float64Array.of(Number.NEGATIVE_INFINITY),
    histogram: new Uint32Array(bins),
  };
  for (let e = 0; e < table.edges; e++) addContactStats(pooled, 0, table.boundary, e, bins);
  if (pooled.count[0] === 0) return undefined;
  const quantile = (q: number) => contactQuantile(pooled, 0, bins, boundaryRange, q);
  return [quantile(0.1), quantile(0.5), quantile(0.9)];
}

/**
 * A one-line warning when the contact boundary values of `table` are distributed unlike those the
 * model was trained on (its median or 90th percentile moved by more than
 * {@link CONTACT_QUANTILE_TOLERANCE}): a model of boundary statistics does not transfer to a boundary
 * map of another calibration (another predictor, grayscale instead of probabilities, an inverted
 * map) and then merges far too much or too little. `undefined` when they agree, or when the model
 * does not record its training quantiles (models written before they were recorded).
 */
export function modelInputWarning(model: AgglomerationModel, table: EdgeFeatureTable): string | undefined {
  const trained = model.provenance.contactBoundaryQuantiles;
  const found = contactBoundaryQuantiles(table);
  if (trained === undefined || found === undefined) return undefined;
  const moved = Math.max(Math.abs(found[1] - trained[1]), Math.abs(found[2] - trained[2]));
  if (moved <= CONTACT_QUANTILE_TOLERANCE) return undefined;
  const show = (q: readonly number[]) => q.map((v) => v.toFixed(2)).join(", ");
  return (
    `the boundary values on the fragments' contacts (10th, 50th, 90th percentiles ${show(found)}) differ from the model's training data (${show(trained)}): ` +
    "its merge probabilities may not hold on this map; train a model on data like this (tessera segment train-agglomeration)"
  );
}
