// Elastic augmentation: the warp against analytic values (a linear ramp moved by a constant field is
// the ramp shifted, exactly, under bilinear sampling), labels keep their values, fields stay bounded
// and smooth.
import { describe, expect, it } from "vitest";
import { randomElasticField, warpPatch } from "./elastic.js";

function constantField(py: number, px: number, dy: number, dx: number) {
  return { py, px, dy: new Float32Array(py * px).fill(dy), dx: new Float32Array(py * px).fill(dx) };
}

describe("elastic augmentation", () => {
  it("a constant field shifts a ramp exactly (bilinear), inside the patch", () => {
    const [pz, py, px] = [2, 16, 20];
    const src = new Float32Array(pz * py * px);
    for (let z = 0; z < pz; z++)
      for (let y = 0; y < py; y++)
        for (let x = 0; x < px; x++) src[(z * py + y) * px + x] = 100 * z + 3 * y + 0.5 * x;
    const out = new Float32Array(src.length);
    warpPatch(src, [pz, py, px], constantField(py, px, 1.25, -0.75), false, out);
    for (let z = 0; z < pz; z++) {
      for (let y = 0; y < py - 3; y++) {
        for (let x = 1; x < px; x++) {
          expect(out[(z * py + y) * px + x]).toBeCloseTo(100 * z + 3 * (y + 1.25) + 0.5 * (x - 0.75), 4);
        }
      }
    }
  });

  it("mirrors at the edges and, for labels, only moves values (nearest)", () => {
    const [py, px] = [8, 8];
    const labels = Float32Array.from({ length: py * px }, (_, i) => 1 + (i % 5));
    const out = new Float32Array(labels.length);
    warpPatch(labels, [1, py, px], constantField(py, px, -2, 0), true, out);
    // row 0 samples row −2 → mirrored row 2; row 1 → row 1; row 3 → row 1
    for (let x = 0; x < px; x++) {
      expect(out[x]).toBe(labels[2 * px + x]);
      expect(out[3 * px + x]).toBe(labels[1 * px + x]);
    }
    const values = new Set(labels);
    for (const v of out) expect(values.has(v)).toBe(true);
  });

  it("random fields stay within the amplitude and change slowly between neighbours", () => {
    let s = 12345;
    const random = () => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return s / 2 ** 31;
    };
    const f = randomElasticField(96, 80, 32, 4, random);
    let largest = 0;
    let steepest = 0;
    for (let y = 0; y < 96; y++) {
      for (let x = 0; x < 80; x++) {
        const i = y * 80 + x;
        largest = Math.max(largest, Math.abs(f.dy[i]), Math.abs(f.dx[i]));
        if (x > 0)
          steepest = Math.max(steepest, Math.abs(f.dx[i] - f.dx[i - 1]), Math.abs(f.dy[i] - f.dy[i - 1]));
        if (y > 0)
          steepest = Math.max(steepest, Math.abs(f.dx[i] - f.dx[i - 80]), Math.abs(f.dy[i] - f.dy[i - 80]));
      }
    }
    expect(largest).toBeLessThanOrEqual(4);
    expect(largest).toBeGreaterThan(1);
    // bilinear between control points 32 px apart that differ by at most 8 px
    expect(steepest).toBeLessThanOrEqual(8 / 32 + 1e-6);
  });
});
