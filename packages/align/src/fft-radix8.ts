// Radix-8 passes of RowFft (fft-mixed.ts): the plain one, and two first passes that read their input
// straight from elsewhere (tapered patches; rows of another array, transposed), each saving a pass
// over memory. Each output k of butterfly p is multiplied by the twiddle w^{kp}.
import type { RowFft, Stage } from "./fft-mixed.js";

const R2 = Math.SQRT1_2;

/** A radix-8 pass of a {@link RowFft} (see fft-mixed.ts for the layout). */
export function radix8(
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  st: Stage,
  run: number,
  sg: number,
): void {
  const { m, cos, sin } = st;
  for (let p = 0; p < m; p++) {
    const c = 7 * p;
    const w1r = cos[c];
    const w1i = -sg * sin[c];
    const w2r = cos[c + 1];
    const w2i = -sg * sin[c + 1];
    const w3r = cos[c + 2];
    const w3i = -sg * sin[c + 2];
    const w4r = cos[c + 3];
    const w4i = -sg * sin[c + 3];
    const w5r = cos[c + 4];
    const w5i = -sg * sin[c + 4];
    const w6r = cos[c + 5];
    const w6i = -sg * sin[c + 5];
    const w7r = cos[c + 6];
    const w7i = -sg * sin[c + 6];
    const a0 = p * run;
    const step = m * run;
    const b0 = 8 * p * run;
    for (let t = 0; t < run; t++) {
      // DFT4 of the even inputs (e) and of the odd inputs (o)
      let i0 = a0 + t;
      const x0r = xr[i0];
      const x0i = xi[i0];
      i0 += step;
      const x1r = xr[i0];
      const x1i = xi[i0];
      i0 += step;
      const x2r = xr[i0];
      const x2i = xi[i0];
      i0 += step;
      const x3r = xr[i0];
      const x3i = xi[i0];
      i0 += step;
      const x4r = xr[i0];
      const x4i = xi[i0];
      i0 += step;
      const x5r = xr[i0];
      const x5i = xi[i0];
      i0 += step;
      const x6r = xr[i0];
      const x6i = xi[i0];
      i0 += step;
      const x7r = xr[i0];
      const x7i = xi[i0];
      let ar = x0r + x4r;
      let ai = x0i + x4i;
      let br = x0r - x4r;
      let bi = x0i - x4i;
      let cr = x2r + x6r;
      let ci = x2i + x6i;
      let dr = sg * (x2i - x6i);
      let di = sg * (x6r - x2r);
      const e0r = ar + cr;
      const e0i = ai + ci;
      const e2r = ar - cr;
      const e2i = ai - ci;
      const e1r = br + dr;
      const e1i = bi + di;
      const e3r = br - dr;
      const e3i = bi - di;
      ar = x1r + x5r;
      ai = x1i + x5i;
      br = x1r - x5r;
      bi = x1i - x5i;
      cr = x3r + x7r;
      ci = x3i + x7i;
      dr = sg * (x3i - x7i);
      di = sg * (x7r - x3r);
      const o0r = ar + cr;
      const o0i = ai + ci;
      const q2r = ar - cr;
      const q2i = ai - ci;
      const q1r = br + dr;
      const q1i = bi + di;
      const q3r = br - dr;
      const q3i = bi - di;
      // o_k·ω8^k: ω8 = (1 − i·sg)/√2, ω8² = −i·sg, ω8³ = (−1 − i·sg)/√2
      const o1r = R2 * (q1r + sg * q1i);
      const o1i = R2 * (q1i - sg * q1r);
      const o2r = sg * q2i;
      const o2i = -sg * q2r;
      const o3r = R2 * (sg * q3i - q3r);
      const o3i = -R2 * (q3i + sg * q3r);
      let o = b0 + t;
      yr[o] = e0r + o0r;
      yi[o] = e0i + o0i;
      o += run;
      let pr = e1r + o1r;
      let pi = e1i + o1i;
      yr[o] = pr * w1r - pi * w1i;
      yi[o] = pr * w1i + pi * w1r;
      o += run;
      pr = e2r + o2r;
      pi = e2i + o2i;
      yr[o] = pr * w2r - pi * w2i;
      yi[o] = pr * w2i + pi * w2r;
      o += run;
      pr = e3r + o3r;
      pi = e3i + o3i;
      yr[o] = pr * w3r - pi * w3i;
      yi[o] = pr * w3i + pi * w3r;
      o += run;
      pr = e0r - o0r;
      pi = e0i - o0i;
      yr[o] = pr * w4r - pi * w4i;
      yi[o] = pr * w4i + pi * w4r;
      o += run;
      pr = e1r - o1r;
      pi = e1i - o1i;
      yr[o] = pr * w5r - pi * w5i;
      yi[o] = pr * w5i + pi * w5r;
      o += run;
      pr = e2r - o2r;
      pi = e2i - o2i;
      yr[o] = pr * w6r - pi * w6i;
      yi[o] = pr * w6i + pi * w6r;
      o += run;
      pr = e3r - o3r;
      pi = e3i - o3i;
      yr[o] = pr * w7r - pi * w7i;
      yi[o] = pr * w7i + pi * w7r;
    }
  }
}

/**
 * The first radix-8 pass of a {@link RowFft} of length n = 8·m over the n × cols.length array
 * T[x][t] = src[cols[t]·n + x], read straight from src (n × n): a transpose of the chosen rows of src
 * fused into the pass (its loads are strided; strided stores cost more).
 */
export function radix8Gather(
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  st: Stage,
  cols: Int32Array,
  sg: number,
): void {
  const { m, cos, sin } = st;
  const n = 8 * m;
  const run = cols.length;
  for (let p = 0; p < m; p++) {
    const c = 7 * p;
    const w1r = cos[c];
    const w1i = -sg * sin[c];
    const w2r = cos[c + 1];
    const w2i = -sg * sin[c + 1];
    const w3r = cos[c + 2];
    const w3i = -sg * sin[c + 2];
    const w4r = cos[c + 3];
    const w4i = -sg * sin[c + 3];
    const w5r = cos[c + 4];
    const w5i = -sg * sin[c + 4];
    const w6r = cos[c + 5];
    const w6i = -sg * sin[c + 5];
    const w7r = cos[c + 6];
    const w7i = -sg * sin[c + 6];
    const step = m;
    const b0 = 8 * p * run;
    for (let t = 0; t < run; t++) {
      // DFT4 of the even inputs (e) and of the odd inputs (o)
      let i0 = cols[t] * n + p;
      const x0r = xr[i0];
      const x0i = xi[i0];
      i0 += step;
      const x1r = xr[i0];
      const x1i = xi[i0];
      i0 += step;
      const x2r = xr[i0];
      const x2i = xi[i0];
      i0 += step;
      const x3r = xr[i0];
      const x3i = xi[i0];
      i0 += step;
      const x4r = xr[i0];
      const x4i = xi[i0];
      i0 += step;
      const x5r = xr[i0];
      const x5i = xi[i0];
      i0 += step;
      const x6r = xr[i0];
      const x6i = xi[i0];
      i0 += step;
      const x7r = xr[i0];
      const x7i = xi[i0];
      let ar = x0r + x4r;
      let ai = x0i + x4i;
      let br = x0r - x4r;
      let bi = x0i - x4i;
      let cr = x2r + x6r;
      let ci = x2i + x6i;
      let dr = sg * (x2i - x6i);
      let di = sg * (x6r - x2r);
      const e0r = ar + cr;
      const e0i = ai + ci;
      const e2r = ar - cr;
      const e2i = ai - ci;
      const e1r = br + dr;
      const e1i = bi + di;
      const e3r = br - dr;
      const e3i = bi - di;
      ar = x1r + x5r;
      ai = x1i + x5i;
      br = x1r - x5r;
      bi = x1i - x5i;
      cr = x3r + x7r;
      ci = x3i + x7i;
      dr = sg * (x3i - x7i);
      di = sg * (x7r - x3r);
      const o0r = ar + cr;
      const o0i = ai + ci;
      const q2r = ar - cr;
      const q2i = ai - ci;
      const q1r = br + dr;
      const q1i = bi + di;
      const q3r = br - dr;
      const q3i = bi - di;
      // o_k·ω8^k: ω8 = (1 − i·sg)/√2, ω8² = −i·sg, ω8³ = (−1 − i·sg)/√2
      const o1r = R2 * (q1r + sg * q1i);
      const o1i = R2 * (q1i - sg * q1r);
      const o2r = sg * q2i;
      const o2i = -sg * q2r;
      const o3r = R2 * (sg * q3i - q3r);
      const o3i = -R2 * (q3i + sg * q3r);
      let o = b0 + t;
      yr[o] = e0r + o0r;
      yi[o] = e0i + o0i;
      o += run;
      let pr = e1r + o1r;
      let pi = e1i + o1i;
      yr[o] = pr * w1r - pi * w1i;
      yi[o] = pr * w1i + pi * w1r;
      o += run;
      pr = e2r + o2r;
      pi = e2i + o2i;
      yr[o] = pr * w2r - pi * w2i;
      yi[o] = pr * w2i + pi * w2r;
      o += run;
      pr = e3r + o3r;
      pi = e3i + o3i;
      yr[o] = pr * w3r - pi * w3i;
      yi[o] = pr * w3i + pi * w3r;
      o += run;
      pr = e0r - o0r;
      pi = e0i - o0i;
      yr[o] = pr * w4r - pi * w4i;
      yi[o] = pr * w4i + pi * w4r;
      o += run;
      pr = e1r - o1r;
      pi = e1i - o1i;
      yr[o] = pr * w5r - pi * w5i;
      yi[o] = pr * w5i + pi * w5r;
      o += run;
      pr = e2r - o2r;
      pi = e2i - o2i;
      yr[o] = pr * w6r - pi * w6i;
      yi[o] = pr * w6i + pi * w6r;
      o += run;
      pr = e3r - o3r;
      pi = e3i - o3i;
      yr[o] = pr * w7r - pi * w7i;
      yi[o] = pr * w7i + pi * w7r;
    }
  }
}

/**
 * The first pass of a forward {@link RowFft} of length n = 8·m with radix 8 (its first stage) over
 * n × n inputs (a − ma)·h[y]·h[x] + i·(b − mb)·h[y]·h[x] read straight from the real images a and b
 * (n × n, row-major): placing the tapered images in a buffer first costs a pass over memory.
 */
export function radix8Tapered(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  ma: number,
  mb: number,
  h: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  st: Stage,
): void {
  const { m, cos, sin } = st;
  const run = h.length;
  const sg = 1;
  for (let p = 0; p < m; p++) {
    const h0 = h[p];
    const h1 = h[p + m];
    const h2 = h[p + 2 * m];
    const h3 = h[p + 3 * m];
    const h4 = h[p + 4 * m];
    const h5 = h[p + 5 * m];
    const h6 = h[p + 6 * m];
    const h7 = h[p + 7 * m];
    const c = 7 * p;
    const w1r = cos[c];
    const w1i = -sg * sin[c];
    const w2r = cos[c + 1];
    const w2i = -sg * sin[c + 1];
    const w3r = cos[c + 2];
    const w3i = -sg * sin[c + 2];
    const w4r = cos[c + 3];
    const w4i = -sg * sin[c + 3];
    const w5r = cos[c + 4];
    const w5i = -sg * sin[c + 4];
    const w6r = cos[c + 5];
    const w6i = -sg * sin[c + 5];
    const w7r = cos[c + 6];
    const w7i = -sg * sin[c + 6];
    const a0 = p * run;
    const step = m * run;
    const b0 = 8 * p * run;
    for (let t = 0; t < run; t++) {
      // DFT4 of the even inputs (e) and of the odd inputs (o)
      const ht = h[t];
      let i0 = a0 + t;
      const g0 = h0 * ht;
      const x0r = (a[i0] - ma) * g0;
      const x0i = (b[i0] - mb) * g0;
      i0 += step;
      const g1 = h1 * ht;
      const x1r = (a[i0] - ma) * g1;
      const x1i = (b[i0] - mb) * g1;
      i0 += step;
      const g2 = h2 * ht;
      const x2r = (a[i0] - ma) * g2;
      const x2i = (b[i0] - mb) * g2;
      i0 += step;
      const g3 = h3 * ht;
      const x3r = (a[i0] - ma) * g3;
      const x3i = (b[i0] - mb) * g3;
      i0 += step;
      const g4 = h4 * ht;
      const x4r = (a[i0] - ma) * g4;
      const x4i = (b[i0] - mb) * g4;
      i0 += step;
      const g5 = h5 * ht;
      const x5r = (a[i0] - ma) * g5;
      const x5i = (b[i0] - mb) * g5;
      i0 += step;
      const g6 = h6 * ht;
      const x6r = (a[i0] - ma) * g6;
      const x6i = (b[i0] - mb) * g6;
      i0 += step;
      const g7 = h7 * ht;
      const x7r = (a[i0] - ma) * g7;
      const x7i = (b[i0] - mb) * g7;
      let ar = x0r + x4r;
      let ai = x0i + x4i;
      let br = x0r - x4r;
      let bi = x0i - x4i;
      let cr = x2r + x6r;
      let ci = x2i + x6i;
      let dr = sg * (x2i - x6i);
      let di = sg * (x6r - x2r);
      const e0r = ar + cr;
      const e0i = ai + ci;
      const e2r = ar - cr;
      const e2i = ai - ci;
      const e1r = br + dr;
      const e1i = bi + di;
      const e3r = br - dr;
      const e3i = bi - di;
      ar = x1r + x5r;
      ai = x1i + x5i;
      br = x1r - x5r;
      bi = x1i - x5i;
      cr = x3r + x7r;
      ci = x3i + x7i;
      dr = sg * (x3i - x7i);
      di = sg * (x7r - x3r);
      const o0r = ar + cr;
      const o0i = ai + ci;
      const q2r = ar - cr;
      const q2i = ai - ci;
      const q1r = br + dr;
      const q1i = bi + di;
      const q3r = br - dr;
      const q3i = bi - di;
      // o_k·ω8^k: ω8 = (1 − i·sg)/√2, ω8² = −i·sg, ω8³ = (−1 − i·sg)/√2
      const o1r = R2 * (q1r + sg * q1i);
      const o1i = R2 * (q1i - sg * q1r);
      const o2r = sg * q2i;
      const o2i = -sg * q2r;
      const o3r = R2 * (sg * q3i - q3r);
      const o3i = -R2 * (q3i + sg * q3r);
      let o = b0 + t;
      yr[o] = e0r + o0r;
      yi[o] = e0i + o0i;
      o += run;
      let pr = e1r + o1r;
      let pi = e1i + o1i;
      yr[o] = pr * w1r - pi * w1i;
      yi[o] = pr * w1i + pi * w1r;
      o += run;
      pr = e2r + o2r;
      pi = e2i + o2i;
      yr[o] = pr * w2r - pi * w2i;
      yi[o] = pr * w2i + pi * w2r;
      o += run;
      pr = e3r + o3r;
      pi = e3i + o3i;
      yr[o] = pr * w3r - pi * w3i;
      yi[o] = pr * w3i + pi * w3r;
      o += run;
      pr = e0r - o0r;
      pi = e0i - o0i;
      yr[o] = pr * w4r - pi * w4i;
      yi[o] = pr * w4i + pi * w4r;
      o += run;
      pr = e1r - o1r;
      pi = e1i - o1i;
      yr[o] = pr * w5r - pi * w5i;
      yi[o] = pr * w5i + pi * w5r;
      o += run;
      pr = e2r - o2r;
      pi = e2i - o2i;
      yr[o] = pr * w6r - pi * w6i;
      yi[o] = pr * w6i + pi * w6r;
      o += run;
      pr = e3r - o3r;
      pi = e3i - o3i;
      yr[o] = pr * w7r - pi * w7i;
      yi[o] = pr * w7i + pi * w7r;
    }
  }
}
