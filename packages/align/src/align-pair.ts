import { AlignInputError } from "./errors.js";
import { type Affine, composeAffine, correspondences, fitRobust, type RobustFit } from "./fit.js";
import { matchPatches, type PatchMatchOptions } from "./patch-matches.js";
import { phaseCorrelate } from "./phase-correlation.js";
import type { Section } from "./section.js";
import { warpAffine } from "./warp.js";

/** Options of {@link alignPair}. */
export interface AlignPairOptions extends PatchMatchOptions {
  /** "translation", "rigid" or "affine" (default "rigid"). */
  mode?: "translation" | "rigid" | "affine";
  /** Passes of match-and-fit; each pass matches against the moving section resampled by the map so far (default 2). */
  passes?: number;
  /** RANSAC inlier distance, px (default 1). */
  thresholdPx?: number;
}

/** The map found by {@link alignPair}, with the last pass's fit. */
export interface PairAlignment {
  /** Fixed → moving: the moving-section point of each fixed-section point. */
  transform: Affine;
  /** The last pass: inliers, residuals and RMS of the residual fit. */
  fit: RobustFit | null;
  /** Matches of the last pass. */
  matches: number;
  /** Peak ratio of the global phase correlation of the two sections (low: no match). */
  peakRatio: number;
}

/**
 * Align `moving` to `fixed`: a global phase correlation first; for rigid and affine, patch matches
 * on a grid and a RANSAC fit, then further passes that match against the moving section resampled
 * by the map so far (so the patches no longer differ by the rotation) and compose the residual fit.
 */
export function alignPair(fixed: Section, moving: Section, options: AlignPairOptions = {}): PairAlignment {
  const mode = options.mode ?? "rigid";
  if (!["translation", "rigid", "affine"].includes(mode)) {
    throw new AlignInputError("unknown alignment mode", {
      field: "mode",
      expected: "translation, rigid or affine",
      found: String(mode),
    });
  }
  const t = phaseCorrelate(fixed, moving, options);
  // fixed(q) ≈ moving(q − s)
  let transform: Affine = [1, 0, -t.dy, 0, 1, -t.dx];
  if (mode === "translation") return { transform, fit: null, matches: 1, peakRatio: t.peakRatio };
  let fit: RobustFit | null = null;
  let matches = 0;
  for (let pass = 0; pass < (options.passes ?? 2); pass++) {
    const resampled = {
      data: warpAffine(moving, transform, fixed.width, fixed.height, 0),
      width: fixed.width,
      height: fixed.height,
    };
    const found = matchPatches(fixed, resampled, { ...options, offset: undefined });
    matches = found.length;
    fit = fitRobust(correspondences(found), { model: mode, thresholdPx: options.thresholdPx ?? 1 });
    transform = composeAffine(transform, fit.transform);
  }
  return { transform, fit, matches, peakRatio: t.peakRatio };
}
