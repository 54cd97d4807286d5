import type { EdgeClassifier } from "./edge-classifiers.js";
import { featureVector } from "./edge-feature-vector.js";
import type { EdgeFeatureTable } from "./edge-features.js";
import { SegmentOptionsError } from "./errors.js";

/** The feature vector entries that depend on the two regions rather than on the contact. */
const REGION_FEATURES = ["voxelsSmall", "voxelsLarge", "contactRatio"] as const;

/** Number of entries of ascending `cuts` below `x` (how many `x > cut` tests a tree passes). */
function rank(cuts: Float64Array, x: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cuts[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Merge probabilities of the live edges of an agglomerating {@link EdgeFeatureTable}, with a cache
 * that is exact: after a merge, most re-scored edges kept their contact (its face count did not
 * grow) and only their regions' sizes changed; the forest's answer depends on a feature only
 * through which of its split thresholds the value passes, so when the region features pass the
 * same thresholds as at the last evaluation the cached probability is returned without evaluating
 * the trees.
 */
export class ModelScorer {
  readonly #forest: EdgeClassifier;
  readonly #table: EdgeFeatureTable;
  /** The classifier's own input buffer: feature vectors are written there, not copied. */
  readonly #row: Float64Array;
  /** Split thresholds of the forest on each region feature, ascending. */
  readonly #cuts: Float64Array[];
  readonly #count: Float64Array;
  readonly #ranks: Int32Array;
  /** Per edge and region feature, the cuts around its value at its last ranking (lo < x ≤ hi). */
  readonly #lo: Float64Array;
  readonly #hi: Float64Array;
  readonly #p: Float64Array;
  readonly #floor: number;
  /** Forest evaluations done (the rest were answered from the cache). */
  evaluations = 0;

  /**
   * @param table the evolving table (e.g. {@link FeatureAgglomerator.table}); `names` its feature names
   * @param floor probabilities below it need not be exact (see {@link RandomForestClassifier.predictProbaAbove}):
   *   the lowest threshold an agglomeration merges at (default 0: every probability exact)
   */
  constructor(forest: EdgeClassifier, table: EdgeFeatureTable, names: readonly string[], floor = 0) {
    this.#forest = forest;
    this.#floor = floor;
    this.#table = table;
    this.#row = forest.inputRow();
    const indices = REGION_FEATURES.map((name) => names.indexOf(name));
    if (indices.some((k) => k < 0)) {
      throw new SegmentOptionsError("the feature list lacks the region features", {
        field: "features",
        expected: REGION_FEATURES.join(", "),
        found: names.slice(0, 5).join(", "),
      });
    }
    this.#cuts = indices.map((f) => {
      const cuts: number[] = [];
      for (const tree of forest.trees) {
        for (let k = 0; k < tree.feature.length; k++) if (tree.feature[k] === f) cuts.push(tree.threshold[k]);
      }
      return Float64Array.from(new Set(cuts)).sort();
    });
    this.#count = new Float64Array(table.edges).fill(-1);
    this.#ranks = new Int32Array(table.edges * REGION_FEATURES.length);
    // empty intervals until the first ranking
    this.#lo = new Float64Array(table.edges * REGION_FEATURES.length).fill(Number.POSITIVE_INFINITY);
    this.#hi = new Float64Array(table.edges * REGION_FEATURES.length).fill(Number.NEGATIVE_INFINITY);
    this.#p = new Float64Array(table.edges);
  }

  /** Merge probability of edge `e` in the table's current state (−1 when it is below the floor). */
  probability(e: number): number {
    const t = this.#table;
    const a = t.u[e];
    const b = t.v[e];
    // the region features exactly as featureVector computes them
    const x0 = Math.min(t.regionVoxels[a], t.regionVoxels[b]);
    const x1 = Math.max(t.regionVoxels[a], t.regionVoxels[b]);
    const x2 = t.boundary.count[e] / Math.min(t.regionSurface[a], t.regionSurface[b]);
    const base = 3 * e;
    const lo = this.#lo;
    const hi = this.#hi;
    const sameContact = this.#count[e] === t.boundary.count[e];
    // fast path: each value still between the cuts around it at its last ranking
    if (
      sameContact &&
      lo[base] < x0 &&
      x0 <= hi[base] &&
      lo[base + 1] < x1 &&
      x1 <= hi[base + 1] &&
      lo[base + 2] < x2 &&
      x2 <= hi[base + 2]
    ) {
      return this.#p[e];
    }
    const same = this.#rank(base, 0, x0) & this.#rank(base + 1, 1, x1) & this.#rank(base + 2, 2, x2);
    if (sameContact && same === 1) return this.#p[e];
    this.evaluations++;
    this.#count[e] = t.boundary.count[e];
    const p = this.#forest.predictProbaAbove(featureVector(t, e, this.#row), this.#floor);
    this.#p[e] = p;
    return p;
  }

  /**
   * Rank `x` among the cuts of region feature `f`, store the rank and the cuts around `x` at `slot`
   * (for NaN none: the fast path never holds); 1 when the rank is the one stored before, else 0.
   */
  #rank(slot: number, f: number, x: number): number {
    const cuts = this.#cuts[f];
    const r = rank(cuts, x);
    this.#lo[slot] = r > 0 ? cuts[r - 1] : Number.NEGATIVE_INFINITY;
    this.#hi[slot] = r < cuts.length ? cuts[r] : Number.POSITIVE_INFINITY;
    const same = this.#ranks[slot] === r ? 1 : 0;
    this.#ranks[slot] = r;
    return same;
  }
}
