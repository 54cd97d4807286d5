import {
  type Affine,
  applyAffine,
  composeAffine,
  correspondences,
  fitRobust,
  type RobustFit,
} from "./fit.js";
import { cleanFlow, type FlowField, type FlowOptions, flowField } from "./flow.js";
import { mapPoint, meshFrom, meshGeometry, renderSection } from "./map.js";
import { matchPatches } from "./patch-matches.js";
import { phaseCorrelate } from "./phase-correlation.js";
import type { Section } from "./section.js";
import type { AlignMode, MeshMap, SectionMap } from "./stack-types.js";

/** Options of {@link pairMap}. */
export interface PairMapOptions extends FlowOptions {
  mode?: AlignMode;
  /** Distance between patch centres / mesh nodes, px (default 40 elastic, patchSize/2 otherwise). */
  stride?: number;
  /** Passes of flow estimation on the section resampled by the map so far (elastic; default 4). */
  flowPasses?: number;
  /** RANSAC inlier distance of the affine stage, px (default 2). */
  thresholdPx?: number;
}

/** The map between two raw sections found by {@link pairMap}. */
export interface PairResult {
  /** Raw fixed (reference) coordinates → raw moving coordinates. */
  map: SectionMap;
  /** Elastic: 1 for mesh nodes whose position comes from a match that survived cleaning; null otherwise. */
  valid: Uint8Array | null;
  /** Patch matches measured, and those kept (RANSAC inliers, or cleaned flow matches). */
  matches: number;
  inliers: number;
  /** RMS residual of the kept matches under the map, px (null when none were kept). */
  residualRms: number | null;
  /** Peak ratio of the global phase correlation. */
  peakRatio: number;
}

/** Smallest number of kept matches for an affine or rigid fit to count. */
const MIN_FIT_MATCHES = 6;

/**
 * Global translation, then an affine (or rigid) map from patch matches refitted on the moving
 * section resampled by the map so far. Returns null for the fit when too few patches matched.
 */
function linearStage(
  fixed: Section,
  moving: Section,
  model: "translation" | "rigid" | "affine",
  options: PairMapOptions,
): { transform: Affine; fit: RobustFit | null; matches: number; peakRatio: number } {
  const t = phaseCorrelate(fixed, moving, { spectralWidth: options.spectralWidth });
  let transform: Affine = [1, 0, -t.dy, 0, 1, -t.dx];
  if (model === "translation") return { transform, fit: null, matches: 1, peakRatio: t.peakRatio };
  // patches small enough that a 3 × 3 grid of them fits the section, at most the elastic patch size
  const side = Math.min(fixed.width, fixed.height);
  const patchSize = Math.max(16, Math.min(options.patchSize ?? 128, 16 * Math.floor(side / 2 / 16)));
  let fit: RobustFit | null = null;
  let matches = 0;
  for (let pass = 0; pass < 2; pass++) {
    const resampled = {
      data: renderSection(moving, { kind: "affine", affine: transform }, Number.NaN),
      width: fixed.width,
      height: fixed.height,
    };
    const found = matchPatches(
      fixed,
      { ...resampled, data: fillNaN(resampled.data) },
      {
        patchSize,
        stride: options.stride ?? Math.max(8, Math.floor(patchSize / 2)),
        minPeakRatio: options.minPeakRatio ?? 1.2,
        spectralWidth: options.spectralWidth,
      },
    );
    matches = found.length;
    if (found.length < MIN_FIT_MATCHES) return { transform, fit: null, matches, peakRatio: t.peakRatio };
    const f = fitRobust(correspondences(found), { model, thresholdPx: options.thresholdPx ?? 2 });
    if (f.inliers.length < MIN_FIT_MATCHES) return { transform, fit: null, matches, peakRatio: t.peakRatio };
    fit = f;
    transform = composeAffine(transform, f.transform);
  }
  return { transform, fit, matches, peakRatio: t.peakRatio };
}

/** NaN (outside the resampled section) replaced by the mean of the finite values. */
function fillNaN(data: Float32Array): Float32Array {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    if (Number.isFinite(data[i])) {
      sum += data[i];
      n++;
    }
  }
  const mean = n > 0 ? sum / n : 0;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number.isFinite(data[i]) ? data[i] : mean;
  return out;
}

/** Shifts of invalid nodes filled from their valid neighbours (repeated averaging; 0 where none are reachable). */
function inpaint(flow: FlowField): void {
  const { rows, cols, dy, dx, valid } = flow;
  const known = Uint8Array.from(valid);
  for (let i = 0; i < known.length; i++) {
    if (!known[i]) {
      dy[i] = 0;
      dx[i] = 0;
    }
  }
  for (let round = 0; round < rows + cols; round++) {
    let changed = false;
    const next = Uint8Array.from(known);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c;
        if (known[i]) continue;
        let sy = 0;
        let sx = 0;
        let k = 0;
        for (const [rr, cc] of [
          [r - 1, c],
          [r + 1, c],
          [r, c - 1],
          [r, c + 1],
        ]) {
          if (rr < 0 || cc < 0 || rr >= rows || cc >= cols) continue;
          const m = rr * cols + cc;
          if (!known[m]) continue;
          sy += dy[m];
          sx += dx[m];
          k++;
        }
        if (k === 0) continue;
        dy[i] = sy / k;
        dx[i] = sx / k;
        next[i] = 1;
        changed = true;
      }
    }
    known.set(next);
    if (!changed) break;
  }
}

/**
 * The map from raw section `fixed` to raw section `moving` (both the same size): a global phase
 * correlation, an affine (or rigid) fit to patch matches, and for elastic mode a flow field on a mesh
 * refined over `flowPasses` passes, each matching `fixed` against `moving` resampled by the map so far
 * (coarse to fine: the residual shrinks each pass, so patch averaging and large shifts stop biasing it).
 */
export function pairMap(fixed: Section, moving: Section, options: PairMapOptions = {}): PairResult {
  const mode = options.mode ?? "elastic";
  // elastic: the affine stage picks its own patches (the stride option is the mesh's)
  const linear =
    mode === "elastic"
      ? linearStage(fixed, moving, "affine", { ...options, patchSize: undefined, stride: undefined })
      : linearStage(fixed, moving, mode, options);
  if (mode !== "elastic") {
    return {
      map: { kind: "affine", affine: linear.transform },
      valid: null,
      matches: linear.matches,
      inliers: linear.fit ? linear.fit.inliers.length : mode === "translation" ? 1 : 0,
      residualRms: linear.fit ? linear.fit.rmsPx : null,
      peakRatio: linear.peakRatio,
    };
  }
  const patchSize = options.patchSize ?? 160;
  const grid = meshGeometry(fixed.height, fixed.width, options.stride ?? 40);
  let map: MeshMap = meshFrom(grid, (y, x) => applyAffine(linear.transform, y, x));
  let flow: FlowField | null = null;
  let measured = 0;
  for (let pass = 0; pass < (options.flowPasses ?? 4); pass++) {
    // outside the moving section: its mean, so border patches are still measured (cleaning judges them)
    const warped = {
      data: fillNaN(renderSection(moving, map, Number.NaN)),
      width: fixed.width,
      height: fixed.height,
    };
    flow = flowField(fixed, warped, grid, { ...options, patchSize });
    measured = flow.valid.reduce((s, v) => s + v, 0);
    // early passes see the whole non-linear part, later ones a small residual: the allowed
    // deviation from the neighbours halves each pass down to maxDeviation
    const passes = options.flowPasses ?? 4;
    const deviation = (options.maxDeviation ?? 3) * 2 ** Math.max(0, passes - 2 - pass);
    cleanFlow(flow, { ...options, patchSize, maxDeviation: deviation });
    const valid = Uint8Array.from(flow.valid);
    inpaint(flow);
    const before = map;
    map = meshFrom(grid, (y, x) => {
      const r = Math.round((y - grid.y0) / grid.stride);
      const c = Math.round((x - grid.x0) / grid.stride);
      const i = r * grid.cols + c;
      return mapPoint(before, y + flow!.dy[i], x + flow!.dx[i]);
    });
    flow.valid.set(valid);
  }
  const valid = flow ? flow.valid : new Uint8Array(grid.rows * grid.cols);
  const kept = valid.reduce((s, v) => s + v, 0);
  // the last pass's shifts are what the final map still disagrees with its matches by
  let ss = 0;
  if (flow) {
    for (let i = 0; i < valid.length; i++) if (valid[i]) ss += flow.dy[i] ** 2 + flow.dx[i] ** 2;
  }
  return {
    map,
    valid,
    matches: measured,
    inliers: kept,
    residualRms: kept > 0 ? Math.sqrt(ss / kept) : null,
    peakRatio: linear.peakRatio,
  };
}
