import { describe, expect, it } from "vitest";
import { fft3d } from "./fft3d.js";
import { gaussianRandomField, waveNumber, zeldovich } from "./zeldovich.js";

const N = 64;
const L = 200;
const power = (k: number) => 3000 * k ** -1.5;

/** Shell-averaged |δ_k|² L³/N⁶ of a real grid, against the mean of P over the same modes. */
function measuredSpectrum(density: Float32Array, n: number, box: number, P: (k: number) => number) {
  const c = new Float64Array(2 * n * n * n);
  for (let i = 0; i < density.length; i++) c[2 * i] = density[i];
  fft3d(c, [n, n, n]);
  const kf = (2 * Math.PI) / box;
  const bins = new Map<number, { measured: number; expected: number; modes: number }>();
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++)
      for (let l = 0; l < n; l++) {
        if (a === n / 2 || b === n / 2 || l === n / 2) continue;
        const k = Math.hypot(waveNumber(a, n, box), waveNumber(b, n, box), waveNumber(l, n, box));
        if (k === 0) continue;
        const bin = Math.round(k / kf);
        const e = 2 * ((a * n + b) * n + l);
        const entry = bins.get(bin) ?? { measured: 0, expected: 0, modes: 0 };
        entry.measured += ((c[e] ** 2 + c[e + 1] ** 2) * box ** 3) / n ** 6;
        entry.expected += P(k);
        entry.modes++;
        bins.set(bin, entry);
      }
  return [...bins.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([bin, v]) => ({ bin, ratio: v.measured / v.expected, modes: v.modes }));
}

describe("gaussianRandomField", () => {
  it("is Hermitian, so its inverse transform is real", () => {
    const n = 16;
    const f = gaussianRandomField({ gridSize: n, boxSize: 50, powerSpectrum: power, seed: 2 });
    let maxAbs = 0;
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++)
        for (let l = 0; l < n; l++) {
          const e = 2 * ((a * n + b) * n + l);
          const m = 2 * ((((n - a) % n) * n + ((n - b) % n)) * n + ((n - l) % n));
          expect(f[m]).toBeCloseTo(f[e], 9);
          expect(f[m + 1]).toBeCloseTo(-f[e + 1], 9);
          maxAbs = Math.max(maxAbs, Math.abs(f[e]));
        }
    expect(maxAbs).toBeGreaterThan(0);
    const x = fft3d(f.slice(), [n, n, n], "inverse");
    let re = 0;
    let im = 0;
    for (let i = 0; i < x.length; i += 2) {
      re = Math.max(re, Math.abs(x[i]));
      im = Math.max(im, Math.abs(x[i + 1]));
    }
    expect(im).toBeLessThan(1e-12 * re);
  });

  it("zeroes the mean and the Nyquist planes", () => {
    const n = 8;
    const f = gaussianRandomField({ gridSize: n, boxSize: 10, powerSpectrum: () => 1, seed: 1 });
    expect(f[0]).toBe(0);
    expect(f[1]).toBe(0);
    const e = 2 * ((4 * n + 1) * n + 2); // index 4 = N/2 on the first axis
    expect(f[e]).toBe(0);
    expect(f[e + 1]).toBe(0);
  });
});

describe("zeldovich", () => {
  const sim = zeldovich({ gridSize: N, boxSize: L, powerSpectrum: power, seed: 7 });

  it("has the requested power spectrum within sampling error", () => {
    const spec = measuredSpectrum(sim.density, N, L, power).filter((s) => s.modes >= 300 && s.bin < N / 2);
    expect(spec.length).toBeGreaterThan(10);
    for (const s of spec) expect(Math.abs(s.ratio - 1)).toBeLessThan(0.15);
    const mean = spec.reduce((t, s) => t + s.ratio, 0) / spec.length;
    expect(Math.abs(mean - 1)).toBeLessThan(0.03);
    // A different amplitude is detected (the test can fail).
    const doubled = measuredSpectrum(sim.density, N, L, (k) => 2 * power(k)).filter(
      (s) => s.modes >= 300 && s.bin < N / 2,
    );
    expect(doubled.every((s) => s.ratio < 0.7)).toBe(true);
  });

  it("has a displacement whose divergence is −δ (finite differences, smooth spectrum)", () => {
    const n = 32;
    const box = 100;
    const kc = (0.15 * (Math.PI * n)) / box;
    const smooth = zeldovich({
      gridSize: n,
      boxSize: box,
      powerSpectrum: (k) => 50 * k ** -2 * Math.exp(-((k / kc) ** 2)),
      seed: 3,
    });
    const h = box / n;
    const psi = smooth.displacements;
    const idx = (a: number, b: number, l: number) => (((a + n) % n) * n + ((b + n) % n)) * n + ((l + n) % n);
    let err = 0;
    let ref = 0;
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++)
        for (let l = 0; l < n; l++) {
          const div =
            (psi[3 * idx(a + 1, b, l)] -
              psi[3 * idx(a - 1, b, l)] +
              psi[3 * idx(a, b + 1, l) + 1] -
              psi[3 * idx(a, b - 1, l) + 1] +
              psi[3 * idx(a, b, l + 1) + 2] -
              psi[3 * idx(a, b, l - 1) + 2]) /
            (2 * h);
          const d = smooth.density[idx(a, b, l)];
          err += (div + d) ** 2;
          ref += d * d;
        }
    expect(ref).toBeGreaterThan(0);
    expect(Math.sqrt(err / ref)).toBeLessThan(0.05);
  });

  it("moves lattice particles by ψ, wraps them into the box and sets v = velocityFactor·ψ", () => {
    const n = 16;
    const box = 64;
    const s = zeldovich({
      gridSize: n,
      boxSize: box,
      powerSpectrum: power,
      seed: 1,
      growthFactor: 2,
      velocityFactor: 50,
    });
    const cell = box / n;
    let maxErr = 0;
    for (let p = 0; p < n ** 3; p++) {
      const q = [Math.floor(p / (n * n)) * cell, (Math.floor(p / n) % n) * cell, (p % n) * cell];
      for (let d = 0; d < 3; d++) {
        const x = s.positions[3 * p + d];
        expect(x >= 0 && x < box).toBe(true);
        let diff = (x - q[d] - s.displacements[3 * p + d]) % box;
        if (diff > box / 2) diff -= box;
        if (diff < -box / 2) diff += box;
        maxErr = Math.max(maxErr, Math.abs(diff));
        expect(s.velocities[3 * p + d]).toBeCloseTo(50 * s.displacements[3 * p + d], 3);
      }
    }
    expect(maxErr).toBeLessThan(1e-4);
    // The growth factor scales the field linearly.
    const unit = zeldovich({ gridSize: n, boxSize: box, powerSpectrum: power, seed: 1 });
    for (let i = 0; i < 50; i++) expect(s.density[i]).toBeCloseTo(2 * unit.density[i], 4);
  });

  it("is deterministic under the seed and differs between seeds", () => {
    const a = zeldovich({ gridSize: 16, boxSize: 50, powerSpectrum: power, seed: 9 });
    const b = zeldovich({ gridSize: 16, boxSize: 50, powerSpectrum: power, seed: 9 });
    const c = zeldovich({ gridSize: 16, boxSize: 50, powerSpectrum: power, seed: 10 });
    expect(a.positions).toEqual(b.positions);
    expect(a.density).toEqual(b.density);
    expect(a.positions).not.toEqual(c.positions);
  });

  it("rejects bad options with a RangeError naming the option", () => {
    expect(() => zeldovich({ gridSize: 12, boxSize: 10, powerSpectrum: power })).toThrow(
      /"gridSize".*power of two/,
    );
    expect(() => zeldovich({ gridSize: 8, boxSize: 0, powerSpectrum: power })).toThrow(/"boxSize"/);
    expect(() => zeldovich({ gridSize: 8, boxSize: 10, powerSpectrum: () => -1 })).toThrow(/"powerSpectrum"/);
    expect(() =>
      zeldovich({ gridSize: 8, boxSize: 10, powerSpectrum: 3 as unknown as (k: number) => number }),
    ).toThrow(RangeError);
  });
});
