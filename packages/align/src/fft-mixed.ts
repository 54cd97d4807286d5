// Mixed-radix (2, 3, 4, 5, 8) Stockham FFT applied along the slow axis of a row-major array: every
// butterfly combines whole rows, so the inner loops run over contiguous memory with one twiddle per
// row. Transforming the other axis means transposing first. The radix-8 passes are in fft-radix8.ts.

import { radix8 } from "./fft-radix8.js";

/** The smallest even number >= n whose only prime factors are 2, 3 and 5 (a length {@link RowFft} takes). */
export function nextFftLength(n: number): number {
  for (let m = Math.max(2, Math.ceil(n)); ; m++) {
    if (m % 2 !== 0) continue;
    let r = m;
    for (const p of [2, 3, 5]) while (r % p === 0) r /= p;
    if (r === 1) return m;
  }
}

/**
 * Radices of n: 4s, with an odd power of two's last 2 merged into an 8 (first), then 3s, then 5s (the
 * last stage has no twiddles, which suits the costly radix 5); null when n has a prime factor above 5.
 */
function factorize(n: number): number[] | null {
  const out: number[] = [];
  let r = n;
  for (const p of [4, 2, 3, 5]) {
    while (r % p === 0) {
      out.push(p);
      r /= p;
    }
  }
  const two = out.indexOf(2);
  const four = out.indexOf(4);
  if (two >= 0 && four >= 0) {
    out.splice(two, 1);
    out.splice(four, 1);
    out.unshift(8);
  }
  return r === 1 ? out : null;
}

/** One pass of a {@link RowFft}. */
export interface Stage {
  radix: number;
  /** Butterflies per block (the sub-transform length over the radix). */
  m: number;
  /** Rows per block (the product of the radices before this stage). */
  s: number;
  /** cos and sin of 2π·k·p/(m·radix) at [p·(radix − 1) + k − 1], k = 1 … radix − 1. */
  cos: Float64Array;
  sin: Float64Array;
}

const C5a = Math.cos((2 * Math.PI) / 5);
const C5b = Math.cos((4 * Math.PI) / 5);
const S5a = Math.sin((2 * Math.PI) / 5);
const S5b = Math.sin((4 * Math.PI) / 5);
const S3 = Math.sqrt(3) / 2;

/**
 * Complex FFT of length n along the rows of an n × width split-complex array (real and imaginary
 * parts in separate Float64Arrays), all columns at once. Unscaled in both directions: forward
 * X[k] = Σ x[j] e^{−2πijk/n}, inverse with e^{+2πijk/n} and no 1/n. Twiddles are computed once here.
 */
export class RowFft {
  readonly n: number;
  readonly #stages: Stage[] = [];

  /** The passes, first to last. */
  get stages(): readonly Stage[] {
    return this.#stages;
  }

  constructor(n: number) {
    const radices = factorize(n);
    if (!radices || n < 1) throw new RangeError(`RowFft: length ${n} is not a product of 2, 3 and 5`);
    this.n = n;
    let len = n;
    let s = 1;
    for (const radix of radices) {
      const m = len / radix;
      const cos = new Float64Array(m * (radix - 1));
      const sin = new Float64Array(m * (radix - 1));
      for (let p = 0; p < m; p++) {
        for (let k = 1; k < radix; k++) {
          const a = (2 * Math.PI * k * p) / len;
          cos[p * (radix - 1) + k - 1] = Math.cos(a);
          sin[p * (radix - 1) + k - 1] = Math.sin(a);
        }
      }
      this.#stages.push({ radix, m, s, cos, sin });
      len = m;
      s *= radix;
    }
  }

  /**
   * Transforms the n rows of `width` values of (re, im), using (re2, im2) (same size) as scratch.
   * Returns true when the result ended in the scratch arrays, false when in (re, im). With `from` > 0
   * the first `from` passes are taken as done (their output in (re, im)).
   */
  transform(
    re: Float64Array,
    im: Float64Array,
    re2: Float64Array,
    im2: Float64Array,
    width: number,
    inverse: boolean,
    from = 0,
  ): boolean {
    const sg = inverse ? -1 : 1;
    let xr = re;
    let xi = im;
    let yr = re2;
    let yi = im2;
    const stages = this.#stages;
    for (let i = from; i < stages.length; i++) {
      const st = stages[i];
      const run = st.s * width;
      if (st.radix === 4) radix4(xr, xi, yr, yi, st, run, sg);
      else if (st.radix === 8) radix8(xr, xi, yr, yi, st, run, sg);
      else if (st.radix === 2) radix2(xr, xi, yr, yi, st, run, sg);
      else if (st.radix === 5) radix5(xr, xi, yr, yi, st, run, sg);
      else radix3(xr, xi, yr, yi, st, run, sg);
      const tr = xr;
      const ti = xi;
      xr = yr;
      xi = yi;
      yr = tr;
      yi = ti;
    }
    return xr === re2;
  }
}

// In each stage, butterfly p of a block reads rows p + j·m (j < radix) and writes rows radix·p + k,
// each row group being `run` = s·width contiguous values; output k is multiplied by w^{kp}.

function radix2(
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
    const a0 = p * run;
    const a1 = (p + m) * run;
    const b0 = 2 * p * run;
    const b1 = b0 + run;
    const wr = cos[p];
    const wi = -sg * sin[p];
    for (let t = 0; t < run; t++) {
      const ur = xr[a0 + t];
      const ui = xi[a0 + t];
      const vr = xr[a1 + t];
      const vi = xi[a1 + t];
      yr[b0 + t] = ur + vr;
      yi[b0 + t] = ui + vi;
      const dr = ur - vr;
      const di = ui - vi;
      yr[b1 + t] = dr * wr - di * wi;
      yi[b1 + t] = dr * wi + di * wr;
    }
  }
}

function radix3(
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  st: Stage,
  run: number,
  sg: number,
): void {
  const { m, cos, sin } = st;
  const s3 = sg * S3;
  for (let p = 0; p < m; p++) {
    const a0 = p * run;
    const a1 = (p + m) * run;
    const a2 = (p + 2 * m) * run;
    const b0 = 3 * p * run;
    const b1 = b0 + run;
    const b2 = b1 + run;
    const w1r = cos[2 * p];
    const w1i = -sg * sin[2 * p];
    const w2r = cos[2 * p + 1];
    const w2i = -sg * sin[2 * p + 1];
    for (let t = 0; t < run; t++) {
      const x0r = xr[a0 + t];
      const x0i = xi[a0 + t];
      const sr = xr[a1 + t] + xr[a2 + t];
      const si = xi[a1 + t] + xi[a2 + t];
      const dr = s3 * (xr[a1 + t] - xr[a2 + t]);
      const di = s3 * (xi[a1 + t] - xi[a2 + t]);
      yr[b0 + t] = x0r + sr;
      yi[b0 + t] = x0i + si;
      const cr = x0r - 0.5 * sr;
      const ci = x0i - 0.5 * si;
      // X1 = c − i·d, X2 = c + i·d (forward)
      const p1r = cr + di;
      const p1i = ci - dr;
      const p2r = cr - di;
      const p2i = ci + dr;
      yr[b1 + t] = p1r * w1r - p1i * w1i;
      yi[b1 + t] = p1r * w1i + p1i * w1r;
      yr[b2 + t] = p2r * w2r - p2i * w2i;
      yi[b2 + t] = p2r * w2i + p2i * w2r;
    }
  }
}

function radix4(
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
    const a0 = p * run;
    const a1 = (p + m) * run;
    const a2 = (p + 2 * m) * run;
    const a3 = (p + 3 * m) * run;
    const b0 = 4 * p * run;
    const b1 = b0 + run;
    const b2 = b1 + run;
    const b3 = b2 + run;
    const w1r = cos[3 * p];
    const w1i = -sg * sin[3 * p];
    const w2r = cos[3 * p + 1];
    const w2i = -sg * sin[3 * p + 1];
    const w3r = cos[3 * p + 2];
    const w3i = -sg * sin[3 * p + 2];
    if (p === 0) {
      radix4Plain(xr, xi, yr, yi, run, m, sg);
      continue;
    }
    for (let t = 0; t < run; t++) {
      const x0r = xr[a0 + t];
      const x0i = xi[a0 + t];
      const x1r = xr[a1 + t];
      const x1i = xi[a1 + t];
      const x2r = xr[a2 + t];
      const x2i = xi[a2 + t];
      const x3r = xr[a3 + t];
      const x3i = xi[a3 + t];
      const t0r = x0r + x2r;
      const t0i = x0i + x2i;
      const t1r = x0r - x2r;
      const t1i = x0i - x2i;
      const t2r = x1r + x3r;
      const t2i = x1i + x3i;
      // −i·sg·(x1 − x3)
      const t3r = sg * (x1i - x3i);
      const t3i = sg * (x3r - x1r);
      yr[b0 + t] = t0r + t2r;
      yi[b0 + t] = t0i + t2i;
      const p1r = t1r + t3r;
      const p1i = t1i + t3i;
      const p2r = t0r - t2r;
      const p2i = t0i - t2i;
      const p3r = t1r - t3r;
      const p3i = t1i - t3i;
      yr[b1 + t] = p1r * w1r - p1i * w1i;
      yi[b1 + t] = p1r * w1i + p1i * w1r;
      yr[b2 + t] = p2r * w2r - p2i * w2i;
      yi[b2 + t] = p2r * w2i + p2i * w2r;
      yr[b3 + t] = p3r * w3r - p3i * w3i;
      yi[b3 + t] = p3r * w3i + p3i * w3r;
    }
  }
}

function radix5(
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  st: Stage,
  run: number,
  sg: number,
): void {
  const { m, cos, sin } = st;
  const s1 = sg * S5a;
  const s2 = sg * S5b;
  for (let p = 0; p < m; p++) {
    const a0 = p * run;
    const a1 = (p + m) * run;
    const a2 = (p + 2 * m) * run;
    const a3 = (p + 3 * m) * run;
    const a4 = (p + 4 * m) * run;
    const b0 = 5 * p * run;
    const b1 = b0 + run;
    const b2 = b1 + run;
    const b3 = b2 + run;
    const b4 = b3 + run;
    const w1r = cos[4 * p];
    const w1i = -sg * sin[4 * p];
    const w2r = cos[4 * p + 1];
    const w2i = -sg * sin[4 * p + 1];
    const w3r = cos[4 * p + 2];
    const w3i = -sg * sin[4 * p + 2];
    const w4r = cos[4 * p + 3];
    const w4i = -sg * sin[4 * p + 3];
    if (p === 0) {
      radix5Plain(xr, xi, yr, yi, run, m, sg);
      continue;
    }
    for (let t = 0; t < run; t++) {
      const x0r = xr[a0 + t];
      const x0i = xi[a0 + t];
      const x1r = xr[a1 + t];
      const x1i = xi[a1 + t];
      const x4r = xr[a4 + t];
      const x4i = xi[a4 + t];
      const x2r = xr[a2 + t];
      const x2i = xi[a2 + t];
      const x3r = xr[a3 + t];
      const x3i = xi[a3 + t];
      const b1r = x1r + x4r;
      const b1i = x1i + x4i;
      const b2r = x2r + x3r;
      const b2i = x2i + x3i;
      const d1r = x1r - x4r;
      const d1i = x1i - x4i;
      const d2r = x2r - x3r;
      const d2i = x2i - x3i;
      yr[b0 + t] = x0r + b1r + b2r;
      yi[b0 + t] = x0i + b1i + b2i;
      const c1r = x0r + C5a * b1r + C5b * b2r;
      const c1i = x0i + C5a * b1i + C5b * b2i;
      const c2r = x0r + C5b * b1r + C5a * b2r;
      const c2i = x0i + C5b * b1i + C5a * b2i;
      // X1 = c1 − i·e1, X4 = c1 + i·e1, X2 = c2 − i·e2, X3 = c2 + i·e2 (forward; sg flips i)
      const e1r = s1 * d1r + s2 * d2r;
      const e1i = s1 * d1i + s2 * d2i;
      const e2r = s2 * d1r - s1 * d2r;
      const e2i = s2 * d1i - s1 * d2i;
      const p1r = c1r + e1i;
      const p1i = c1i - e1r;
      const p4r = c1r - e1i;
      const p4i = c1i + e1r;
      const p2r = c2r + e2i;
      const p2i = c2i - e2r;
      const p3r = c2r - e2i;
      const p3i = c2i + e2r;
      yr[b1 + t] = p1r * w1r - p1i * w1i;
      yi[b1 + t] = p1r * w1i + p1i * w1r;
      yr[b2 + t] = p2r * w2r - p2i * w2i;
      yi[b2 + t] = p2r * w2i + p2i * w2r;
      yr[b3 + t] = p3r * w3r - p3i * w3i;
      yi[b3 + t] = p3r * w3i + p3i * w3r;
      yr[b4 + t] = p4r * w4r - p4i * w4i;
      yi[b4 + t] = p4r * w4i + p4i * w4r;
    }
  }
}

/** Butterfly p = 0 of a radix-4 stage (all twiddles 1). */
function radix4Plain(
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  run: number,
  m: number,
  sg: number,
): void {
  const a1 = m * run;
  const a2 = 2 * m * run;
  const a3 = 3 * m * run;
  for (let t = 0; t < run; t++) {
    const x0r = xr[t];
    const x0i = xi[t];
    const x1r = xr[a1 + t];
    const x1i = xi[a1 + t];
    const x2r = xr[a2 + t];
    const x2i = xi[a2 + t];
    const x3r = xr[a3 + t];
    const x3i = xi[a3 + t];
    const t0r = x0r + x2r;
    const t0i = x0i + x2i;
    const t1r = x0r - x2r;
    const t1i = x0i - x2i;
    const t2r = x1r + x3r;
    const t2i = x1i + x3i;
    const t3r = sg * (x1i - x3i);
    const t3i = sg * (x3r - x1r);
    yr[t] = t0r + t2r;
    yi[t] = t0i + t2i;
    yr[run + t] = t1r + t3r;
    yi[run + t] = t1i + t3i;
    yr[2 * run + t] = t0r - t2r;
    yi[2 * run + t] = t0i - t2i;
    yr[3 * run + t] = t1r - t3r;
    yi[3 * run + t] = t1i - t3i;
  }
}

/** Butterfly p = 0 of a radix-5 stage (all twiddles 1). */
function radix5Plain(
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  run: number,
  m: number,
  sg: number,
): void {
  const s1 = sg * S5a;
  const s2 = sg * S5b;
  const a1 = m * run;
  const a2 = 2 * m * run;
  const a3 = 3 * m * run;
  const a4 = 4 * m * run;
  for (let t = 0; t < run; t++) {
    const x0r = xr[t];
    const x0i = xi[t];
    const b1r = xr[a1 + t] + xr[a4 + t];
    const b1i = xi[a1 + t] + xi[a4 + t];
    const b2r = xr[a2 + t] + xr[a3 + t];
    const b2i = xi[a2 + t] + xi[a3 + t];
    const d1r = xr[a1 + t] - xr[a4 + t];
    const d1i = xi[a1 + t] - xi[a4 + t];
    const d2r = xr[a2 + t] - xr[a3 + t];
    const d2i = xi[a2 + t] - xi[a3 + t];
    yr[t] = x0r + b1r + b2r;
    yi[t] = x0i + b1i + b2i;
    const c1r = x0r + C5a * b1r + C5b * b2r;
    const c1i = x0i + C5a * b1i + C5b * b2i;
    const c2r = x0r + C5b * b1r + C5a * b2r;
    const c2i = x0i + C5b * b1i + C5a * b2i;
    const e1r = s1 * d1r + s2 * d2r;
    const e1i = s1 * d1i + s2 * d2i;
    const e2r = s2 * d1r - s1 * d2r;
    const e2i = s2 * d1i - s1 * d2i;
    yr[run + t] = c1r + e1i;
    yi[run + t] = c1i - e1r;
    yr[2 * run + t] = c2r + e2i;
    yi[2 * run + t] = c2i - e2r;
    yr[3 * run + t] = c2r - e2i;
    yi[3 * run + t] = c2i + e2r;
    yr[4 * run + t] = c1r - e1i;
    yi[4 * run + t] = c1i + e1r;
  }
}
