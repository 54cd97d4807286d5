import { AlignInputError } from "./errors.js";
import { type PhaseCorrelationOptions, phaseCorrelate } from "./phase-correlation.js";
import type { Section } from "./section.js";

/** One patch match: the point (y, x) of the fixed section and where it lies in the moving one. */
export interface PatchMatch {
  /** Patch centre in the fixed section, px. */
  y: number;
  x: number;
  /** The same scene point in the moving section, px. */
  movingY: number;
  movingX: number;
  /** Phase-correlation peak height and peak ratio of the match (see `Translation`). */
  peak: number;
  peakRatio: number;
}

/** Options of {@link matchPatches}. */
export interface PatchMatchOptions extends PhaseCorrelationOptions {
  /** Side of the square patches, px (default 128). */
  patchSize?: number;
  /** Distance between patch centres, px (default patchSize/2). */
  stride?: number;
  /** Matches whose peak ratio is below this are dropped (default 2). */
  minPeakRatio?: number;
  /** Shift of the whole moving section found beforehand (e.g. by phaseCorrelate): patches are cut there. */
  offset?: { dy: number; dx: number };
}

function cut(s: Section, y0: number, x0: number, size: number): Float64Array {
  const out = new Float64Array(size * size);
  for (let y = 0; y < size; y++) {
    const sy = Math.min(s.height - 1, Math.max(0, y0 + y));
    for (let x = 0; x < size; x++) {
      const sx = Math.min(s.width - 1, Math.max(0, x0 + x));
      out[y * size + x] = s.data[sy * s.width + sx];
    }
  }
  return out;
}

/**
 * Patch matches on a grid: a patch of the fixed section around each grid point is phase-correlated
 * with the patch of the moving section at the same place (moved by `offset` when given), which
 * gives where the patch centre lies in the moving section. Matches with a low peak ratio (blank or
 * featureless patches, no clear match) are dropped.
 */
export function matchPatches(fixed: Section, moving: Section, options: PatchMatchOptions = {}): PatchMatch[] {
  const size = options.patchSize ?? 128;
  const stride = options.stride ?? Math.max(1, Math.floor(size / 2));
  if (!(Number.isInteger(size) && size >= 8 && size <= Math.min(fixed.width, fixed.height))) {
    throw new AlignInputError("patchSize must be an integer from 8 to the section's smaller side", {
      field: "patchSize",
      expected: `8 to ${Math.min(fixed.width, fixed.height)}`,
      found: String(size),
    });
  }
  if (!(Number.isInteger(stride) && stride >= 1)) {
    throw new AlignInputError("stride must be a positive integer", {
      field: "stride",
      expected: ">= 1",
      found: String(stride),
    });
  }
  const minRatio = options.minPeakRatio ?? 2;
  const oy = Math.round(options.offset?.dy ?? 0);
  const ox = Math.round(options.offset?.dx ?? 0);
  const matches: PatchMatch[] = [];
  const half = size / 2;
  for (let y0 = 0; y0 + size <= fixed.height; y0 += stride) {
    for (let x0 = 0; x0 + size <= fixed.width; x0 += stride) {
      const a = { data: cut(fixed, y0, x0, size), width: size, height: size };
      // the moving patch where the fixed one is expected: fixed(q) ≈ moving(q − offset)
      const b = { data: cut(moving, y0 - oy, x0 - ox, size), width: size, height: size };
      const t = phaseCorrelate(a, b, options);
      if (!(t.peakRatio >= minRatio)) continue;
      const cy = y0 + half - 0.5;
      const cx = x0 + half - 0.5;
      // fixed(q) = moving_patch(q − s) with the moving patch cut at −offset: moving(q − offset − s)
      matches.push({
        y: cy,
        x: cx,
        movingY: cy - oy - t.dy,
        movingX: cx - ox - t.dx,
        peak: t.peak,
        peakRatio: t.peakRatio,
      });
    }
  }
  return matches;
}
