import { describe, expect, it } from "vitest";
import { fft3d, naiveDft3d } from "./fft3d.js";
import { Rng } from "./prng.js";

function randomComplex(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const a = new Float64Array(2 * n);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  return a;
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("fft3d", () => {
  it.each([[[4, 8, 2]], [[8, 4, 4]], [[2, 1, 16]], [[1, 1, 4]]] as [number, number, number][][])(
    "matches a naive DFT on shape %j (forward and inverse)",
    (shape) => {
      const n = shape[0] * shape[1] * shape[2];
      const x = randomComplex(n, 7);
      const ref = naiveDft3d(x, shape, "forward");
      const got = fft3d(x.slice(), shape, "forward");
      expect(maxAbsDiff(got, ref)).toBeLessThan(1e-9);
      const refInv = naiveDft3d(x, shape, "inverse");
      const gotInv = fft3d(x.slice(), shape, "inverse");
      expect(maxAbsDiff(gotInv, refInv)).toBeLessThan(1e-12);
    },
  );

  it("puts a single plane wave in one bin with the documented sign", () => {
    const shape: [number, number, number] = [4, 4, 8];
    const x = new Float64Array(2 * 128);
    // f(x) = exp(+2πi (1·x0/4 + 3·x2/8)) → F has 128 at k = (1, 0, 3)
    for (let a = 0; a < 4; a++)
      for (let b = 0; b < 4; b++)
        for (let c = 0; c < 8; c++) {
          const ph = 2 * Math.PI * (a / 4 + (3 * c) / 8);
          const e = 2 * ((a * 4 + b) * 8 + c);
          x[e] = Math.cos(ph);
          x[e + 1] = Math.sin(ph);
        }
    fft3d(x, shape);
    const peak = 2 * ((1 * 4 + 0) * 8 + 3);
    expect(x[peak]).toBeCloseTo(128, 9);
    let rest = 0;
    for (let i = 0; i < x.length; i++) if (i !== peak) rest = Math.max(rest, Math.abs(x[i]));
    expect(rest).toBeLessThan(1e-9);
  });

  it("round-trips forward then inverse on a 16³ grid", () => {
    const shape: [number, number, number] = [16, 16, 16];
    const x = randomComplex(4096, 3);
    const y = fft3d(fft3d(x.slice(), shape), shape, "inverse");
    expect(maxAbsDiff(x, y)).toBeLessThan(1e-12);
  });

  it("rejects shapes that are not powers of two and wrong lengths", () => {
    expect(() => fft3d(new Float64Array(2 * 27), [3, 3, 3])).toThrow(/shape.*powers of two/);
    expect(() => fft3d(new Float64Array(10), [2, 2, 2])).toThrow(/data/);
  });
});
