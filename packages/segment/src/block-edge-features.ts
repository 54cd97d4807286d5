import { checkShape } from "./arrays.js";
import { addContactStats } from "./edge-feature-vector.js";
import { binOf, type ContactStats, type EdgeFeatureTable } from "./edge-features.js";
import { SegmentBlockError, SegmentOptionsError } from "./errors.js";
import { PairCounter } from "./pair-counter.js";

/**
 * The edge-feature accumulators one block owns ({@link blockEdgeFeatures}), keyed by fragment id:
 * regions and edges are listed by id (not index), so the partials of all blocks merge by id
 * ({@link mergeBlockEdgeFeatures}). With a raw image, its contact statistics too.
 */
export interface BlockEdgeFeatures {
  /** Histogram bins over the boundary range [0, 1]. */
  bins: number;
  /** Fragment id of each region entry (ascending). */
  regionIds: Float64Array;
  /** Voxels of each region inside the block's write box. */
  regionVoxels: Float64Array;
  /** Faces owned by the block between each region and another label (background included). */
  regionSurface: Float64Array;
  /** Number of edges. */
  edges: number;
  /** Smaller fragment id of each edge. */
  u: Float64Array;
  /** Larger fragment id of each edge. */
  v: Float64Array;
  /** Statistics of the boundary values of the edge's owned faces. */
  boundary: ContactStats;
  /** Statistics of the raw values of the same faces (the mean of the two voxels), when a raw image was given. */
  raw?: ContactStats;
  /** Value range of the raw histogram, when `raw`. */
  rawRange?: readonly [number, number];
}

/** A raw image over the same read box, with the value range of its histogram. */
export interface BlockRawImage {
  values: ArrayLike<number>;
  range: readonly [number, number];
}

/** Which part of the read box a block owns: the write box, in read-box coordinates (end exclusive). */
export interface OwnedRegion {
  begin: readonly number[];
  end: readonly number[];
}

function checkBins(bins: number): void {
  if (!Number.isInteger(bins) || bins < 1 || bins > 4096) {
    throw new SegmentOptionsError("invalid histogram bins", {
      field: "bins",
      expected: "an integer in [1, 4096]",
      found: String(bins),
    });
  }
}

/**
 * The accumulators of {@link edgeFeatures} that one block owns: `fragments` and `boundaries` (in
 * [0, 1], high = membrane) cover the read box of `shape`, the block owns the voxels of `region` and
 * every face between an owned voxel and its neighbour at −1 along an axis (which may lie outside
 * `region`, in the previous block) — the ownership of the block graph step, so over all blocks of a
 * grid every face of the volume is counted once, and every voxel once. A face's value is the larger
 * of its two voxels' values. Fragment ids may be any non-negative integers below 2^53 (0 =
 * background). Faces between two different ids are counted even when a later join of fragments
 * across block faces makes them one fragment; {@link mergeBlockEdgeFeatures} removes those. With
 * `raw`, each face also adds the mean of its two voxels' raw values to the edge's raw statistics
 * (histogram over `raw.range`), as {@link edgeFeatures} does.
 */
export function blockEdgeFeatures(
  fragments: ArrayLike<number>,
  boundaries: ArrayLike<number>,
  shape: readonly number[],
  region: OwnedRegion,
  bins = 32,
  raw?: BlockRawImage,
): BlockEdgeFeatures {
  const [, Y, X] = checkShape(shape);
  checkBins(bins);
  const rawValues = raw?.values;
  const [rawLo, rawHi] = raw?.range ?? [0, 1];
  let rawStats = raw ? newStats(1024, bins) : undefined;
  const regions = new PairCounter(256);
  let surface = new Float64Array(256);
  const pairs = new PairCounter(1024);
  let stats = newStats(1024, bins);
  const XY = X * Y;
  const regionOf = (id: number) => {
    const r = regions.index(id, 0);
    if (r >= surface.length) {
      const next = new Float64Array(surface.length * 2);
      next.set(surface);
      surface = next;
    }
    return r;
  };
  const face = (i: number, j: number, a: number) => {
    const b = fragments[j];
    if (b === a) return;
    if (a !== 0) surface[regionOf(a)]++;
    if (b !== 0) surface[regionOf(b)]++;
    if (a === 0 || b === 0) return;
    const e = a < b ? pairs.index(a, b) : pairs.index(b, a);
    if (e >= stats.count.length) {
      stats = growStats(stats, bins);
      if (rawStats) rawStats = growStats(rawStats, bins);
    }
    addValue(stats, e, Math.max(boundaries[i], boundaries[j]), bins, 0, 1);
    if (rawStats && rawValues) addValue(rawStats, e, (rawValues[i] + rawValues[j]) / 2, bins, rawLo, rawHi);
  };
  const [z0, y0, x0] = region.begin;
  const [z1, y1, x1] = region.end;
  for (let z = z0; z < z1; z++) {
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = z * XY + y * X + x;
        const a = fragments[i];
        if (a !== 0) regions.count[regionOf(a)]++;
        if (x > 0) face(i, i - 1, a);
        if (y > 0) face(i, i - X, a);
        if (z > 0) face(i, i - XY, a);
      }
    }
  }
  // regions ascending by id, edges ascending by (u, v): a canonical, reproducible order
  const rOrder = Array.from({ length: regions.size }, (_, k) => k).sort(
    (p, q) => regions.a[p] - regions.a[q],
  );
  const eOrder = Array.from({ length: pairs.size }, (_, k) => k).sort(
    (p, q) => pairs.a[p] - pairs.a[q] || pairs.b[p] - pairs.b[q],
  );
  return {
    bins,
    regionIds: Float64Array.from(rOrder, (r) => regions.a[r]),
    regionVoxels: Float64Array.from(rOrder, (r) => regions.count[r]),
    regionSurface: Float64Array.from(rOrder, (r) => surface[r]),
    edges: pairs.size,
    u: Float64Array.from(eOrder, (e) => pairs.a[e]),
    v: Float64Array.from(eOrder, (e) => pairs.b[e]),
    boundary: permuteStats(stats, eOrder, bins),
    ...(rawStats && raw ? { raw: permuteStats(rawStats, eOrder, bins), rawRange: raw.range } : {}),
  };
}

function newStats(size: number, bins: number): ContactStats {
  return {
    count: new Float64Array(size),
    sum: new Float64Array(size),
    sumSq: new Float64Array(size),
    min: new Float64Array(size).fill(Number.POSITIVE_INFINITY),
    max: new Float64Array(size).fill(Number.NEGATIVE_INFINITY),
    histogram: new Uint32Array(size * bins),
  };
}

function growStats(s: ContactStats, bins: number): ContactStats {
  const next = newStats(s.count.length * 2, bins);
  next.count.set(s.count);
  next.sum.set(s.sum);
  next.sumSq.set(s.sumSq);
  next.min.set(s.min);
  next.max.set(s.max);
  next.histogram.set(s.histogram);
  return next;
}

function addValue(s: ContactStats, e: number, value: number, bins: number, lo: number, hi: number): void {
  s.count[e]++;
  s.sum[e] += value;
  s.sumSq[e] += value * value;
  if (value < s.min[e]) s.min[e] = value;
  if (value > s.max[e]) s.max[e] = value;
  s.histogram[e * bins + binOf(value, lo, hi, bins)]++;
}

/** `s` with entry k of the result taken from entry `order[k]`. */
function permuteStats(s: ContactStats, order: readonly number[], bins: number): ContactStats {
  const out = newStats(order.length, bins);
  order.forEach((e, k) => {
    out.count[k] = s.count[e];
    out.sum[k] = s.sum[e];
    out.sumSq[k] = s.sumSq[e];
    out.min[k] = s.min[e];
    out.max[k] = s.max[e];
    out.histogram.set(s.histogram.subarray(e * bins, (e + 1) * bins), k * bins);
  });
  return out;
}

/**
 * Merge the partial accumulators of all blocks ({@link blockEdgeFeatures}) into one
 * {@link EdgeFeatureTable} of the joined fragments, without reading voxels: `rootOf(id)` names the
 * fragment each id is joined into (fragments continuing across block faces; the identity when
 * none). Region voxels and surfaces add by joined id; edges add by joined pair (counts, sums,
 * histograms add; minima and maxima combine); an edge inside one joined fragment is dropped and its
 * faces taken off the fragment's surface (they were counted on both sides). Regions come out
 * ascending by id, edges ascending by (u, v). Sums are added in the order of `partials`.
 */
export function mergeBlockEdgeFeatures(
  partials: readonly BlockEdgeFeatures[],
  rootOf: (id: number) => number = (id) => id,
): EdgeFeatureTable {
  const bins = partials[0]?.bins ?? 32;
  const rawRange = partials[0]?.rawRange;
  partials.forEach((p, block) => {
    if (p.bins !== bins) {
      throw new SegmentBlockError("block edge features differ in histogram bins", {
        block,
        field: "bins",
        expected: String(bins),
        found: String(p.bins),
      });
    }
    if (String(p.rawRange) !== String(rawRange) || (p.raw === undefined) !== (rawRange === undefined)) {
      throw new SegmentBlockError("block edge features differ in their raw-image statistics", {
        block,
        field: "rawRange",
        expected: rawRange ? `raw statistics over [${rawRange}]` : "no raw statistics",
        found: p.rawRange ? `raw statistics over [${p.rawRange}]` : "no raw statistics",
      });
    }
  });
  // regions: every joined id, ascending
  const rootIds = new Set<number>();
  for (const p of partials) for (const id of p.regionIds) rootIds.add(rootOf(id));
  const regionIds = Float64Array.from(rootIds).sort();
  const indexOf = new Map<number, number>();
  for (let k = 0; k < regionIds.length; k++) indexOf.set(regionIds[k], k);
  const regionVoxels = new Float64Array(regionIds.length);
  const regionSurface = new Float64Array(regionIds.length);
  for (const p of partials) {
    for (let k = 0; k < p.regionIds.length; k++) {
      const r = indexOf.get(rootOf(p.regionIds[k])) as number;
      regionVoxels[r] += p.regionVoxels[k];
      regionSurface[r] += p.regionSurface[k];
    }
  }
  const pairs = new PairCounter(1024);
  let stats = newStats(1024, bins);
  let rawStats = rawRange ? newStats(1024, bins) : undefined;
  for (const [block, p] of partials.entries()) {
    const s = p.boundary;
    for (let e = 0; e < p.edges; e++) {
      const a = indexOf.get(rootOf(p.u[e]));
      const b = indexOf.get(rootOf(p.v[e]));
      if (a === undefined || b === undefined) {
        throw new SegmentBlockError("an edge of a block's features names a fragment no block lists", {
          block,
          field: "fragment id",
          expected: "ids listed as regions by some block",
          found: `${p.u[e]}, ${p.v[e]}`,
        });
      }
      if (a === b) {
        regionSurface[a] -= 2 * s.count[e];
        continue;
      }
      const k = a < b ? pairs.index(a, b) : pairs.index(b, a);
      if (k >= stats.count.length) {
        stats = growStats(stats, bins);
        if (rawStats) rawStats = growStats(rawStats, bins);
      }
      addContactStats(stats, k, s, e, bins);
      if (rawStats && p.raw) addContactStats(rawStats, k, p.raw, e, bins);
    }
  }
  const order = Array.from({ length: pairs.size }, (_, k) => k).sort(
    (p, q) => pairs.a[p] - pairs.a[q] || pairs.b[p] - pairs.b[q],
  );
  return {
    bins,
    boundaryRange: [0, 1],
    regions: regionIds.length,
    regionIds,
    regionVoxels,
    regionSurface,
    edges: order.length,
    u: Int32Array.from(order, (e) => pairs.a[e]),
    v: Int32Array.from(order, (e) => pairs.b[e]),
    boundary: permuteStats(stats, order, bins),
    ...(rawStats && rawRange ? { raw: permuteStats(rawStats, order, bins), rawRange } : {}),
  };
}

/**
 * `table` with regions sorted by fragment id and edges by (u, v) (as {@link mergeBlockEdgeFeatures}
 * returns them): a canonical form, so that two tables of the same volume compare equal.
 */
export function canonicalEdgeFeatureTable(table: EdgeFeatureTable): EdgeFeatureTable {
  const rOrder = Array.from({ length: table.regions }, (_, k) => k).sort(
    (p, q) => table.regionIds[p] - table.regionIds[q],
  );
  const rank = new Int32Array(table.regions);
  rOrder.forEach((r, k) => {
    rank[r] = k;
  });
  const u = Int32Array.from(table.u, (r) => rank[r]);
  const v = Int32Array.from(table.v, (r) => rank[r]);
  const eOrder = Array.from({ length: table.edges }, (_, k) => k).sort((p, q) => u[p] - u[q] || v[p] - v[q]);
  return {
    ...table,
    regionIds: Float64Array.from(rOrder, (r) => table.regionIds[r]),
    regionVoxels: Float64Array.from(rOrder, (r) => table.regionVoxels[r]),
    regionSurface: Float64Array.from(rOrder, (r) => table.regionSurface[r]),
    u: Int32Array.from(eOrder, (e) => u[e]),
    v: Int32Array.from(eOrder, (e) => v[e]),
    boundary: permuteStats(table.boundary, eOrder, table.bins),
    raw: table.raw ? permuteStats(table.raw, eOrder, table.bins) : undefined,
  };
}
