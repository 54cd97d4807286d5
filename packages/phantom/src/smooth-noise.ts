import { boxBlur2d } from "./blur.js";
import type { Rng } from "./prng.js";

/**
 * Smooth 2D random field: white Gaussian noise blurred to a correlation length of about
 * `scalePx` pixels (triple box blur ≈ Gaussian with σ = `scalePx`), then shifted and scaled to
 * zero mean and unit standard deviation over the image. Row-major `[height, width]`.
 *
 * @param rng - the generator to draw from (advanced by height·width normals)
 * @param height - rows
 * @param width - columns
 * @param scalePx - correlation length in pixels (≥ 0; 0 gives white noise)
 * @param out - optional output buffer of height·width floats
 */
export function smoothNoise2d(
  rng: Rng,
  height: number,
  width: number,
  scalePx: number,
  out: Float32Array = new Float32Array(height * width),
): Float32Array {
  const n = height * width;
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  boxBlur2d(out, height, width, scalePx);
  normalize(out);
  return out;
}

/**
 * Cheap smooth-ish uniform noise for textures: uniform white noise in [-1, 1) blurred to about
 * `scalePx` and normalised to zero mean, unit standard deviation. Faster than `smoothNoise2d`
 * (no logarithms), statistically near-Gaussian after the blur.
 */
export function textureNoise2d(
  rng: Rng,
  height: number,
  width: number,
  scalePx: number,
  out: Float32Array = new Float32Array(height * width),
): Float32Array {
  const n = height * width;
  for (let i = 0; i < n; i++) out[i] = 2 * rng.uniform() - 1;
  boxBlur2d(out, height, width, scalePx);
  normalize(out);
  return out;
}

function normalize(a: Float32Array): void {
  const n = a.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i];
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i] - mean;
    ss += d * d;
  }
  const sd = Math.sqrt(ss / n);
  const inv = sd > 0 ? 1 / sd : 0;
  for (let i = 0; i < n; i++) a[i] = (a[i] - mean) * inv;
}
