import { LazyCompiledTrees } from "./compiled-trees.js";
import { type BinnedData, type DecisionTree, growTree } from "./decision-tree.js";
import { SegmentValueError } from "./errors.js";
import { binRows, featureBins } from "./feature-bins.js";
import { mix32, SeededRandom } from "./seeded-random.js";
import { checkOption, checkRowLength, checkTrainingRows } from "./training-rows.js";
import { type TreeJson, treesFromJson, treeToJson } from "./tree-arrays.js";

/** Options of {@link RandomForestClassifier.fit} (defaults as scikit-learn's, except `maxDepth`). */
export interface RandomForestOptions {
  /** Trees (default 100). */
  trees?: number;
  /** Deepest split level (default 20, as gala's classifier). */
  maxDepth?: number;
  /** Smallest (bootstrap-weighted) number of samples in a leaf (default 1). */
  minSamplesLeaf?: number;
  /** Features tried per split: `sqrt` (default), `all`, or a count. */
  maxFeatures?: "sqrt" | "all" | number;
  /** Histogram bins per feature for the split search, 2 … 256 (default 128). */
  maxBins?: number;
  /** Draw a bootstrap sample per tree (default true). */
  bootstrap?: boolean;
  /** Seed of every random choice (default 0): equal seeds give identical forests. */
  seed?: number;
}

/** JSON form of a {@link RandomForestClassifier} ({@link RandomForestClassifier.toJSON}). */
export interface RandomForestJson {
  type: "random-forest";
  /** Number of features of a row. */
  features: number;
  /** Options the forest was fitted with (defaults filled in). */
  options: Required<RandomForestOptions>;
  /** Trees as node arrays (see {@link DecisionTree}). */
  trees: TreeJson[];
}

const DEFAULTS: Required<RandomForestOptions> = {
  trees: 100,
  maxDepth: 20,
  minSamplesLeaf: 1,
  maxFeatures: "sqrt",
  maxBins: 128,
  bootstrap: true,
  seed: 0,
};

const checkInteger = (field: string, value: number, lo: number, hi: number) =>
  checkOption("random forest", field, value, lo, hi, true);

/**
 * Binary random forest (Breiman; scikit-learn's `RandomForestClassifier` recipe: bootstrap samples,
 * Gini splits over √features random features per node, probabilities averaged over trees) on
 * Float64Array feature rows, with split points from per-feature histograms (at most `maxBins` bins)
 * instead of sorting. Seeded: the same data, options and seed give the same forest.
 */
export class RandomForestClassifier {
  /** Number of features of a row. */
  readonly features: number;
  /** Options the forest was fitted with. */
  readonly options: Required<RandomForestOptions>;
  /** The trees. */
  readonly trees: readonly DecisionTree[];

  private constructor(features: number, options: Required<RandomForestOptions>, trees: DecisionTree[]) {
    this.features = features;
    this.options = options;
    this.trees = trees;
    this.#code = new LazyCompiledTrees(trees, features);
  }

  /** Fit a forest to rows `X` (equal lengths, NaN allowed) and labels `y` (0 = keep, 1 = merge). */
  static fit(
    X: readonly Float64Array[],
    y: ArrayLike<number>,
    options: RandomForestOptions = {},
  ): RandomForestClassifier {
    const o: Required<RandomForestOptions> = { ...DEFAULTS, ...options };
    const n = X.length;
    const { features, labels } = checkTrainingRows(X, y);
    checkInteger("trees", o.trees, 1, 100_000);
    checkInteger("maxDepth", o.maxDepth, 0, 1000);
    checkInteger("minSamplesLeaf", o.minSamplesLeaf, 1, Number.MAX_SAFE_INTEGER);
    checkInteger("maxBins", o.maxBins, 2, 256);
    checkInteger("seed", o.seed, 0, 2 ** 32 - 1);
    const maxFeatures =
      o.maxFeatures === "sqrt"
        ? Math.max(1, Math.floor(Math.sqrt(features)))
        : o.maxFeatures === "all"
          ? features
          : o.maxFeatures;
    checkInteger("maxFeatures", maxFeatures, 1, Math.max(1, features));
    const bins = featureBins(X, features, o.maxBins);
    const data: BinnedData = { n, features, codes: binRows(X, bins), cuts: bins.cuts, y: labels };
    const trees: DecisionTree[] = [];
    const weight = new Float64Array(n);
    for (let t = 0; t < o.trees; t++) {
      // an independent stream per tree, so tree t does not depend on how many trees came before
      const random = new SeededRandom(mix32((o.seed ^ mix32(t)) >>> 0));
      if (o.bootstrap) {
        weight.fill(0);
        for (let k = 0; k < n; k++) weight[random.int(n)]++;
      } else weight.fill(1);
      trees.push(
        growTree(
          data,
          weight,
          { maxDepth: o.maxDepth, minSamplesLeaf: o.minSamplesLeaf, maxFeatures },
          random,
        ),
      );
    }
    return new RandomForestClassifier(features, o, trees);
  }

  /** Probability of class 1 (merge) for `row`: the mean over trees of the leaf's positive fraction. */
  predictProba(row: ArrayLike<number>): number {
    return this.predictProbaAbove(row, 0);
  }

  /**
   * {@link predictProba} when it is ≥ `floor`, with the same arithmetic (so the same value); when it
   * is below `floor`, possibly −1: the trees are summed in order and the sum stops as soon as even
   * the largest leaf of every remaining tree could not lift it to `floor`.
   * Agglomeration that never merges below a threshold needs no more than this.
   */
  predictProbaAbove(row: ArrayLike<number>, floor: number): number {
    checkRowLength(row, this.features);
    const trees = this.trees.length;
    // the sum needed to reach floor, less a margin for the rounding of sum / trees
    const sum = this.#code.sum(row, 0, floor * trees * (1 - 1e-12));
    return sum === Number.NEGATIVE_INFINITY ? -1 : sum / trees;
  }

  /** The trees as WebAssembly (compiled on first use). */
  readonly #code: LazyCompiledTrees;

  /**
   * A row buffer: rows written here are scored without a copy by {@link predictProbaAbove}.
   * Each classifier has its own; its contents change with every prediction.
   */
  inputRow(): Float64Array {
    return this.#code.row();
  }

  /** A JSON-ready copy (plain arrays; every number finite). */
  toJSON(): RandomForestJson {
    return {
      type: "random-forest",
      features: this.features,
      options: { ...this.options },
      trees: this.trees.map(treeToJson),
    };
  }

  /** The forest of {@link RandomForestClassifier.toJSON}'s output, checked node by node. */
  static fromJSON(json: RandomForestJson): RandomForestClassifier {
    const bad = (field: string, expected: string, found: unknown): never => {
      throw new SegmentValueError("not a random forest", { field, expected, found: String(found) });
    };
    if (json?.type !== "random-forest") bad("type", "'random-forest'", json?.type);
    if (!Number.isInteger(json.features) || json.features < 1)
      bad("features", "a positive integer", json.features);
    const trees = treesFromJson(json.trees, json.features, bad);
    return new RandomForestClassifier(json.features, { ...DEFAULTS, ...json.options }, trees);
  }
}
