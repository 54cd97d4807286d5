import { type Affinities, checkAffinities } from "./affinities.js";
import { checkShape } from "./arrays.js";
import { SegmentOptionsError, SegmentShapeError, SegmentValueError } from "./errors.js";
import { FaceList } from "./face-list.js";
import { PairCounter } from "./pair-counter.js";

/**
 * Region adjacency graph of fragments: one edge per pair of touching fragments (u < v), with the sum
 * and number of the affinities of the voxel faces between them (mean affinity = sum / count; count is
 * the contact area in voxel faces), optionally a histogram of those affinities for quantiles.
 */
export interface RegionGraph {
  /** Number of edges. */
  size: number;
  /** Smaller fragment id of each edge. */
  u: Float64Array;
  /** Larger fragment id of each edge. */
  v: Float64Array;
  /** Sum of the affinities of the faces between u and v. */
  sum: Float64Array;
  /** Number of faces between u and v (contact area in voxel faces). */
  count: Float64Array;
  /** Contact area in nm² (each face weighted by its area), when a resolution was given. */
  areaNm2?: Float64Array;
  /** Histogram bins per edge (0 when none). */
  bins: number;
  /** `histogram[e · bins + b]`: faces of edge e whose affinity falls in bin b of [0, 1]. */
  histogram?: Uint32Array;
  /**
   * Lowest global face index of each edge, `((z·Y + y)·X + x)·3 + axis` over the whole volume: a
   * position that does not depend on fragment ids or on the block decomposition (agglomeration
   * breaks score ties with it).
   */
  firstFace?: Float64Array;
}

/** Options of {@link buildRegionGraph}. */
export interface RegionGraphOptions {
  /** Histogram bins per edge for quantile scoring (default 0: none; waterz uses 256). */
  histogramBins?: number;
  /** Voxel size `[z, y, x]` in nm: adds `areaNm2`. */
  resolutionNm?: readonly [number, number, number];
  /**
   * Only faces between a voxel inside `[begin, end)` and its neighbour at −1 along an axis are counted
   * (the neighbour may lie outside); blockwise tasks pass their write box so every face is counted once.
   * Default: the whole volume.
   */
  region?: { begin: readonly number[]; end: readonly number[] };
  /** Position of this array's first voxel in the whole volume (default `[0, 0, 0]`), for `firstFace`. */
  origin?: readonly [number, number, number];
  /** Shape of the whole volume (default: `shape`), for `firstFace`. */
  volumeShape?: readonly [number, number, number];
}

/** Growable parallel arrays of edge statistics. */
class EdgeStats {
  sum = new Float64Array(1024);
  area = new Float64Array(1024);
  first = new Float64Array(1024).fill(Number.POSITIVE_INFINITY);
  histogram: Uint32Array;
  constructor(readonly bins: number) {
    this.histogram = new Uint32Array(1024 * bins);
  }
  ensure(e: number): void {
    if (e < this.sum.length) return;
    const grow = <T extends Float64Array | Uint32Array>(old: T, factor: number): T => {
      const next = new (old.constructor as new (n: number) => T)(old.length * 2 * factor || 1024);
      next.set(old);
      return next;
    };
    this.sum = grow(this.sum, 1);
    this.area = grow(this.area, 1);
    const first = new Float64Array(this.first.length * 2).fill(Number.POSITIVE_INFINITY);
    first.set(this.first);
    this.first = first;
    if (this.bins > 0) this.histogram = grow(this.histogram, 1);
  }
}

function nonFinite(affinities: Float32Array, index: number): never {
  throw new SegmentValueError("affinities hold a non-finite value", {
    field: "affinities",
    expected: "finite numbers",
    found: `${affinities[index]} at flat index ${index}`,
  });
}

/**
 * Build the region graph of `fragments` (0 = background, no edges) over `affinities` (see
 * {@link Affinities}): every face between two different non-zero fragments adds its affinity to
 * their edge. Fragment ids may be any non-negative integers below 2^53. Throws
 * {@link SegmentValueError} when the affinity of such a face is not finite (no other value is read).
 */
export function buildRegionGraph(
  fragments: ArrayLike<number>,
  shape: readonly number[],
  affinities: Affinities,
  options: RegionGraphOptions = {},
): RegionGraph {
  const [Z, Y, X] = checkShape(shape);
  // only the affinities of faces between two fragments are read; they are checked as they are read
  checkAffinities(affinities, shape, "affinities", false);
  const n = Z * Y * X;
  if (fragments.length !== n) {
    throw new SegmentShapeError("fragments do not match the affinities", {
      field: "fragments",
      expected: `${n} values (${shape.join("×")})`,
      found: `${fragments.length} values`,
    });
  }
  const bins = options.histogramBins ?? 0;
  if (!Number.isInteger(bins) || bins < 0 || bins > 65536) {
    throw new SegmentOptionsError("invalid histogram bins", {
      field: "histogramBins",
      expected: "an integer in [0, 65536]",
      found: String(bins),
    });
  }
  const begin = options.region?.begin ?? [0, 0, 0];
  const end = options.region?.end ?? [Z, Y, X];
  const res = options.resolutionNm;
  const faceArea = res ? [res[1] * res[2], res[0] * res[2], res[0] * res[1]] : [1, 1, 1];
  const pairs = new PairCounter(1024);
  const stats = new EdgeStats(bins);
  const XY = X * Y;
  const origin = options.origin ?? [0, 0, 0];
  const [, GY, GX] = options.volumeShape ?? [Z, Y, X];
  const [z0, y0, x0] = begin;
  const [z1, y1, x1] = end;
  // One pass over the voxels lists the faces between two different non-zero fragments, per axis (most
  // faces join a fragment to itself); then each axis's faces are added in voxel order, so every sum
  // is accumulated in the same order as axis by axis over the volume.
  const faces = [new FaceList(), new FaceList(), new FaceList()];
  const [zFaces, yFaces, xFaces] = faces;
  for (let z = z0; z < z1; z++) {
    const withZ = z > 0;
    for (let y = y0; y < y1; y++) {
      const withY = y > 0;
      const row = z * XY + y * X;
      let x = x0;
      let left = x > 0 ? fragments[row + x - 1] : 0;
      for (; x < x1; x++) {
        const i = row + x;
        const a = fragments[i];
        if (a !== 0) {
          if (left !== a && left !== 0) xFaces.push(i);
          if (withY) {
            const b = fragments[i - X];
            if (b !== a && b !== 0) yFaces.push(i);
          }
          if (withZ) {
            const b = fragments[i - XY];
            if (b !== a && b !== 0) zFaces.push(i);
          }
        }
        left = a;
      }
    }
  }
  for (let c = 0; c < 3; c++) {
    const step = c === 0 ? XY : c === 1 ? X : 1;
    const offset = c * n;
    const area = faceArea[c];
    const list = faces[c].items;
    let lastA = -1;
    let lastB = -1;
    let e = -1;
    // the list ascends: find each row's position once, not per face
    let rowBegin = 0;
    let rowEnd = 0;
    let globalRow = 0;
    for (let k = 0, count = faces[c].size; k < count; k++) {
      const i = list[k];
      if (i >= rowEnd) {
        const z = Math.floor(i / XY);
        const y = Math.floor((i - z * XY) / X);
        rowBegin = z * XY + y * X;
        rowEnd = rowBegin + X;
        globalRow = ((z + origin[0]) * GY + y + origin[1]) * GX + origin[2];
      }
      const a = fragments[i];
      const b = fragments[i - step];
      if (a !== lastA || b !== lastB) {
        e = a < b ? pairs.index(a, b) : pairs.index(b, a);
        stats.ensure(e);
        lastA = a;
        lastB = b;
      }
      const value = affinities[offset + i];
      if (value - value !== 0) nonFinite(affinities, offset + i);
      const face = (globalRow + i - rowBegin) * 3 + c;
      if (face < stats.first[e]) stats.first[e] = face;
      pairs.count[e]++;
      stats.sum[e] += value;
      stats.area[e] += area;
      if (bins > 0) {
        let bin = Math.floor(value * bins);
        if (bin >= bins) bin = bins - 1;
        else if (bin < 0) bin = 0;
        stats.histogram[e * bins + bin]++;
      }
    }
  }
  const size = pairs.size;
  return {
    size,
    u: pairs.a.slice(0, size),
    v: pairs.b.slice(0, size),
    sum: stats.sum.slice(0, size),
    count: pairs.count.slice(0, size),
    areaNm2: res ? stats.area.slice(0, size) : undefined,
    bins,
    histogram: bins > 0 ? stats.histogram.slice(0, size * bins) : undefined,
    firstFace: stats.first.slice(0, size),
  };
}

/**
 * Merge region graphs (e.g. one per block): edges of the same pair are combined (sums, counts, areas
 * and histograms added, the lowest first face kept). All graphs must have the same number of histogram bins.
 */
export function mergeRegionGraphs(graphs: readonly RegionGraph[]): RegionGraph {
  const bins = graphs[0]?.bins ?? 0;
  const withArea = graphs.length > 0 && graphs.every((g) => g.areaNm2 !== undefined);
  const withFirst = graphs.length > 0 && graphs.every((g) => g.firstFace !== undefined);
  const pairs = new PairCounter(graphs.reduce((s, g) => s + g.size, 0) + 16);
  const stats = new EdgeStats(bins);
  graphs.forEach((g, k) => {
    if (g.bins !== bins) {
      throw new SegmentOptionsError("region graphs differ in histogram bins", {
        field: `graphs[${k}].bins`,
        expected: String(bins),
        found: String(g.bins),
      });
    }
    for (let e = 0; e < g.size; e++) {
      const f = pairs.index(g.u[e], g.v[e]);
      stats.ensure(f);
      pairs.count[f] += g.count[e];
      stats.sum[f] += g.sum[e];
      if (withArea) stats.area[f] += (g.areaNm2 as Float64Array)[e];
      if (withFirst) stats.first[f] = Math.min(stats.first[f], (g.firstFace as Float64Array)[e]);
      if (bins > 0) {
        const h = g.histogram as Uint32Array;
        for (let b = 0; b < bins; b++) stats.histogram[f * bins + b] += h[e * bins + b];
      }
    }
  });
  const size = pairs.size;
  return {
    size,
    u: pairs.a.slice(0, size),
    v: pairs.b.slice(0, size),
    sum: stats.sum.slice(0, size),
    count: pairs.count.slice(0, size),
    areaNm2: withArea ? stats.area.slice(0, size) : undefined,
    bins,
    histogram: bins > 0 ? stats.histogram.slice(0, size * bins) : undefined,
    firstFace: withFirst ? stats.first.slice(0, size) : undefined,
  };
}
