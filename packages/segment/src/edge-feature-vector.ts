import type { ContactStats, EdgeFeatureTable } from "./edge-features.js";

/** Quantiles of the contact values in every feature vector (from the histograms: bin centres). */
export const EDGE_FEATURE_QUANTILES = [0.1, 0.25, 0.5, 0.75, 0.9] as const;

const STAT_NAMES = ["Mean", "Std", "Min", "Max", ...EDGE_FEATURE_QUANTILES.map((q) => `Q${q * 100}`)];

/**
 * Names of the entries of {@link featureVector} for `table`, in order:
 * - `contactFaces`: faces between the two regions (contact area in voxel faces);
 * - `boundaryMean`, `boundaryStd` (population), `boundaryMin`, `boundaryMax`, `boundaryQ10`,
 *   `boundaryQ25`, `boundaryQ50`, `boundaryQ75`, `boundaryQ90` (quantiles: centre of the histogram
 *   bin of the ⌈q·n⌉-th smallest value), then `boundaryHist0` … (fraction of the faces in each bin);
 * - `voxelsSmall`, `voxelsLarge`: voxels of the smaller and of the larger region;
 * - `contactRatio`: `contactFaces` over the smaller surface of the two regions;
 * - with a raw image, `rawMean` … `rawHist<bins−1>` as for the boundary values.
 */
export function edgeFeatureNames(table: EdgeFeatureTable): string[] {
  const stats = (prefix: string) => [
    ...STAT_NAMES.map((s) => `${prefix}${s}`),
    ...Array.from({ length: table.bins }, (_, b) => `${prefix}Hist${b}`),
  ];
  return [
    "contactFaces",
    ...stats("boundary"),
    "voxelsSmall",
    "voxelsLarge",
    "contactRatio",
    ...(table.raw ? stats("raw") : []),
  ];
}

/**
 * The `q`-quantile of edge `e`'s contact values from its histogram: the centre of the bin holding the
 * ⌈q·n⌉-th smallest value (the first when q = 0); NaN for an empty contact.
 */
export function contactQuantile(
  stats: ContactStats,
  e: number,
  bins: number,
  range: readonly [number, number],
  q: number,
): number {
  const n = stats.count[e];
  if (n === 0) return Number.NaN;
  const target = Math.max(1, Math.ceil(q * n));
  let cumulative = 0;
  let b = 0;
  for (; b < bins - 1; b++) {
    cumulative += stats.histogram[e * bins + b];
    if (cumulative >= target) break;
  }
  return range[0] + ((b + 0.5) / bins) * (range[1] - range[0]);
}

/** Write the statistics of edge `e` into `out` from `at`; returns the next position. */
function writeStats(
  out: Float64Array,
  at: number,
  stats: ContactStats,
  e: number,
  bins: number,
  range: readonly [number, number],
): number {
  const n = stats.count[e];
  const mean = stats.sum[e] / n;
  out[at++] = mean;
  out[at++] = Math.sqrt(Math.max(0, stats.sumSq[e] / n - mean * mean));
  out[at++] = stats.min[e];
  out[at++] = stats.max[e];
  // the quantiles as contactQuantile gives them, in one walk up the histogram (they ascend)
  const histogram = stats.histogram;
  const base = e * bins;
  let b = 0;
  let cumulative = histogram[base];
  for (const q of EDGE_FEATURE_QUANTILES) {
    const target = Math.max(1, Math.ceil(q * n));
    while (b < bins - 1 && cumulative < target) cumulative += histogram[base + ++b];
    out[at++] = n === 0 ? Number.NaN : range[0] + ((b + 0.5) / bins) * (range[1] - range[0]);
  }
  for (let k = 0; k < bins; k++) out[at++] = histogram[base + k] / n;
  return at;
}

/**
 * The feature vector of edge `e` (entries named by {@link edgeFeatureNames}); symmetric in the two
 * regions. Reads only the accumulators, so it is as cheap for a merged edge as for an original one.
 */
export function featureVector(table: EdgeFeatureTable, e: number, out?: Float64Array): Float64Array {
  const perStats = STAT_NAMES.length + table.bins;
  const vector = out ?? new Float64Array(1 + perStats + 3 + (table.raw ? perStats : 0));
  const { boundary, bins } = table;
  let at = 0;
  vector[at++] = boundary.count[e];
  at = writeStats(vector, at, boundary, e, bins, table.boundaryRange);
  const a = table.u[e];
  const b = table.v[e];
  vector[at++] = Math.min(table.regionVoxels[a], table.regionVoxels[b]);
  vector[at++] = Math.max(table.regionVoxels[a], table.regionVoxels[b]);
  vector[at++] = boundary.count[e] / Math.min(table.regionSurface[a], table.regionSurface[b]);
  if (table.raw && table.rawRange) writeStats(vector, at, table.raw, e, bins, table.rawRange);
  return vector;
}

/**
 * Add entry `e` of statistics `s` into entry `k` of `t` (which may be `s` itself): counts, sums and
 * histograms add, minima and maxima combine.
 */
export function addContactStats(t: ContactStats, k: number, s: ContactStats, e: number, bins: number): void {
  t.count[k] += s.count[e];
  t.sum[k] += s.sum[e];
  t.sumSq[k] += s.sumSq[e];
  if (s.min[e] < t.min[k]) t.min[k] = s.min[e];
  if (s.max[e] > t.max[k]) t.max[k] = s.max[e];
  for (let b = 0; b < bins; b++) t.histogram[k * bins + b] += s.histogram[e * bins + b];
}

/**
 * Add the contact statistics of edge `from` to edge `into` (in place; `from` is left as it was):
 * when regions x and y merge, their edges to a common neighbour w become one edge whose contact is
 * the union of both contacts. The ends (`u`, `v`) and region statistics are the caller's to update
 * ({@link mergeRegionFeatures}).
 */
export function mergeEdgeFeatures(table: EdgeFeatureTable, into: number, from: number): void {
  addContactStats(table.boundary, into, table.boundary, from, table.bins);
  if (table.raw) addContactStats(table.raw, into, table.raw, from, table.bins);
}

/**
 * Merge region `from` into region `into` (in place): voxels add, and the surface of the union is
 * both surfaces less the faces between them counted on each side (`contactFaces`: the count of the
 * edge between them, 0 when they do not touch).
 */
export function mergeRegionFeatures(
  table: EdgeFeatureTable,
  into: number,
  from: number,
  contactFaces: number,
): void {
  table.regionVoxels[into] += table.regionVoxels[from];
  table.regionSurface[into] += table.regionSurface[from] - 2 * contactFaces;
}
