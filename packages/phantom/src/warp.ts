import { checkNumber, checkSeed, checkTuple, optionError } from "./options.js";
import { hash32, Rng } from "./prng.js";
import { smoothNoise2d } from "./smooth-noise.js";

/** The typed arrays a section stack may be stored in. */
export type StackArray =
  | Uint8Array
  | Uint8ClampedArray
  | Uint16Array
  | Uint32Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Float32Array
  | Float64Array;

/** How a warped stack samples the original between pixel centres. */
export type Interpolation = "linear" | "nearest";

/** Options of {@link applyDisplacements}. */
export interface ApplyDisplacementsOptions {
  /** `"linear"` (bilinear; for images) or `"nearest"` (for labels). Default `"linear"`. */
  interpolation?: Interpolation;
  /** Value of pixels whose sample point falls outside the section (NaN is useful for float stacks). Default 0. */
  fill?: number;
}

/** Options of {@link warpSections}. Lengths are in pixels, angles in degrees. */
export interface WarpSectionsOptions extends ApplyDisplacementsOptions {
  /** Seed (safe integer). Default 0. */
  seed?: number;
  /** Each section is shifted by a translation with each component uniform in ±this. Default 8. */
  maxTranslationPx?: number;
  /** Each section is rotated about its centre by an angle uniform in ±this. Default 2. */
  maxRotationDeg?: number;
  /** Largest magnitude of the elastic (non-rigid) part of the displacement in a section. Default 3. */
  elasticAmplitudePx?: number;
  /** Correlation length of the elastic part (Gaussian-smoothed white noise of this σ). Default 32. */
  elasticSmoothnessPx?: number;
  /** Warp section 0 as well. Default false: section 0 is the unwarped reference (zero displacement). */
  warpFirstSection?: boolean;
}

/** Output of {@link warpSections}. */
export interface WarpedSections<T extends StackArray> {
  /** The warped stack, same dtype and shape as the input: `warped[z](p) = original[z](p + d_z(p))`. */
  warped: T;
  /**
   * Displacement fields, Float32Array of shape `[z, 2, y, x]` in pixels: channel 0 is dy, channel
   * 1 is dx, so `d_z(y, x) = (displacements[((z*2+0)*Y + y)*X + x], displacements[((z*2+1)*Y + y)*X + x])`.
   */
  displacements: Float32Array;
  /** Per section: the rigid part that was drawn (translation in px, rotation in degrees about the centre). */
  rigid: { translationPx: [number, number]; rotationDeg: number }[];
}

const FN = "warpSections";

function checkStack(fn: string, stack: unknown, shape: unknown): [number, number, number] {
  const s = checkTuple(fn, "shape", shape, 3, { min: 1, integer: true }) as [number, number, number];
  if (!ArrayBuffer.isView(stack) || stack instanceof DataView) {
    throw optionError(fn, "stack", "a typed array", stack);
  }
  const n = s[0] * s[1] * s[2];
  if ((stack as StackArray).length !== n) {
    throw optionError(
      fn,
      "stack",
      `a typed array of ${n} elements (shape ${s.join("×")})`,
      `${(stack as StackArray).length} elements`,
    );
  }
  return s;
}

/**
 * Warp every section of a stack by a random rigid motion plus a smooth elastic field, and return
 * the exact displacement fields (ground truth for alignment).
 *
 * Convention (backward mapping): for section z and pixel p = (y, x),
 * `warped[z](p) = original[z](p + d_z(p))`, where
 * `d_z(p) = t_z + (R(θ_z)(p − c) − (p − c)) + e_z(p)`, with t_z the translation, R(θ_z) the
 * rotation by θ_z about the centre c = ((Y−1)/2, (X−1)/2), and e_z the elastic field (white noise
 * smoothed with σ = `elasticSmoothnessPx`, scaled so its largest magnitude is
 * `elasticAmplitudePx`). Sample points outside the section give `fill`. Section 0 is left
 * unwarped (d_0 = 0) unless `warpFirstSection` is true. To undo a warp, invert the field with
 * {@link invertDisplacements} and apply the inverse with {@link applyDisplacements}.
 *
 * @param stack - C-order `[z, y, x]` stack of any numeric typed array
 * @param shape - `[z, y, x]`
 * @throws RangeError naming the option when an option or the stack size is wrong.
 */
export function warpSections<T extends StackArray>(
  stack: T,
  shape: readonly [number, number, number],
  options: WarpSectionsOptions = {},
): WarpedSections<T> {
  const [Z, Y, X] = checkStack(FN, stack, shape);
  const seed = checkSeed(FN, options.seed ?? 0);
  const maxT = checkNumber(FN, "maxTranslationPx", options.maxTranslationPx ?? 8, { min: 0 });
  const maxR = checkNumber(FN, "maxRotationDeg", options.maxRotationDeg ?? 2, { min: 0, max: 180 });
  const amp = checkNumber(FN, "elasticAmplitudePx", options.elasticAmplitudePx ?? 3, { min: 0 });
  const smooth = checkNumber(FN, "elasticSmoothnessPx", options.elasticSmoothnessPx ?? 32, { min: 0 });
  const first = options.warpFirstSection ?? false;
  const n = Y * X;
  const displacements = new Float32Array(Z * 2 * n);
  const rigid: WarpedSections<T>["rigid"] = [];
  const cy = (Y - 1) / 2;
  const cx = (X - 1) / 2;
  const ey = new Float32Array(n);
  const ex = new Float32Array(n);
  for (let z = 0; z < Z; z++) {
    if (z === 0 && !first) {
      rigid.push({ translationPx: [0, 0], rotationDeg: 0 });
      continue;
    }
    const rng = new Rng(hash32(seed, 0x3a49, z));
    const ty = maxT * (2 * rng.uniform() - 1);
    const tx = maxT * (2 * rng.uniform() - 1);
    const deg = maxR * (2 * rng.uniform() - 1);
    rigid.push({ translationPx: [ty, tx], rotationDeg: deg });
    const th = (deg * Math.PI) / 180;
    const c = Math.cos(th);
    const s = Math.sin(th);
    let scale = 0;
    if (amp > 0) {
      smoothNoise2d(rng, Y, X, smooth, ey);
      smoothNoise2d(rng, Y, X, smooth, ex);
      let m = 0;
      for (let i = 0; i < n; i++) m = Math.max(m, ey[i] * ey[i] + ex[i] * ex[i]);
      scale = m > 0 ? amp / Math.sqrt(m) : 0;
    }
    const oy = z * 2 * n;
    const ox = oy + n;
    for (let y = 0; y < Y; y++) {
      const vy = y - cy;
      for (let x = 0; x < X; x++) {
        const vx = x - cx;
        const i = y * X + x;
        displacements[oy + i] = ty + (c * vy - s * vx - vy) + scale * ey[i];
        displacements[ox + i] = tx + (s * vy + c * vx - vx) + scale * ex[i];
      }
    }
  }
  const warped = applyDisplacements(stack, [Z, Y, X], displacements, options);
  return { warped, displacements, rigid };
}

/**
 * Resample every section of a stack through a displacement field:
 * `out[z](p) = stack[z](p + d_z(p))`, with `d` laid out as `[z, 2, y, x]` (dy, dx) in pixels.
 * Bilinear interpolation (integers rounded and clamped to the dtype's range) or nearest
 * neighbour; sample points outside the section give `fill`.
 *
 * @returns a new array of the input's type.
 */
export function applyDisplacements<T extends StackArray>(
  stack: T,
  shape: readonly [number, number, number],
  displacements: Float32Array | Float64Array,
  options: ApplyDisplacementsOptions = {},
): T {
  const fn = "applyDisplacements";
  const [Z, Y, X] = checkStack(fn, stack, shape);
  const n = Y * X;
  if (displacements.length !== Z * 2 * n) {
    throw optionError(
      fn,
      "displacements",
      `${Z * 2 * n} elements (shape [z, 2, y, x])`,
      displacements.length,
    );
  }
  const interp = options.interpolation ?? "linear";
  if (interp !== "linear" && interp !== "nearest") {
    throw optionError(fn, "interpolation", '"linear" or "nearest"', interp);
  }
  const fill = options.fill ?? 0;
  if (typeof fill !== "number")
    throw optionError(fn, "fill", "a number (NaN allowed for float stacks)", fill);
  const Ctor = stack.constructor as new (n: number) => T;
  const out = new Ctor(stack.length);
  const [lo, hi, isInt] = rangeOf(stack);
  const eps = 1e-6;
  for (let z = 0; z < Z; z++) {
    const base = z * n;
    const oy = z * 2 * n;
    const ox = oy + n;
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++) {
        const i = y * X + x;
        const sy = y + displacements[oy + i];
        const sx = x + displacements[ox + i];
        let v: number;
        if (interp === "nearest") {
          const ny = Math.round(sy);
          const nx = Math.round(sx);
          v = ny < 0 || ny >= Y || nx < 0 || nx >= X ? fill : stack[base + ny * X + nx];
        } else if (sy < -eps || sy > Y - 1 + eps || sx < -eps || sx > X - 1 + eps) {
          v = fill;
        } else {
          const cy = Math.min(Math.max(sy, 0), Y - 1);
          const cx = Math.min(Math.max(sx, 0), X - 1);
          const y0 = Math.min(Math.floor(cy), Math.max(Y - 2, 0));
          const x0 = Math.min(Math.floor(cx), Math.max(X - 2, 0));
          const fy = cy - y0;
          const fx = cx - x0;
          const y1 = Math.min(y0 + 1, Y - 1);
          const x1 = Math.min(x0 + 1, X - 1);
          const a = stack[base + y0 * X + x0];
          const b = stack[base + y0 * X + x1];
          const c = stack[base + y1 * X + x0];
          const d = stack[base + y1 * X + x1];
          v = (1 - fy) * ((1 - fx) * a + fx * b) + fy * ((1 - fx) * c + fx * d);
          if (isInt) v = Math.min(hi, Math.max(lo, Math.round(v)));
        }
        out[base + i] = v;
      }
    }
  }
  return out;
}

function rangeOf(a: StackArray): [number, number, boolean] {
  if (a instanceof Float32Array || a instanceof Float64Array) return [-Infinity, Infinity, false];
  const bytes = a.BYTES_PER_ELEMENT * 8;
  const signed = a instanceof Int8Array || a instanceof Int16Array || a instanceof Int32Array;
  return signed ? [-(2 ** (bytes - 1)), 2 ** (bytes - 1) - 1, true] : [0, 2 ** bytes - 1, true];
}

/**
 * Invert displacement fields `[z, 2, y, x]` by fixed-point iteration: returns `e` with
 * `e_z(q) = −d_z(q + e_z(q))`, so that if `warped[z](p) = original[z](p + d_z(p))` then
 * `original[z](q) ≈ warped[z](q + e_z(q))` (apply it with {@link applyDisplacements}). Converges
 * when the field is a contraction-like small deformation (|∇d| < 1), which holds for the warps of
 * {@link warpSections} with modest rotations and smooth elastic parts.
 *
 * @param iterations - fixed-point iterations (default 30)
 */
export function invertDisplacements(
  displacements: Float32Array | Float64Array,
  shape: readonly [number, number, number],
  iterations = 30,
): Float32Array {
  const fn = "invertDisplacements";
  const [Z, Y, X] = checkTuple(fn, "shape", shape, 3, { min: 1, integer: true });
  const n = Y * X;
  if (displacements.length !== Z * 2 * n) {
    throw optionError(
      fn,
      "displacements",
      `${Z * 2 * n} elements (shape [z, 2, y, x])`,
      displacements.length,
    );
  }
  checkNumber(fn, "iterations", iterations, { min: 1, integer: true });
  const inv = new Float32Array(displacements.length);
  for (let z = 0; z < Z; z++) {
    const oy = z * 2 * n;
    const ox = oy + n;
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++) {
        const i = y * X + x;
        let ey = -displacements[oy + i];
        let ex = -displacements[ox + i];
        for (let it = 0; it < iterations; it++) {
          const sy = Math.min(Math.max(y + ey, 0), Y - 1);
          const sx = Math.min(Math.max(x + ex, 0), X - 1);
          const y0 = Math.min(Math.floor(sy), Math.max(Y - 2, 0));
          const x0 = Math.min(Math.floor(sx), Math.max(X - 2, 0));
          const fy = sy - y0;
          const fx = sx - x0;
          const y1 = Math.min(y0 + 1, Y - 1);
          const x1 = Math.min(x0 + 1, X - 1);
          const w00 = (1 - fy) * (1 - fx);
          const w01 = (1 - fy) * fx;
          const w10 = fy * (1 - fx);
          const w11 = fy * fx;
          const i00 = y0 * X + x0;
          const i01 = y0 * X + x1;
          const i10 = y1 * X + x0;
          const i11 = y1 * X + x1;
          const dy =
            w00 * displacements[oy + i00] +
            w01 * displacements[oy + i01] +
            w10 * displacements[oy + i10] +
            w11 * displacements[oy + i11];
          const dx =
            w00 * displacements[ox + i00] +
            w01 * displacements[ox + i01] +
            w10 * displacements[ox + i10] +
            w11 * displacements[ox + i11];
          const ny = -dy;
          const nx = -dx;
          const delta = Math.abs(ny - ey) + Math.abs(nx - ex);
          ey = ny;
          ex = nx;
          if (delta < 1e-7) break;
        }
        inv[oy + i] = ey;
        inv[ox + i] = ex;
      }
    }
  }
  return inv;
}
