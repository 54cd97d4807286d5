import { type BinnedData, type DecisionTree, NodeBuffer, partitionByBin } from "./decision-tree.js";

/** Options of {@link growGradientTree}. */
export interface GradientTreeOptions {
  /** Deepest level (the root is level 0). */
  maxDepth: number;
  /** Smallest number of samples in a leaf. */
  minSamplesLeaf: number;
  /** L2 regularisation λ of the leaf values. */
  l2: number;
  /** Factor applied to every leaf value (the learning rate). */
  shrinkage: number;
}

/** Smallest hessian sum of a child (scikit-learn's `min_hessian_to_split`). */
const MIN_HESSIAN = 1e-3;

/**
 * Grow one regression tree of gradient boosting (second-order, as XGBoost / LightGBM / scikit-learn's
 * HistGradientBoosting): every split maximises G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) over all
 * features and bins, a leaf holds −shrinkage · G/(H+λ). Deterministic (ties keep the lower feature,
 * then the lower bin). Adds each sample's leaf value to `raw` (the running scores).
 */
export function growGradientTree(
  data: BinnedData,
  gradient: Float64Array,
  hessian: Float64Array,
  raw: Float64Array,
  options: GradientTreeOptions,
): DecisionTree {
  const { n, features, codes, cuts } = data;
  const { l2, minSamplesLeaf, shrinkage } = options;
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) index[i] = i;
  const scratch = new Int32Array(n);
  const histG = new Float64Array(256);
  const histH = new Float64Array(256);
  const histN = new Int32Array(256);
  const nodes = new NodeBuffer();
  const sums = (start: number, end: number) => {
    let g = 0;
    let h = 0;
    for (let j = start; j < end; j++) {
      g += gradient[index[j]];
      h += hessian[index[j]];
    }
    return [g, h];
  };
  const leafValue = (g: number, h: number) => (-shrinkage * g) / (h + l2);
  const stack: number[] = [];
  const [g0, h0] = sums(0, n);
  stack.push(0, n, 0, nodes.add(leafValue(g0, h0)));
  while (stack.length > 0) {
    const node = stack.pop() as number;
    const depth = stack.pop() as number;
    const end = stack.pop() as number;
    const start = stack.pop() as number;
    const count = end - start;
    const [G, H] = sums(start, end);
    const finish = () => {
      const v = nodes.value[node];
      for (let j = start; j < end; j++) raw[index[j]] += v;
    };
    if (depth >= options.maxDepth || count < 2 * minSamplesLeaf) {
      finish();
      continue;
    }
    const parent = (G * G) / (H + l2);
    let bestGain = 1e-12;
    let bestFeature = -1;
    let bestBin = -1;
    for (let f = 0; f < features; f++) {
      const nb = cuts[f].length + 1;
      if (nb < 2) continue;
      histG.fill(0, 0, nb);
      histH.fill(0, 0, nb);
      histN.fill(0, 0, nb);
      const base = f * n;
      for (let j = start; j < end; j++) {
        const i = index[j];
        const b = codes[base + i];
        histG[b] += gradient[i];
        histH[b] += hessian[i];
        histN[b]++;
      }
      let gl = 0;
      let hl = 0;
      let nl = 0;
      for (let b = 0; b < nb - 1; b++) {
        gl += histG[b];
        hl += histH[b];
        nl += histN[b];
        if (histN[b] === 0 || nl < minSamplesLeaf || hl < MIN_HESSIAN) continue;
        if (count - nl < minSamplesLeaf) break;
        const gr = G - gl;
        const hr = H - hl;
        if (hr < MIN_HESSIAN) break;
        const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - parent;
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestBin = b;
        }
      }
    }
    if (bestFeature < 0) {
      finish();
      continue;
    }
    const lo = partitionByBin(index, scratch, start, end, codes.subarray(bestFeature * n), bestBin);
    const [gl, hl] = sums(start, lo);
    const [left, right] = nodes.split(
      node,
      bestFeature,
      cuts[bestFeature][bestBin],
      leafValue(gl, hl),
      leafValue(G - gl, H - hl),
    );
    stack.push(lo, end, depth + 1, right);
    stack.push(start, lo, depth + 1, left);
  }
  return nodes.finish();
}
