import { checkShape } from "./arrays.js";
import { contactFaces } from "./contact-faces.js";
import { SegmentOptionsError, SegmentShapeError } from "./errors.js";

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
 * (high = membrane), with flat typed arrays (one pass over the voxels lists the contact faces,
 * {@link contactFaces}; the statistics are then added face by face): for every pair of touching
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
  const c = contactFaces(fragments, Z, Y, X);
  const { inner, outer, faces } = c;
  const values = new Float64Array(faces);
  for (let k = 0; k < faces; k++) values[k] = Math.max(boundaries[inner[k]], boundaries[outer[k]]);
  const boundary = contactStats(c.faceEdge, values, c.edges, bins, 0, 1);
  let rawStats: ContactStats | undefined;
  if (raw && rawRange) {
    for (let k = 0; k < faces; k++) values[k] = (raw[inner[k]] + raw[outer[k]]) / 2;
    rawStats = contactStats(c.faceEdge, values, c.edges, bins, rawRange[0], rawRange[1]);
  }
  return {
    bins,
    boundaryRange: [0, 1],
    rawRange,
    regions: c.regions,
    regionIds: c.regionIds,
    regionVoxels: c.regionVoxels,
    regionSurface: c.regionSurface,
    edges: c.edges,
    u: c.u,
    v: c.v,
    boundary,
    raw: rawStats,
  };
}

/**
 * Statistics of `values[k]` over the faces of each edge (`faceEdge[k]`), added in face order;
 * histogram of `bins` bins over [lo, hi] ({@link binOf}).
 */
function contactStats(
  faceEdge: Int32Array,
  values: Float64Array,
  edges: number,
  bins: number,
  lo: number,
  hi: number,
): ContactStats {
  const count = new Float64Array(edges);
  const sum = new Float64Array(edges);
  const sumSq = new Float64Array(edges);
  const min = new Float64Array(edges).fill(Number.POSITIVE_INFINITY);
  const max = new Float64Array(edges).fill(Number.NEGATIVE_INFINITY);
  const histogram = new Uint32Array(edges * bins);
  for (let k = 0; k < faceEdge.length; k++) {
    const e = faceEdge[k];
    const value = values[k];
    count[e]++;
    sum[e] += value;
    sumSq[e] += value * value;
    if (value < min[e]) min[e] = value;
    if (value > max[e]) max[e] = value;
    histogram[e * bins + binOf(value, lo, hi, bins)]++;
  }
  return { count, sum, sumSq, min, max, histogram };
}
