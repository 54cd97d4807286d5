import { describe, expect, it } from "vitest";
import { nextFftLength, RowFft } from "./fft-mixed.js";
import { radix8Gather, radix8Tapered } from "./fft-radix8.js";

/** Deterministic values in [−0.5, 0.5). */
const noise = (n: number, seed: number) =>
  Float64Array.from(
    { length: n },
    (_, i) => ((((Math.sin((i + 1) * 12.9898 + seed * 78.233) * 43758.5453) % 1) + 1) % 1) - 0.5,
  );

/** The DFT of each column of an n × width split-complex array, by its definition. */
function naive(re: Float64Array, im: Float64Array, n: number, width: number, sign: number) {
  const or = new Float64Array(n * width);
  const oi = new Float64Array(n * width);
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < width; t++) {
      let sr = 0;
      let si = 0;
      for (let j = 0; j < n; j++) {
        const a = (sign * 2 * Math.PI * ((j * k) % n)) / n;
        sr += re[j * width + t] * Math.cos(a) - im[j * width + t] * Math.sin(a);
        si += re[j * width + t] * Math.sin(a) + im[j * width + t] * Math.cos(a);
      }
      or[k * width + t] = sr;
      oi[k * width + t] = si;
    }
  }
  return { or, oi };
}

describe("RowFft (mixed radix 2, 3, 4, 5, 8 along the rows axis)", () => {
  it.each([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 16, 30, 32, 40, 60, 80, 90, 96, 100, 150, 160])(
    "forward and inverse equal the DFT definition (n = %i)",
    (n) => {
      const width = 3;
      const re = noise(n * width, n);
      const im = noise(n * width, n + 1000);
      for (const inverse of [false, true]) {
        const a = Float64Array.from(re);
        const b = Float64Array.from(im);
        const c = new Float64Array(n * width);
        const d = new Float64Array(n * width);
        const inScratch = new RowFft(n).transform(a, b, c, d, width, inverse);
        const [gr, gi] = inScratch ? [c, d] : [a, b];
        const { or, oi } = naive(re, im, n, width, inverse ? 1 : -1);
        let err = 0;
        for (let i = 0; i < n * width; i++)
          err = Math.max(err, Math.abs(gr[i] - or[i]), Math.abs(gi[i] - oi[i]));
        expect(err, `n = ${n}, inverse ${inverse}`).toBeLessThan(1e-11 * n);
      }
    },
  );

  it("rejects lengths with a prime factor above 5; nextFftLength gives even 2·3·5-smooth lengths", () => {
    expect(() => new RowFft(14)).toThrow(RangeError);
    expect([2, 7, 97, 160, 161, 250].map(nextFftLength)).toEqual([2, 8, 100, 160, 162, 250]);
  });

  it("the fused first passes equal placing the input first", () => {
    const n = 40;
    const fft = new RowFft(n);
    const first = fft.stages[0];
    expect(first.radix).toBe(8);
    const a = noise(n * n, 1).map((v) => 100 + 50 * v);
    const b = noise(n * n, 2).map((v) => 80 + 40 * v);
    const h = Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n));
    // tapered: (a − 100)·h[y]·h[x] + i·(b − 80)·h[y]·h[x], then the remaining passes
    const pr = new Float64Array(n * n);
    const pi = new Float64Array(n * n);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        pr[y * n + x] = (a[y * n + x] - 100) * h[y] * h[x];
        pi[y * n + x] = (b[y * n + x] - 80) * h[y] * h[x];
      }
    }
    const want = naive(pr, pi, n, n, -1);
    const yr = new Float64Array(n * n);
    const yi = new Float64Array(n * n);
    radix8Tapered(a, b, 100, 80, h, yr, yi, first);
    const s1 = new Float64Array(n * n);
    const s2 = new Float64Array(n * n);
    const [gr, gi] = fft.transform(yr, yi, s1, s2, n, false, 1) ? [s1, s2] : [yr, yi];
    for (let i = 0; i < n * n; i++) {
      expect(gr[i]).toBeCloseTo(want.or[i], 9);
      expect(gi[i]).toBeCloseTo(want.oi[i], 9);
    }
    // gathered: the columns of rows 0, 3, 39 of pr + i·pi as a 40 × 3 array
    const rows = Int32Array.from([0, 3, 39]);
    const tr = new Float64Array(n * 3);
    const ti = new Float64Array(n * 3);
    for (let x = 0; x < n; x++) {
      for (let j = 0; j < 3; j++) {
        tr[x * 3 + j] = pr[rows[j] * n + x];
        ti[x * 3 + j] = pi[rows[j] * n + x];
      }
    }
    const wantT = naive(tr, ti, n, 3, -1);
    radix8Gather(pr, pi, yr, yi, first, rows, 1);
    const [hr, hi] = fft.transform(yr, yi, s1, s2, 3, false, 1) ? [s1, s2] : [yr, yi];
    for (let i = 0; i < n * 3; i++) {
      expect(hr[i]).toBeCloseTo(wantT.or[i], 9);
      expect(hi[i]).toBeCloseTo(wantT.oi[i], 9);
    }
  });
});
