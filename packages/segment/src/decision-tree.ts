import type { SeededRandom } from "./seeded-random.js";

/**
 * A binary classification tree in flat arrays: node 0 is the root; an inner node sends a row left
 * when `!(row[feature] > threshold)` (so NaN goes left), a leaf (`feature` −1) holds the weighted
 * fraction of positive training samples that reached it.
 */
export interface DecisionTree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Fraction of positive (weighted) samples in the node. */
  value: Float64Array;
}

/** Options of {@link growTree}. */
export interface GrowTreeOptions {
  /** Deepest level (the root is level 0). */
  maxDepth: number;
  /** Smallest (weighted) number of samples in a leaf. */
  minSamplesLeaf: number;
  /** Features tried per split (more are tried, in random order, only when none of them splits). */
  maxFeatures: number;
}

/** Binned training data shared by the trees of a forest. */
export interface BinnedData {
  /** Rows. */
  n: number;
  /** Features. */
  features: number;
  /** Column-major bin codes (`codes[f · n + i]`). */
  codes: Uint8Array;
  /** Cut points per feature (bin k ↔ `x ≤ cuts[k]`). */
  cuts: Float64Array[];
  /** Labels, 0 or 1. */
  y: Uint8Array;
}

/** Growing node arrays of a {@link DecisionTree} (doubling capacity). */
export class NodeBuffer {
  size = 0;
  feature = new Int32Array(64);
  threshold = new Float64Array(64);
  left = new Int32Array(64);
  right = new Int32Array(64);
  value = new Float64Array(64);
  add(value: number): number {
    if (this.size === this.feature.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T): T => {
        const next = new (a.constructor as new (n: number) => T)(a.length * 2);
        next.set(a);
        return next;
      };
      this.feature = grow(this.feature);
      this.threshold = grow(this.threshold);
      this.left = grow(this.left);
      this.right = grow(this.right);
      this.value = grow(this.value);
    }
    const k = this.size++;
    this.feature[k] = -1;
    this.value[k] = value;
    return k;
  }
  /** Make leaf `node` an inner node splitting on `feature` at `threshold`; returns its new children. */
  split(
    node: number,
    feature: number,
    threshold: number,
    leftValue: number,
    rightValue: number,
  ): [number, number] {
    const left = this.add(leftValue);
    const right = this.add(rightValue);
    this.feature[node] = feature;
    this.threshold[node] = threshold;
    this.left[node] = left;
    this.right[node] = right;
    return [left, right];
  }
  finish(): DecisionTree {
    const k = this.size;
    return {
      feature: this.feature.slice(0, k),
      threshold: this.threshold.slice(0, k),
      left: this.left.slice(0, k),
      right: this.right.slice(0, k),
      value: this.value.slice(0, k),
    };
  }
}

/**
 * Reorder `index[start, end)` so the samples whose bin code (`codes[i]`) is ≤ `bin` come first, the
 * order kept within each side (`scratch` holds the right side meanwhile); returns where the right
 * side starts.
 */
export function partitionByBin(
  index: Int32Array,
  scratch: Int32Array,
  start: number,
  end: number,
  codes: Uint8Array,
  bin: number,
): number {
  let lo = start;
  let hi = 0;
  for (let j = start; j < end; j++) {
    const i = index[j];
    if (codes[i] <= bin) index[lo++] = i;
    else scratch[hi++] = i;
  }
  index.set(scratch.subarray(0, hi), lo);
  return lo;
}

/**
 * Grow a tree on the samples with non-zero `weight` (bootstrap multiplicities) by Gini impurity,
 * best split over `maxFeatures` features drawn at random per node, split points from the bins.
 * Deterministic for a given `random` state: ties keep the first best (feature order as drawn,
 * then the lower bin).
 */
export function growTree(
  data: BinnedData,
  weight: Float64Array,
  options: GrowTreeOptions,
  random: SeededRandom,
): DecisionTree {
  const { n, features, codes, cuts, y } = data;
  const index = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) if (weight[i] > 0) index[m++] = i;
  const scratch = new Int32Array(m);
  const histW = new Float64Array(256);
  const histP = new Float64Array(256);
  const order = new Int32Array(features);
  for (let f = 0; f < features; f++) order[f] = f;
  const nodes = new NodeBuffer();
  const minLeaf = options.minSamplesLeaf;

  const totals = (start: number, end: number) => {
    let w = 0;
    let p = 0;
    for (let j = start; j < end; j++) {
      const i = index[j];
      w += weight[i];
      p += weight[i] * y[i];
    }
    return [w, p];
  };

  // explicit stack of (start, end, depth, node)
  const stack: number[] = [];
  const [w0, p0] = totals(0, m);
  stack.push(0, m, 0, nodes.add(w0 > 0 ? p0 / w0 : 0));
  while (stack.length > 0) {
    const node = stack.pop() as number;
    const depth = stack.pop() as number;
    const end = stack.pop() as number;
    const start = stack.pop() as number;
    const [W, P] = totals(start, end);
    if (depth >= options.maxDepth || W < 2 * minLeaf || P === 0 || P === W) continue;
    const parentImpurity = (2 * P * (W - P)) / W;
    let bestGain = 1e-12 * W;
    let bestFeature = -1;
    let bestBin = -1;
    for (let tried = 0; tried < features; tried++) {
      if (tried >= options.maxFeatures && bestFeature >= 0) break;
      // partial Fisher–Yates: draw the next feature
      const pick = tried + random.int(features - tried);
      const f = order[pick];
      order[pick] = order[tried];
      order[tried] = f;
      const nb = cuts[f].length + 1;
      if (nb < 2) continue;
      histW.fill(0, 0, nb);
      histP.fill(0, 0, nb);
      const base = f * n;
      for (let j = start; j < end; j++) {
        const i = index[j];
        const b = codes[base + i];
        histW[b] += weight[i];
        histP[b] += weight[i] * y[i];
      }
      let wl = 0;
      let pl = 0;
      for (let b = 0; b < nb - 1; b++) {
        wl += histW[b];
        pl += histP[b];
        if (histW[b] === 0 || wl < minLeaf) continue;
        const wr = W - wl;
        if (wr < minLeaf) break;
        const pr = P - pl;
        const impurity = (2 * pl * (wl - pl)) / wl + (2 * pr * (wr - pr)) / wr;
        const gain = parentImpurity - impurity;
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestBin = b;
        }
      }
    }
    if (bestFeature < 0) continue;
    const lo = partitionByBin(index, scratch, start, end, codes.subarray(bestFeature * n), bestBin);
    const [wl, pl] = totals(start, lo);
    const [left, right] = nodes.split(
      node,
      bestFeature,
      cuts[bestFeature][bestBin],
      pl / wl,
      (P - pl) / (W - wl),
    );
    stack.push(lo, end, depth + 1, right);
    stack.push(start, lo, depth + 1, left);
  }
  return nodes.finish();
}

/** Leaf value of `row` in `tree`. */
export function treeValue(tree: DecisionTree, row: ArrayLike<number>): number {
  let k = 0;
  const { feature, threshold, left, right } = tree;
  while (feature[k] >= 0) k = row[feature[k]] > threshold[k] ? right[k] : left[k];
  return tree.value[k];
}
