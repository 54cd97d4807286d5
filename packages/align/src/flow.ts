import { AlignInputError } from "./errors.js";
import type { MeshGeometry } from "./map.js";
import { PatchCorrelator } from "./patch-correlator.js";
import type { PhaseCorrelationOptions } from "./phase-correlation.js";
import type { Section } from "./section.js";

/** Options of {@link flowField} and {@link cleanFlow}. */
export interface FlowOptions extends PhaseCorrelationOptions {
  /** Side of the square patches, px (default 160). */
  patchSize?: number;
  /** A match is weak below this peak ratio (default 1.2). */
  minPeakRatio?: number;
  /**
   * A match is weak below this peak height (the sharpness of the normalised correlation peak: 1 for
   * identical patches, falling as the peak spreads or the patches differ; default 0: not used).
   */
  minPeak?: number;
  /** A match is dropped when it moves more than this, px (default: a quarter of the patch). */
  maxMagnitude?: number;
  /** A match is dropped when it differs from the median of its valid neighbours by more than this, px (default 3). */
  maxDeviation?: number;
}

/**
 * A flow field on the nodes of a mesh: where the patch of `fixed` around each node lies in `moving`,
 * as the shift (dy, dx) from the node: fixed(p) ≈ moving(p + (dy, dx)). Nodes whose patch does not
 * fit in the section, or whose match was cleaned away, are invalid (`valid` 0).
 */
export interface FlowField extends MeshGeometry {
  dy: Float64Array;
  dx: Float64Array;
  peak: Float64Array;
  peakRatio: Float64Array;
  valid: Uint8Array;
}

/** Smallest patch used near the section's edges, px. */
const MIN_PATCH = 48;

/** Copy the `size × size` patch with top-left corner (y0, x0) of s into out (the patch must fit). */
function cutPatch(s: Section, y0: number, x0: number, size: number, out: Float64Array): boolean {
  const { data, width } = s;
  for (let y = 0; y < size; y++) {
    const o = (y0 + y) * width + x0;
    for (let x = 0; x < size; x++) {
      const v = data[o + x];
      if (!Number.isFinite(v)) return false;
      out[y * size + x] = v;
    }
  }
  return true;
}

/**
 * The flow field between two sections of the same size on the nodes of `grid`: the patch of each
 * section around a node (when it fits inside the section and holds no fill) is phase-correlated.
 * Matches are not cleaned: see {@link cleanFlow}.
 */
export function flowField(
  fixed: Section,
  moving: Section,
  grid: MeshGeometry,
  options: FlowOptions = {},
): FlowField {
  const size = options.patchSize ?? 160;
  if (!(Number.isInteger(size) && size >= 8)) {
    throw new AlignInputError("patchSize must be an integer >= 8", {
      field: "patchSize",
      expected: "an integer >= 8",
      found: String(size),
    });
  }
  const n = grid.rows * grid.cols;
  const flow: FlowField = {
    ...grid,
    dy: new Float64Array(n),
    dx: new Float64Array(n),
    peak: new Float64Array(n),
    peakRatio: new Float64Array(n),
    valid: new Uint8Array(n),
  };
  // near the edges a node gets the largest centred patch that fits (a multiple of 16, at least
  // MIN_PATCH), so the flow reaches close to the section's edges instead of being extrapolated there
  const correlators = new Map<number, PatchCorrelator>();
  const buffers = new Map<number, [Float64Array, Float64Array]>();
  for (let r = 0; r < grid.rows; r++) {
    for (let c = 0; c < grid.cols; c++) {
      const cy = grid.y0 + r * grid.stride;
      const cx = grid.x0 + c * grid.stride;
      // room on each side of the node, to the outer edges of the edge pixels
      const room = Math.min(cy + 0.5, cx + 0.5, fixed.height - 0.5 - cy, fixed.width - 0.5 - cx);
      const fits = Math.min(size, 16 * Math.floor((2 * room) / 16));
      if (fits < Math.min(size, MIN_PATCH)) continue;
      let correlator = correlators.get(fits);
      let pair = buffers.get(fits);
      if (!correlator || !pair) {
        correlator = new PatchCorrelator(fits, { maxShift: fits / 4, ...options });
        pair = [new Float64Array(fits * fits), new Float64Array(fits * fits)];
        correlators.set(fits, correlator);
        buffers.set(fits, pair);
      }
      const [a, b] = pair;
      const y0 = Math.round(cy - (fits - 1) / 2);
      const x0 = Math.round(cx - (fits - 1) / 2);
      if (y0 < 0 || x0 < 0 || y0 + fits > fixed.height || x0 + fits > fixed.width) continue;
      if (!cutPatch(fixed, y0, x0, fits, a) || !cutPatch(moving, y0, x0, fits, b)) continue;
      const t = correlator.correlate(a, b);
      const i = r * grid.cols + c;
      // fixed(q) ≈ moving(q − s): the fixed point p lies at p − s in the moving section (the patch
      // centre may sit half a pixel from the node; the shift of a smooth field is the same there)
      flow.dy[i] = -t.dy;
      flow.dx[i] = -t.dx;
      flow.peak[i] = t.peak;
      flow.peakRatio[i] = t.peakRatio;
      flow.valid[i] = 1;
    }
  }
  return flow;
}

function median(xs: number[]): number {
  xs.sort((p, q) => p - q);
  const m = xs.length >> 1;
  return xs.length % 2 ? xs[m] : 0.5 * (xs[m - 1] + xs[m]);
}

/**
 * Drop weak and outlying matches, in place: peak ratio below `minPeakRatio`, peak height below
 * `minPeak`, shift above
 * `maxMagnitude`, or more than `maxDeviation` from the median of the valid matches among its 8
 * neighbours (repeated until nothing changes, so a cluster of outliers is peeled from its edge).
 * Returns the number of valid matches left.
 */
export function cleanFlow(flow: FlowField, options: FlowOptions = {}): number {
  const minRatio = options.minPeakRatio ?? 1.2;
  const minPeak = options.minPeak ?? 0;
  const maxMag = options.maxMagnitude ?? (options.patchSize ?? 160) / 4;
  const maxDev = options.maxDeviation ?? 3;
  const { rows, cols, dy, dx, valid, peak, peakRatio } = flow;
  for (let i = 0; i < rows * cols; i++) {
    if (!valid[i]) continue;
    if (!(peakRatio[i] >= minRatio) || !(peak[i] >= minPeak) || Math.hypot(dy[i], dx[i]) > maxMag)
      valid[i] = 0;
  }
  for (let round = 0; round < 8; round++) {
    const drop: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c;
        if (!valid[i]) continue;
        const ny: number[] = [];
        const nx: number[] = [];
        for (let j = -1; j <= 1; j++) {
          for (let k = -1; k <= 1; k++) {
            const rr = r + j;
            const cc = c + k;
            if ((j === 0 && k === 0) || rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
            const m = rr * cols + cc;
            if (!valid[m]) continue;
            ny.push(dy[m]);
            nx.push(dx[m]);
          }
        }
        // an isolated match cannot be checked against anything: it is kept only with a clear peak
        if (ny.length < 2) {
          if (!(peakRatio[i] >= 2 * minRatio)) drop.push(i);
          continue;
        }
        if (Math.hypot(dy[i] - median(ny), dx[i] - median(nx)) > maxDev) drop.push(i);
      }
    }
    if (drop.length === 0) break;
    // drop the worst half of the flagged ones per round, so a good match next to an outlier survives
    drop.sort((p, q) => peakRatio[p] - peakRatio[q]);
    for (const i of drop.slice(0, Math.max(1, Math.ceil(drop.length / 2)))) valid[i] = 0;
  }
  let left = 0;
  for (let i = 0; i < rows * cols; i++) left += valid[i];
  return left;
}
