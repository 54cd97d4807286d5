/**
 * Per-feature cut points that turn a real feature matrix into small bin codes, so tree splits are
 * found from histograms instead of sorting at every node (as LightGBM / scikit-learn's
 * HistGradientBoosting do). Bin `k` of feature `f` holds the values `x` with
 * `cuts[k − 1] < x ≤ cuts[k]`; NaN falls in bin 0 (and, when predicting, goes left at every split).
 */
export interface FeatureBins {
  /** `cuts[f]`: ascending cut points of feature f (at most `maxBins − 1`). */
  cuts: Float64Array[];
}

/** Largest finite double: cut points are clamped to it so they survive JSON. */
const BIG = Number.MAX_VALUE;

/**
 * Cut points of every feature of `rows` (all the same length): between consecutive distinct values
 * (midpoints) when a feature has at most `maxBins` distinct values, else at the `k/maxBins`
 * quantiles (k = 1 … maxBins − 1), each moved to the midpoint with the next larger distinct value.
 */
export function featureBins(rows: readonly Float64Array[], features: number, maxBins: number): FeatureBins {
  const n = rows.length;
  const cuts: Float64Array[] = [];
  const column = new Float64Array(n);
  for (let f = 0; f < features; f++) {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const x = rows[i][f];
      if (!Number.isNaN(x)) column[m++] = x;
    }
    const sorted = column.subarray(0, m).sort();
    // distinct values
    const distinct: number[] = [];
    for (let i = 0; i < m; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
    const out: number[] = [];
    const midpoint = (lo: number, hi: number) => {
      const mid = lo / 2 + hi / 2;
      const cut = mid > lo && mid < hi ? mid : lo;
      return Math.max(-BIG, Math.min(BIG, cut));
    };
    if (distinct.length <= maxBins) {
      for (let k = 0; k + 1 < distinct.length; k++) out.push(midpoint(distinct[k], distinct[k + 1]));
    } else {
      let d = 0; // index into distinct, advanced monotonically
      for (let k = 1; k < maxBins; k++) {
        const v = sorted[Math.min(m - 1, Math.floor((k * m) / maxBins))];
        while (distinct[d] < v) d++;
        if (d + 1 >= distinct.length) break;
        const cut = midpoint(distinct[d], distinct[d + 1]);
        if (out.length === 0 || cut > out[out.length - 1]) out.push(cut);
      }
    }
    cuts.push(Float64Array.from(out));
  }
  return { cuts };
}

/** Bin of `x` among ascending `cuts`: the first k with x ≤ cuts[k], else `cuts.length`; NaN → 0. */
export function binValue(cuts: Float64Array, x: number): number {
  if (Number.isNaN(x)) return 0;
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= cuts[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Bin codes of `rows`, column-major (`codes[f · n + i]`), for at most 256 bins per feature. */
export function binRows(rows: readonly Float64Array[], bins: FeatureBins): Uint8Array {
  const n = rows.length;
  const features = bins.cuts.length;
  const codes = new Uint8Array(n * features);
  for (let f = 0; f < features; f++) {
    const cuts = bins.cuts[f];
    for (let i = 0; i < n; i++) codes[f * n + i] = binValue(cuts, rows[i][f]);
  }
  return codes;
}
