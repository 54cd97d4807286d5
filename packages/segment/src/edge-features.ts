import { checkShape } from "./arrays.js";
import { SegmentOptionsError, SegmentShapeError } from "./errors.js";
import { PairCounter } from "./pair-counter.js";

/**
 * Statistics of values on the contacts of every edge, struct of arrays (edge `e` at index `e`):
 * everything merges by addition, min and max, so the statistics of a merged edge come from its
 * parts without rescanning voxels.
 */
export interface ContactStats {
  /** Faces in the contact (the contact area in voxel faces). */
  count: Float64Array;
  sum: Float64Array;
  sumSq: Float64Array;
  min: Float64Array;
  max: Float64Array;
  /** `histogram[e · bins + b]`: faces of edge e whose value falls in bin b of the value range. */
  histogram: Uint32Array;
}

/**
 * Per-edge feature accumulators of a fragment volume ({@link edgeFeatures}); regions are the
 * fragments (by index, `regionIds[r]` the fragment id), edges the pairs of touching fragments.
 */
export interface EdgeFeatureTable {
  /** Histogram bins (for quantiles) over {@link EdgeFeatureTable.boundaryRange} / `rawRange`. */
  bins: number;
  /** Value range of the boundary histogram (`[0, 1]`). */
  boundaryRange: readonly [number, number];
  /** Value range of the raw-image histogram, when a raw image was given. */
  rawRange?: readonly [number, number];
  /** Number of regions (non-zero fragments). */
  regions: number;
  /** Fragment id of each region. */
  regionIds: Float64Array;
  /** Voxels of each region. */
  regionVoxels: Float64Array;
  /** Faces between each region and any other label (background included; the volume's border not). */
  regionSurface: Float64Array;
  /** Number of edges. */
  edges: number;
  /** Region index of each edge's end with the smaller fragment id. */
  u: Int32Array;
  /** Region index of each edge's other end. */
  v: Int32Array;
  /** Boundary value of each contact face: the larger of its two voxels' values. */
  boundary: ContactStats;
  /** Raw value of each contact face: the mean of its two voxels' values (when a raw image was given). */
  raw?: ContactStats;
}

/** Options of {@link edgeFeatures}. */
export interface EdgeFeatureOptions {
  /** Histogram bins for the quantiles (default 32; 1 … 4096). */
  bins?: number;
  /** Raw image (same shape), whose contact statistics are added. */
  raw?: ArrayLike<number>;
  /** Value range of the raw histogram (default [0, 255] for Uint8Array, [0, 65535] for Uint16Array, else [0, 1]). */
  rawRange?: readonly [number, number];
}

class Growable {
  data: Float64Array;
  constructor(
    size: number,
    readonly fill: number,
  ) {
    this.data = new Float64Array(size).fill(fill);
  }
  ensure(n: number): Float64Array {
    if (n > this.data.length) {
      const next = new Float64Array(Math.max(n, this.data.length * 2)).fill(this.fill);
      next.set(this.data);
      this.data = next;
    }
    return this.data;
  }
}

/** Growable contact statistics. */
class StatsBuilder {
  count = new Growable(1024, 0);
  sum = new Growable(1024, 0);
  sumSq = new Growable(1024, 0);
  min = new Growable(1024, Number.POSITIVE_INFINITY);
  max = new Growable(1024, Number.NEGATIVE_INFINITY);
  histogram: Uint32Array;
  constructor(
    readonly bins: number,
    readonly lo: number,
    readonly hi: number,
  ) {
    this.histogram = new Uint32Array(1024 * bins);
  }
  ensure(edges: number): void {
    if (edges <= this.count.data.length) return;
    for (const g of [this.count, this.sum, this.sumSq, this.min, this.max]) g.ensure(edges);
    const histogram = new Uint32Array(this.count.data.length * this.bins);
    histogram.set(this.histogram);
    this.histogram = histogram;
  }
  add(e: number, value: number): void {
    this.count.data[e]++;
    this.sum.data[e] += value;
    this.sumSq.data[e] += value * value;
    if (value < this.min.data[e]) this.min.data[e] = value;
    if (value > this.max.data[e]) this.max.data[e] = value;
    this.histogram[e * this.bins + binOf(value, this.lo, this.hi, this.bins)]++;
  }
  finish(edges: number): ContactStats {
    return {
      count: this.count.data.slice(0, edges),
      sum: this.sum.data.slice(0, edges),
      sumSq: this.sumSq.data.slice(0, edges),
      min: this.min.data.slice(0, edges),
      max: this.max.data.slice(0, edges),
      histogram: this.histogram.slice(0, edges * this.bins),
    };
  }
}

/** Histogram bin of `value` in `[lo, hi]` with `bins` bins (values outside go to the end bins). */
export function binOf(value: number, lo: number, hi: number, bins: number): number {
  const b = Math.floor(((value - lo) / (hi - lo)) * bins);
  return b < 0 ? 0 : b >= bins ? bins - 1 : b;
}

function defaultRawRange(raw: ArrayLike<number>): [number, number] {
  if (raw instanceof Uint8Array) return [0, 255];
  if (raw instanceof Uint16Array) return [0, 65535];
  return [0, 1];
}

/**
 * Edge features of `fragments` (0 = background: no region, no edge) over a boundary map in [0, 1]
 * (high = membrane), in one pass over the voxels with flat typed arrays: for every pair of touching
 * fragments, the statistics ({@link ContactStats}) of the boundary values of the faces between them
 * (6-connectivity; a face's value is the larger of its two voxels'), the same for `options.raw` (a
 * face's value the mean of its two voxels'), and each region's voxels and surface. Fragment ids may
 * be any non-negative integers below 2^53.
 */
export function edgeFeatures(
  fragments: ArrayLike<number>,
  boundaries: ArrayLike<number>,
  shape: readonly number[],
  options: EdgeFeatureOptions = {},
): EdgeFeatureTable {
  const [Z, Y, X] = checkShape(shape);
  const n = Z * Y * X;
  for (const [field, array] of [
    ["fragments", fragments],
    ["boundaries", boundaries],
    ["raw", options.raw ?? fragments],
  ] as const) {
    if (array.length !== n) {
      throw new SegmentShapeError(`${field} do not match the shape`, {
        field,
        expected: `${n} values (${shape.join("×")})`,
        found: `${array.length} values`,
      });
    }
  }
  const bins = options.bins ?? 32;
  if (!Number.isInteger(bins) || bins < 1 || bins > 4096) {
    throw new SegmentOptionsError("invalid histogram bins", {
      field: "bins",
      expected: "an integer in [1, 4096]",
      found: String(bins),
    });
  }
  const raw = options.raw;
  const rawRange = raw ? (options.rawRange ?? defaultRawRange(raw)) : undefined;
  const regions = new PairCounter(1024);
  const surface = new Growable(1024, 0);
  const edges = new PairCounter(1024);
  const boundary = new StatsBuilder(bins, 0, 1);
  const rawStats = rawRange ? new StatsBuilder(bins, rawRange[0], rawRange[1]) : undefined;
  const regionOf = new Int32Array(n).fill(-1);
  const XY = X * Y;

  // the face between voxel i (label a, region ra) and j = i − step (label b)
  const face = (i: number, j: number, a: number, ra: number) => {
    const b = fragments[j];
    if (b === a) return;
    const rb = regionOf[j];
    const s = surface.data;
    if (ra >= 0) s[ra]++;
    if (rb >= 0) s[rb]++;
    if (ra < 0 || rb < 0) return;
    const e = a < b ? edges.index(ra, rb) : edges.index(rb, ra);
    boundary.ensure(edges.size);
    boundary.add(e, Math.max(boundaries[i], boundaries[j]));
    if (rawStats && raw) {
      rawStats.ensure(edges.size);
      rawStats.add(e, (raw[i] + raw[j]) / 2);
    }
  };

  let last = -1;
  let lastRegion = -1;
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      const row = z * XY + y * X;
      for (let x = 0; x < X; x++) {
        const i = row + x;
        const a = fragments[i];
        let ra = -1;
        if (a !== 0) {
          if (a !== last) {
            lastRegion = regions.index(a, 0);
            last = a;
            surface.ensure(regions.size);
          }
          ra = lastRegion;
          regions.count[ra]++;
          regionOf[i] = ra;
        }
        if (x > 0) face(i, i - 1, a, ra);
        if (y > 0) face(i, i - X, a, ra);
        if (z > 0) face(i, i - XY, a, ra);
      }
    }
  }
  const m = edges.size;
  const u = new Int32Array(m);
  const v = new Int32Array(m);
  for (let e = 0; e < m; e++) {
    u[e] = edges.a[e];
    v[e] = edges.b[e];
  }
  return {
    bins,
    boundaryRange: [0, 1],
    rawRange,
    regions: regions.size,
    regionIds: regions.a.slice(0, regions.size),
    regionVoxels: regions.count.slice(0, regions.size),
    regionSurface: surface.data.slice(0, regions.size),
    edges: m,
    u,
    v,
    boundary: boundary.finish(m),
    raw: rawStats?.finish(m),
  };
}
