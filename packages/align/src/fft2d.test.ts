import { describe, expect, it } from "vitest";
import { fft2d, inverseReal2d } from "./fft2d.js";

/** The 2-D DFT by its definition (for small sizes). */
function naiveDft(re: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(2 * rows * cols);
  for (let u = 0; u < rows; u++) {
    for (let v = 0; v < cols; v++) {
      let sr = 0;
      let si = 0;
      for (let y = 0; y < rows; y++) {
        for (let x = 0; x < cols; x++) {
          const a = -2 * Math.PI * ((u * y) / rows + (v * x) / cols);
          sr += re[y * cols + x] * Math.cos(a);
          si += re[y * cols + x] * Math.sin(a);
        }
      }
      out[2 * (u * cols + v)] = sr;
      out[2 * (u * cols + v) + 1] = si;
    }
  }
  return out;
}

describe("2-D FFTs", () => {
  it.each([
    [8, 16],
    [16, 4],
    [32, 32],
  ])("forward equals the DFT definition; the real inverse returns the image (%i × %i)", (rows, cols) => {
    const image = Float64Array.from(
      { length: rows * cols },
      (_, i) => Math.sin(i * 1.7) * 3 + ((i * 31) % 7),
    );
    const complex = new Float64Array(2 * rows * cols);
    image.forEach((v, i) => {
      complex[2 * i] = v;
    });
    const spectrum = fft2d(complex, rows, cols);
    const truth = naiveDft(image, rows, cols);
    for (let i = 0; i < truth.length; i++) expect(spectrum[i]).toBeCloseTo(truth[i], 8);
    const back = inverseReal2d(spectrum, rows, cols);
    for (let i = 0; i < image.length; i++) expect(back[i]).toBeCloseTo(image[i], 10);
  });
});
