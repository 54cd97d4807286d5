import type { AgglomerationModel } from "./agglomeration-model.js";
import { type EdgeClassifier, type EdgeClassifierOptions, fitEdgeClassifier } from "./edge-classifiers.js";
import { edgeFeatureNames, featureVector } from "./edge-feature-vector.js";
import { edgeFeatures } from "./edge-features.js";
import { SegmentOptionsError, SegmentShapeError, SegmentValueError } from "./errors.js";
import { FeatureAgglomerator } from "./feature-agglomerator.js";
import { contactBoundaryQuantiles } from "./model-input-check.js";
import { ModelScorer } from "./model-scorer.js";
import { RegionMajority } from "./region-majority.js";

/** Options of {@link learnAgglomeration}. */
export interface LearnAgglomerationOptions {
  /** Raw image (same shape): its contact statistics become features too. */
  raw?: ArrayLike<number>;
  /** Value range of the raw histogram (default from the raw dtype, see {@link edgeFeatures}). */
  rawRange?: readonly [number, number];
  /** Histogram bins per contact (default 32). */
  bins?: number;
  /** Replay epochs (default 3): the first in order of mean boundary, later ones by the current classifier. */
  epochs?: number;
  /**
   * The classifier and its options: a random forest by default (defaults of
   * {@link RandomForestClassifier.fit}, `minSamplesLeaf` 5), or `type: "gradient-boosting"`
   * ({@link GradientBoostingClassifier.fit}).
   */
  classifier?: EdgeClassifierOptions;
  /** Training date for the provenance (default: now). */
  date?: string;
}

/** A learned model with the examples it was trained on. */
export interface LearnedAgglomeration {
  model: AgglomerationModel;
  /** Feature rows of every example (all epochs). */
  examples: Float64Array[];
  /** Label of each example: 1 merge, 0 keep. */
  labels: Uint8Array;
}

/**
 * Learn an agglomeration from ground truth by replaying it (gala's "flat" then "active" learning):
 * build the edge features of `fragments` over `boundaries` (+ `raw`), then in every epoch agglomerate
 * from the fragments in priority order (epoch 1: lowest mean boundary first; later epochs: highest
 * merge probability of the classifier of the epochs before), label each popped edge merge (1) when
 * both regions have the same majority ground-truth label (gt 0 ignored; edges of regions without
 * ground truth give no example), else keep (0), record its feature vector, and merge only edges
 * labelled merge, so the replay follows the ground truth. A random forest is trained on the examples
 * of all epochs after each epoch; the last one is the model.
 */
export function learnAgglomeration(
  fragments: ArrayLike<number>,
  boundaries: ArrayLike<number>,
  gt: ArrayLike<number>,
  shape: readonly number[],
  options: LearnAgglomerationOptions = {},
): LearnedAgglomeration {
  const epochs = options.epochs ?? 3;
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new SegmentOptionsError("invalid number of epochs", {
      field: "epochs",
      expected: "an integer ≥ 1",
      found: String(epochs),
    });
  }
  if (gt.length !== fragments.length) {
    throw new SegmentShapeError("ground truth does not match the fragments", {
      field: "gt",
      expected: `${fragments.length} values (${shape.join("×")})`,
      found: `${gt.length} values`,
    });
  }
  const table = edgeFeatures(fragments, boundaries, shape, {
    bins: options.bins,
    raw: options.raw,
    rawRange: options.rawRange,
  });
  const names = edgeFeatureNames(table);
  // recorded so that applying the model to a map of another calibration can be warned about
  const contactQuantiles = contactBoundaryQuantiles(table);
  const classifierOptions: EdgeClassifierOptions =
    options.classifier?.type === "gradient-boosting"
      ? options.classifier
      : { minSamplesLeaf: 5, ...options.classifier };
  const examples: Float64Array[] = [];
  const labels: number[] = [];
  const examplesPerEpoch: number[] = [];
  let forest: EdgeClassifier | undefined;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const agg = new FeatureAgglomerator(table);
    const t = agg.table;
    const majority = new RegionMajority(fragments, gt, t.regionIds);
    const scorer = forest ? new ModelScorer(forest, t, names) : undefined;
    agg.start(scorer ? (e) => 1 - scorer.probability(e) : (e) => t.boundary.sum[e] / t.boundary.count[e]);
    const before = examples.length;
    agg.mergeUpTo(Number.POSITIVE_INFINITY, (e) => {
      const a = majority.majority(t.u[e]);
      const b = majority.majority(t.v[e]);
      if (a === 0 || b === 0) return false;
      const merge = a === b;
      examples.push(featureVector(t, e));
      labels.push(merge ? 1 : 0);
      if (merge) majority.merge(t.u[e], t.v[e]);
      return merge;
    });
    examplesPerEpoch.push(examples.length - before);
    if (examples.length === 0) {
      throw new SegmentValueError("no training examples: no edge joins two regions with ground truth", {
        field: "gt",
        expected: "ground-truth labels (≠ 0) inside at least two touching fragments",
        found: `${table.edges} edges`,
      });
    }
    forest = fitEdgeClassifier(examples, labels, classifierOptions);
  }
  const merges = labels.reduce((s, v) => s + v, 0);
  const model: AgglomerationModel = {
    format: "tessera-agglomeration-model",
    version: 1,
    features: names,
    featureOptions: {
      bins: table.bins,
      raw: table.raw !== undefined,
      ...(table.rawRange ? { rawRange: [table.rawRange[0], table.rawRange[1]] } : {}),
    },
    classifier: (forest as EdgeClassifier).toJSON(),
    provenance: {
      shape: [...shape],
      regions: table.regions,
      edges: table.edges,
      epochs,
      examplesPerEpoch,
      examples: examples.length,
      merges,
      keeps: examples.length - merges,
      date: options.date ?? new Date().toISOString(),
      ...(contactQuantiles ? { contactBoundaryQuantiles: contactQuantiles } : {}),
    },
  };
  return { model, examples, labels: Uint8Array.from(labels) };
}
