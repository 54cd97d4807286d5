import { AlignInputError } from "./errors.js";

/**
 * A 2-D affine map of (y, x): y' = a·y + b·x + c, x' = d·y + e·x + f, stored as [a, b, c, d, e, f].
 * Here it maps points of the fixed section to the moving section.
 */
export type Affine = [number, number, number, number, number, number];

/** Point pairs: (y, x) in the fixed section and (y', x') in the moving one. */
export interface Correspondences {
  y: ArrayLike<number>;
  x: ArrayLike<number>;
  movingY: ArrayLike<number>;
  movingX: ArrayLike<number>;
}

/** Apply an affine map to (y, x). */
export function applyAffine(m: Affine, y: number, x: number): [number, number] {
  return [m[0] * y + m[1] * x + m[2], m[3] * y + m[4] * x + m[5]];
}

/** The map q → outer(inner(q)). */
export function composeAffine(outer: Affine, inner: Affine): Affine {
  return [
    outer[0] * inner[0] + outer[1] * inner[3],
    outer[0] * inner[1] + outer[1] * inner[4],
    outer[0] * inner[2] + outer[1] * inner[5] + outer[2],
    outer[3] * inner[0] + outer[4] * inner[3],
    outer[3] * inner[1] + outer[4] * inner[4],
    outer[3] * inner[2] + outer[4] * inner[5] + outer[5],
  ];
}

/** The inverse map (throws when singular). */
export function invertAffine(m: Affine): Affine {
  const det = m[0] * m[4] - m[1] * m[3];
  if (Math.abs(det) < 1e-12) {
    throw new AlignInputError("the affine map is singular", {
      field: "transform",
      expected: "a non-zero determinant",
      found: String(det),
    });
  }
  const a = m[4] / det;
  const b = -m[1] / det;
  const d = -m[3] / det;
  const e = m[0] / det;
  return [a, b, -(a * m[2] + b * m[5]), d, e, -(d * m[2] + e * m[5])];
}

/** Least-squares rigid map (rotation + translation, 2-D Procrustes) of the pairs in `use`. */
export function fitRigid(c: Correspondences, use?: ArrayLike<number>): Affine {
  const idx = use ?? Array.from({ length: c.y.length }, (_, i) => i);
  const n = idx.length;
  let my = 0;
  let mx = 0;
  let ny = 0;
  let nx = 0;
  for (let k = 0; k < n; k++) {
    const i = idx[k];
    my += c.y[i];
    mx += c.x[i];
    ny += c.movingY[i];
    nx += c.movingX[i];
  }
  my /= n;
  mx /= n;
  ny /= n;
  nx /= n;
  // rotation angle θ maximising Σ q'·R(θ)q for centred points
  let sCos = 0;
  let sSin = 0;
  for (let k = 0; k < n; k++) {
    const i = idx[k];
    const py = c.y[i] - my;
    const px = c.x[i] - mx;
    const qy = c.movingY[i] - ny;
    const qx = c.movingX[i] - nx;
    sCos += py * qy + px * qx;
    sSin += px * qy - py * qx;
  }
  const theta = Math.atan2(sSin, sCos);
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  // y' = cos·y + sin·x + ty, x' = −sin·y + cos·x + tx
  return [cos, sin, ny - (cos * my + sin * mx), -sin, cos, nx - (-sin * my + cos * mx)];
}

/** Least-squares affine map of the pairs in `use` (normal equations, centred for conditioning). */
export function fitAffine(c: Correspondences, use?: ArrayLike<number>): Affine {
  const idx = use ?? Array.from({ length: c.y.length }, (_, i) => i);
  const n = idx.length;
  let my = 0;
  let mx = 0;
  for (let k = 0; k < n; k++) {
    my += c.y[idx[k]];
    mx += c.x[idx[k]];
  }
  my /= n;
  mx /= n;
  // [Syy Syx; Sxy Sxx] [a b]ᵀ = [Σ y·y', Σ x·y']ᵀ on centred coordinates, likewise for x'
  let syy = 0;
  let syx = 0;
  let sxx = 0;
  let ty = 0;
  let tx = 0;
  let yY = 0;
  let xY = 0;
  let yX = 0;
  let xX = 0;
  for (let k = 0; k < n; k++) {
    const i = idx[k];
    const py = c.y[i] - my;
    const px = c.x[i] - mx;
    syy += py * py;
    syx += py * px;
    sxx += px * px;
    ty += c.movingY[i];
    tx += c.movingX[i];
    yY += py * c.movingY[i];
    xY += px * c.movingY[i];
    yX += py * c.movingX[i];
    xX += px * c.movingX[i];
  }
  const det = syy * sxx - syx * syx;
  if (!(Math.abs(det) > 1e-9 * (syy * sxx + 1e-300))) {
    throw new AlignInputError("the points do not span two dimensions: no affine fit", {
      field: "matches",
      expected: "at least 3 points not on one line",
      found: `${n} points`,
    });
  }
  const a = (sxx * yY - syx * xY) / det;
  const b = (syy * xY - syx * yY) / det;
  const d = (sxx * yX - syx * xX) / det;
  const e = (syy * xX - syx * yX) / det;
  const cy = ty / n;
  const cx = tx / n;
  return [a, b, cy - a * my - b * mx, d, e, cx - d * my - e * mx];
}

/** Options of {@link fitRobust}. */
export interface RobustFitOptions {
  /** "rigid" or "affine" (default "affine"). */
  model?: "rigid" | "affine";
  /** A pair is an inlier when the map puts it within this distance of its match, px (default 1). */
  thresholdPx?: number;
  /** RANSAC draws (default 500). */
  iterations?: number;
  /** Seed of the draws (default 1). */
  seed?: number;
}

/** The result of {@link fitRobust}. */
export interface RobustFit {
  transform: Affine;
  /** Indices of the inlier pairs. */
  inliers: number[];
  /** Residual distance of each pair under the final map, px. */
  residualsPx: Float64Array;
  /** Root-mean-square residual of the inliers, px. */
  rmsPx: number;
}

function residuals(c: Correspondences, m: Affine): Float64Array {
  const r = new Float64Array(c.y.length);
  for (let i = 0; i < r.length; i++) {
    const [py, px] = applyAffine(m, c.y[i], c.x[i]);
    r[i] = Math.hypot(py - c.movingY[i], px - c.movingX[i]);
  }
  return r;
}

/**
 * RANSAC over minimal samples (2 pairs for rigid, 3 for affine), the largest consensus refitted by
 * least squares and its inliers recomputed until they stop changing.
 */
export function fitRobust(c: Correspondences, options: RobustFitOptions = {}): RobustFit {
  const model = options.model ?? "affine";
  const fit = model === "rigid" ? fitRigid : fitAffine;
  const minimal = model === "rigid" ? 2 : 3;
  const n = c.y.length;
  if (n < minimal) {
    throw new AlignInputError(`a ${model} fit needs at least ${minimal} matches`, {
      field: "matches",
      expected: `>= ${minimal}`,
      found: String(n),
    });
  }
  const threshold = options.thresholdPx ?? 1;
  let state = (options.seed ?? 1) >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  let best: number[] = [];
  for (let it = 0; it < (options.iterations ?? 500); it++) {
    const sample = new Set<number>();
    while (sample.size < minimal) sample.add(Math.floor(random() * n));
    let m: Affine;
    try {
      m = fit(c, [...sample]);
    } catch {
      continue;
    }
    const r = residuals(c, m);
    const inliers: number[] = [];
    for (let i = 0; i < n; i++) if (r[i] <= threshold) inliers.push(i);
    if (inliers.length > best.length) best = inliers;
  }
  if (best.length < minimal) best = Array.from({ length: n }, (_, i) => i);
  let transform = fit(c, best);
  for (let round = 0; round < 10; round++) {
    const r = residuals(c, transform);
    const next: number[] = [];
    for (let i = 0; i < n; i++) if (r[i] <= threshold) next.push(i);
    if (next.length < minimal || (next.length === best.length && next.every((v, k) => v === best[k]))) break;
    best = next;
    transform = fit(c, best);
  }
  const r = residuals(c, transform);
  let ss = 0;
  for (const i of best) ss += r[i] * r[i];
  return { transform, inliers: best, residualsPx: r, rmsPx: Math.sqrt(ss / best.length) };
}

/** Correspondences from patch matches (or any objects with y, x, movingY, movingX). */
export function correspondences(
  matches: ReadonlyArray<{ y: number; x: number; movingY: number; movingX: number }>,
): Correspondences {
  return {
    y: Float64Array.from(matches, (m) => m.y),
    x: Float64Array.from(matches, (m) => m.x),
    movingY: Float64Array.from(matches, (m) => m.movingY),
    movingX: Float64Array.from(matches, (m) => m.movingX),
  };
}
