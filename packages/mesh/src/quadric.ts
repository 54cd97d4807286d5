/**
 * Quadric error helpers (Garland–Heckbert): a quadric is the symmetric 4×4 matrix of a sum of
 * squared point-to-plane distances, stored as 10 numbers `[aa, ab, ac, ad, bb, bc, bd, cc, cd, dd]`
 * at `q[o..o+9]` of a flat Float64Array.
 */

/** Add the plane `ax + by + cz + d = 0` (unit normal) with weight `w` to the quadric at `o`. */
export function addPlane(
  q: Float64Array,
  o: number,
  a: number,
  b: number,
  c: number,
  d: number,
  w: number,
): void {
  q[o] += w * a * a;
  q[o + 1] += w * a * b;
  q[o + 2] += w * a * c;
  q[o + 3] += w * a * d;
  q[o + 4] += w * b * b;
  q[o + 5] += w * b * c;
  q[o + 6] += w * b * d;
  q[o + 7] += w * c * c;
  q[o + 8] += w * c * d;
  q[o + 9] += w * d * d;
}

/** Value of the sum of quadrics at `o1` and `o2` at point (x, y, z). */
export function quadricError2(
  q: Float64Array,
  o1: number,
  o2: number,
  x: number,
  y: number,
  z: number,
): number {
  const q0 = q[o1] + q[o2];
  const q1 = q[o1 + 1] + q[o2 + 1];
  const q2 = q[o1 + 2] + q[o2 + 2];
  const q3 = q[o1 + 3] + q[o2 + 3];
  const q4 = q[o1 + 4] + q[o2 + 4];
  const q5 = q[o1 + 5] + q[o2 + 5];
  const q6 = q[o1 + 6] + q[o2 + 6];
  const q7 = q[o1 + 7] + q[o2 + 7];
  const q8 = q[o1 + 8] + q[o2 + 8];
  const q9 = q[o1 + 9] + q[o2 + 9];
  return (
    q0 * x * x +
    2 * q1 * x * y +
    2 * q2 * x * z +
    2 * q3 * x +
    q4 * y * y +
    2 * q5 * y * z +
    2 * q6 * y +
    q7 * z * z +
    2 * q8 * z +
    q9
  );
}

/**
 * Point minimising the summed quadrics at `o1` and `o2`, written to `out[0..2]`; returns the error
 * there. When the 3×3 system is near singular (flat or ridge-like neighbourhoods), the best of
 * the two endpoints `p1`, `p2` (read from `v` at `3*i1`, `3*i2`) and their midpoint is used.
 */
export function optimalPoint(
  q: Float64Array,
  o1: number,
  o2: number,
  v: Float64Array,
  i1: number,
  i2: number,
  out: Float64Array,
): number {
  const a00 = q[o1] + q[o2];
  const a01 = q[o1 + 1] + q[o2 + 1];
  const a02 = q[o1 + 2] + q[o2 + 2];
  const b0 = q[o1 + 3] + q[o2 + 3];
  const a11 = q[o1 + 4] + q[o2 + 4];
  const a12 = q[o1 + 5] + q[o2 + 5];
  const b1 = q[o1 + 6] + q[o2 + 6];
  const a22 = q[o1 + 7] + q[o2 + 7];
  const b2 = q[o1 + 8] + q[o2 + 8];
  const c00 = a11 * a22 - a12 * a12;
  const c01 = a02 * a12 - a01 * a22;
  const c02 = a01 * a12 - a02 * a11;
  const det = a00 * c00 + a01 * c01 + a02 * c02;
  const scale = a00 + a11 + a22;
  if (Math.abs(det) > 1e-6 * scale * scale * scale && scale > 0) {
    const c11 = a00 * a22 - a02 * a02;
    const c12 = a01 * a02 - a00 * a12;
    const c22 = a00 * a11 - a01 * a01;
    const x = -(c00 * b0 + c01 * b1 + c02 * b2) / det;
    const y = -(c01 * b0 + c11 * b1 + c12 * b2) / det;
    const z = -(c02 * b0 + c12 * b1 + c22 * b2) / det;
    // Stay near the edge: a far-away optimum of an almost flat quadric is numerically fragile.
    const mx = (v[i1 * 3] + v[i2 * 3]) / 2;
    const my = (v[i1 * 3 + 1] + v[i2 * 3 + 1]) / 2;
    const mz = (v[i1 * 3 + 2] + v[i2 * 3 + 2]) / 2;
    const len2 =
      (v[i1 * 3] - v[i2 * 3]) ** 2 +
      (v[i1 * 3 + 1] - v[i2 * 3 + 1]) ** 2 +
      (v[i1 * 3 + 2] - v[i2 * 3 + 2]) ** 2;
    if ((x - mx) ** 2 + (y - my) ** 2 + (z - mz) ** 2 <= 4 * len2) {
      out[0] = x;
      out[1] = y;
      out[2] = z;
      return Math.max(0, quadricError2(q, o1, o2, x, y, z));
    }
  }
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < 3; k++) {
    const t = k * 0.5;
    const x = v[i1 * 3] * (1 - t) + v[i2 * 3] * t;
    const y = v[i1 * 3 + 1] * (1 - t) + v[i2 * 3 + 1] * t;
    const z = v[i1 * 3 + 2] * (1 - t) + v[i2 * 3 + 2] * t;
    const e = quadricError2(q, o1, o2, x, y, z);
    if (e < best) {
      best = e;
      out[0] = x;
      out[1] = y;
      out[2] = z;
    }
  }
  return Math.max(0, best);
}
