import type { DecisionTree } from "./decision-tree.js";

/** JSON form of a {@link DecisionTree} (plain arrays). */
export interface TreeJson {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

/** A JSON-ready copy of `tree`. */
export function treeToJson(tree: DecisionTree): TreeJson {
  return {
    feature: Array.from(tree.feature),
    threshold: Array.from(tree.threshold),
    left: Array.from(tree.left),
    right: Array.from(tree.right),
    value: Array.from(tree.value),
  };
}

/**
 * The trees of a classifier's JSON, checked node by node (equal array lengths, feature indices
 * below `features`, children after their node); `bad` throws the caller's typed error.
 */
export function treesFromJson(
  trees: readonly TreeJson[],
  features: number,
  bad: (field: string, expected: string, found: unknown) => never,
): DecisionTree[] {
  if (!Array.isArray(trees) || trees.length === 0) bad("trees", "a non-empty array", trees);
  return trees.map((t, k) => {
    const size = t.value?.length ?? 0;
    for (const key of ["feature", "threshold", "left", "right", "value"] as const) {
      if (!Array.isArray(t[key]) || t[key].length !== size || size === 0) {
        bad(`trees[${k}].${key}`, `${size} numbers`, Array.isArray(t[key]) ? t[key].length : t[key]);
      }
    }
    for (let i = 0; i < size; i++) {
      const f = t.feature[i];
      if (f === -1) {
        if (typeof t.value[i] !== "number") bad(`trees[${k}] node ${i}`, "a numeric leaf value", t.value[i]);
        continue;
      }
      const ok =
        Number.isInteger(f) &&
        f >= 0 &&
        f < features &&
        typeof t.threshold[i] === "number" &&
        t.left[i] > i &&
        t.left[i] < size &&
        t.right[i] > i &&
        t.right[i] < size;
      if (!ok) bad(`trees[${k}] node ${i}`, "a feature index and children after the node", f);
    }
    return {
      feature: Int32Array.from(t.feature),
      threshold: Float64Array.from(t.threshold),
      left: Int32Array.from(t.left),
      right: Int32Array.from(t.right),
      value: Float64Array.from(t.value),
    };
  });
}

/**
 * Every tree's nodes in shared arrays, breadth first, so that the children of node k are
 * `child[k]` (left) and `child[k] + 1` (right): a walk step is one load and an add.
 */
export interface FlatTrees {
  feature: Int32Array;
  threshold: Float64Array;
  child: Int32Array;
  value: Float64Array;
  /** Root node of each tree. */
  roots: Int32Array;
}

export function flattenTrees(trees: readonly DecisionTree[]): FlatTrees {
  const total = trees.reduce((n, t) => n + t.feature.length, 0);
  const f: FlatTrees = {
    feature: new Int32Array(total),
    threshold: new Float64Array(total),
    child: new Int32Array(total),
    value: new Float64Array(total),
    roots: new Int32Array(trees.length),
  };
  const order = new Int32Array(total);
  let at = 0;
  trees.forEach((t, i) => {
    f.roots[i] = at;
    // order[at + q] = the tree's node placed at position at + q
    let placed = 1;
    order[at] = 0;
    for (let q = 0; q < placed; q++) {
      const node = order[at + q];
      const k = at + q;
      f.feature[k] = t.feature[node];
      f.threshold[k] = t.threshold[node];
      f.value[k] = t.value[node];
      if (t.feature[node] >= 0) {
        f.child[k] = at + placed;
        order[at + placed++] = t.left[node];
        order[at + placed++] = t.right[node];
      } else f.child[k] = -1;
    }
    at += placed;
  });
  return f;
}

/** `bound[t]` = Σ over trees t … end of each tree's largest leaf (`bound[trees]` = 0). */
export function suffixMaxima(f: FlatTrees): Float64Array {
  const trees = f.roots.length;
  const bound = new Float64Array(trees + 1);
  for (let t = trees - 1; t >= 0; t--) {
    const end = t + 1 < trees ? f.roots[t + 1] : f.feature.length;
    let max = Number.NEGATIVE_INFINITY;
    for (let k = f.roots[t]; k < end; k++) if (f.feature[k] < 0 && f.value[k] > max) max = f.value[k];
    bound[t] = bound[t + 1] + max;
  }
  return bound;
}

/**
 * `start` plus the leaf values `row` reaches in every tree of `f`, added in tree order (NaN goes
 * left: `!(x > threshold)`); −∞ as soon as, after tree t, even the largest leaves of the remaining
 * trees (`bound[t + 1]`, {@link suffixMaxima}) could not lift the sum to `needed`.
 * The plain walk over the arrays: the classifiers run its compiled form ({@link compileLeafSum}),
 * which the tests hold to this one.
 */
export function sumLeavesAbove(
  f: FlatTrees,
  row: ArrayLike<number>,
  start: number,
  bound: Float64Array,
  needed: number,
): number {
  const { feature, threshold, child, value, roots } = f;
  let sum = start;
  for (let t = 0; t < roots.length; t++) {
    let k = roots[t];
    let j = feature[k];
    while (j >= 0) {
      k = child[k] + (row[j] > threshold[k] ? 1 : 0);
      j = feature[k];
    }
    sum += value[k];
    if (sum + bound[t + 1] < needed) return Number.NEGATIVE_INFINITY;
  }
  return sum;
}
