/** An in-plane displacement field over a `py × px` patch: where each output pixel samples from. */
export interface ElasticField {
  py: number;
  px: number;
  /** Displacement in y, then x, of each output pixel, row-major. */
  dy: Float32Array;
  dx: Float32Array;
}

/**
 * A smooth random displacement field: independent uniform displacements in [−amplitude, amplitude]
 * px at control points every `spacing` px (plus one beyond each edge), bilinearly interpolated —
 * the elastic deformation used to augment EM training data (cutting and imaging distort sections
 * smoothly). `random` returns numbers in [0, 1).
 */
export function randomElasticField(
  py: number,
  px: number,
  spacing: number,
  amplitude: number,
  random: () => number,
): ElasticField {
  const gy = Math.ceil((py - 1) / spacing) + 1;
  const gx = Math.ceil((px - 1) / spacing) + 1;
  const cy = new Float32Array(gy * gx);
  const cx = new Float32Array(gy * gx);
  for (let i = 0; i < gy * gx; i++) {
    cy[i] = (2 * random() - 1) * amplitude;
    cx[i] = (2 * random() - 1) * amplitude;
  }
  const dy = new Float32Array(py * px);
  const dx = new Float32Array(py * px);
  for (let y = 0; y < py; y++) {
    const fy = y / spacing;
    const y0 = Math.min(gy - 2, Math.floor(fy));
    const ty = fy - y0;
    for (let x = 0; x < px; x++) {
      const fx = x / spacing;
      const x0 = Math.min(gx - 2, Math.floor(fx));
      const tx = fx - x0;
      const a = y0 * gx + x0;
      const w00 = (1 - ty) * (1 - tx);
      const w01 = (1 - ty) * tx;
      const w10 = ty * (1 - tx);
      const w11 = ty * tx;
      dy[y * px + x] = w00 * cy[a] + w01 * cy[a + 1] + w10 * cy[a + gx] + w11 * cy[a + gx + 1];
      dx[y * px + x] = w00 * cx[a] + w01 * cx[a + 1] + w10 * cx[a + gx] + w11 * cx[a + gx + 1];
    }
  }
  return { py, px, dy, dx };
}

/** Mirror an index into [0, n) (…, 1, 0, 1, …, n−1, n−2, …), as scipy's "mirror" mode. */
function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let k = Math.abs(i) % period;
  if (k >= n) k = period - k;
  return k;
}

/**
 * Warp every section of a `[pz, py, px]` patch by the field: output (y, x) takes the value at
 * (y + dy, x + dx), mirrored at the patch edges; bilinear for images, nearest for labels.
 */
export function warpPatch(
  src: Float32Array,
  shape: readonly [number, number, number],
  field: ElasticField,
  nearest: boolean,
  out: Float32Array,
): void {
  const [pz, py, px] = shape;
  const n = py * px;
  for (let z = 0; z < pz; z++) {
    const base = z * n;
    for (let y = 0; y < py; y++) {
      for (let x = 0; x < px; x++) {
        const i = y * px + x;
        const sy = y + field.dy[i];
        const sx = x + field.dx[i];
        if (nearest) {
          out[base + i] = src[base + mirror(Math.round(sy), py) * px + mirror(Math.round(sx), px)];
          continue;
        }
        const y0 = Math.floor(sy);
        const x0 = Math.floor(sx);
        const ty = sy - y0;
        const tx = sx - x0;
        const r0 = base + mirror(y0, py) * px;
        const r1 = base + mirror(y0 + 1, py) * px;
        const c0 = mirror(x0, px);
        const c1 = mirror(x0 + 1, px);
        out[base + i] =
          (1 - ty) * ((1 - tx) * src[r0 + c0] + tx * src[r0 + c1]) +
          ty * ((1 - tx) * src[r1 + c0] + tx * src[r1 + c1]);
      }
    }
  }
}
