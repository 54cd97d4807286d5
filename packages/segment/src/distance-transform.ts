import { checkLength, checkShape } from "./arrays.js";
import { SegmentOptionsError } from "./errors.js";

/** Options of {@link distanceTransform}. */
export interface DistanceTransformOptions {
  /** Voxel size per axis `[z, y, x]` (e.g. nm); default `[1, 1, 1]`. */
  sampling?: readonly [number, number, number];
  /** Transform each z-section on its own (2-D distances), default false. */
  planar?: boolean;
}

/**
 * One line of the Felzenszwalb–Huttenlocher lower envelope of parabolas: `out[q] = min_p (s·(q−p))² + f[p]`,
 * reading `f` and writing `out` with stride `stride` from `start`. `Infinity` entries of `f` add no parabola.
 */
function envelope1d(
  work: Float32Array,
  start: number,
  stride: number,
  length: number,
  s: number,
  f: Float64Array,
  v: Int32Array,
  z: Float64Array,
): void {
  for (let q = 0; q < length; q++) f[q] = work[start + q * stride];
  let k = -1;
  for (let q = 0; q < length; q++) {
    const fq = f[q];
    if (fq === Number.POSITIVE_INFINITY) continue;
    const xq = q * s;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = Number.NEGATIVE_INFINITY;
      z[1] = Number.POSITIVE_INFINITY;
      continue;
    }
    for (;;) {
      const p = v[k];
      const xp = p * s;
      const sect = (fq + xq * xq - (f[p] + xp * xp)) / (2 * (xq - xp));
      if (sect <= z[k] && k > 0) {
        k--;
        continue;
      }
      if (sect <= z[k]) {
        // k === 0: the new parabola dominates the whole line so far
        v[0] = q;
        z[0] = Number.NEGATIVE_INFINITY;
        z[1] = Number.POSITIVE_INFINITY;
        break;
      }
      k++;
      v[k] = q;
      z[k] = sect;
      z[k + 1] = Number.POSITIVE_INFINITY;
      break;
    }
  }
  if (k < 0) {
    for (let q = 0; q < length; q++) work[start + q * stride] = Number.POSITIVE_INFINITY;
    return;
  }
  let j = 0;
  for (let q = 0; q < length; q++) {
    const x = q * s;
    while (z[j + 1] < x) j++;
    const d = x - v[j] * s;
    work[start + q * stride] = d * d + f[v[j]];
  }
}

/**
 * Exact Euclidean distance transform (Felzenszwalb–Huttenlocher, separable, anisotropic): for every
 * non-zero voxel of `mask`, the distance to the nearest zero voxel (zero voxels get 0) — the
 * convention of `scipy.ndimage.distance_transform_edt`. Voxels with no zero voxel at all get `Infinity`.
 */
export function distanceTransform(
  mask: ArrayLike<number>,
  shape: readonly number[],
  options: DistanceTransformOptions = {},
): Float32Array {
  const [Z, Y, X] = checkShape(shape);
  checkLength(mask, shape, "mask");
  const sampling = options.sampling ?? [1, 1, 1];
  if (sampling.length !== 3 || sampling.some((s) => !(s > 0) || !Number.isFinite(s))) {
    throw new SegmentOptionsError("invalid sampling", {
      field: "sampling",
      expected: "three positive numbers [z, y, x]",
      found: JSON.stringify(sampling),
    });
  }
  const n = Z * Y * X;
  const work = new Float32Array(n);
  for (let i = 0; i < n; i++) work[i] = mask[i] === 0 ? 0 : Number.POSITIVE_INFINITY;
  const longest = Math.max(Z, Y, X);
  const f = new Float64Array(longest);
  const v = new Int32Array(longest);
  const zs = new Float64Array(longest + 1);
  for (let line = 0; line < Z * Y; line++) envelope1d(work, line * X, 1, X, sampling[2], f, v, zs);
  for (let zz = 0; zz < Z; zz++) {
    for (let x = 0; x < X; x++) envelope1d(work, zz * Y * X + x, X, Y, sampling[1], f, v, zs);
  }
  if (!options.planar && Z > 1) {
    for (let i = 0; i < Y * X; i++) envelope1d(work, i, Y * X, Z, sampling[0], f, v, zs);
  }
  for (let i = 0; i < n; i++) work[i] = Math.sqrt(work[i]);
  return work;
}
