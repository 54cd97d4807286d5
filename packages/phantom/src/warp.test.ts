import { describe, expect, it } from "vitest";
import { applyDisplacements, invertDisplacements, warpSections } from "./warp.js";

const SHAPE: [number, number, number] = [4, 96, 112];
const [Z, Y, X] = SHAPE;
const N = Y * X;

/** A smooth test image: a few long-wavelength sinusoids per section. */
function smoothStack(): Float32Array {
  const a = new Float32Array(Z * N);
  for (let z = 0; z < Z; z++)
    for (let y = 0; y < Y; y++)
      for (let x = 0; x < X; x++) {
        a[z * N + y * X + x] =
          100 + 40 * Math.sin(y / 7 + z) * Math.cos(x / 9) + 20 * Math.sin((x + 2 * y) / 13 + 0.5 * z);
      }
  return a;
}

const OPTS = {
  seed: 3,
  maxTranslationPx: 6,
  maxRotationDeg: 3,
  elasticAmplitudePx: 2.5,
  elasticSmoothnessPx: 24,
};

describe("warpSections", () => {
  it("follows warped[z](p) = original[z](p + d(p)) exactly for a linear ramp", () => {
    const ramp = new Float64Array(Z * N);
    for (let z = 0; z < Z; z++)
      for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) ramp[z * N + y * X + x] = 3 * y + 0.5 * x + z;
    const { warped, displacements } = warpSections(ramp, SHAPE, { ...OPTS, fill: Number.NaN });
    let checked = 0;
    for (let z = 0; z < Z; z++)
      for (let i = 0; i < N; i++) {
        const v = warped[z * N + i];
        if (Number.isNaN(v)) continue;
        const y = Math.floor(i / X);
        const x = i % X;
        const dy = displacements[z * 2 * N + i];
        const dx = displacements[(z * 2 + 1) * N + i];
        expect(Math.abs(v - (3 * (y + dy) + 0.5 * (x + dx) + z))).toBeLessThan(1e-4);
        checked++;
      }
    expect(checked).toBeGreaterThan(0.7 * Z * N);
  });

  it("leaves section 0 as the unwarped reference and moves the others by the drawn amounts", () => {
    const stack = smoothStack();
    const { warped, displacements, rigid } = warpSections(stack, SHAPE, OPTS);
    expect(warped.subarray(0, N)).toEqual(stack.subarray(0, N));
    expect(displacements.subarray(0, 2 * N).every((v) => v === 0)).toBe(true);
    expect(rigid[0]).toEqual({ translationPx: [0, 0], rotationDeg: 0 });
    for (let z = 1; z < Z; z++) {
      expect(Math.abs(rigid[z].translationPx[0])).toBeLessThanOrEqual(6);
      expect(Math.abs(rigid[z].rotationDeg)).toBeLessThanOrEqual(3);
      // At the centre the rotation adds nothing: d = translation + elastic (|elastic| ≤ 2.5).
      const c = Math.round((Y - 1) / 2) * X + Math.round((X - 1) / 2);
      expect(Math.abs(displacements[z * 2 * N + c] - rigid[z].translationPx[0])).toBeLessThan(2.5 + 0.1);
      let moved = 0;
      for (let i = 0; i < N; i++) if (Math.abs(warped[z * N + i] - stack[z * N + i]) > 1) moved++;
      expect(moved).toBeGreaterThan(N / 4);
    }
    const first = warpSections(stack, SHAPE, { ...OPTS, warpFirstSection: true });
    expect(first.displacements.subarray(0, 2 * N).some((v) => v !== 0)).toBe(true);
  });

  it("caps the elastic part at elasticAmplitudePx", () => {
    const { displacements } = warpSections(new Uint8Array(Z * N), SHAPE, {
      seed: 1,
      maxTranslationPx: 0,
      maxRotationDeg: 0,
      elasticAmplitudePx: 4,
    });
    let max = 0;
    for (let z = 1; z < Z; z++)
      for (let i = 0; i < N; i++)
        max = Math.max(max, Math.hypot(displacements[z * 2 * N + i], displacements[(z * 2 + 1) * N + i]));
    expect(max).toBeCloseTo(4, 4);
  });

  it("is undone by applying the inverted displacement, to interpolation error", () => {
    const stack = smoothStack();
    const { warped, displacements } = warpSections(stack, SHAPE, { ...OPTS, fill: Number.NaN });
    const inverse = invertDisplacements(displacements, SHAPE);
    const back = applyDisplacements(warped, SHAPE, inverse, { fill: Number.NaN });
    let sum = 0;
    let max = 0;
    let n = 0;
    for (let z = 0; z < Z; z++)
      for (let y = 16; y < Y - 16; y++)
        for (let x = 16; x < X - 16; x++) {
          const i = z * N + y * X + x;
          if (Number.isNaN(back[i])) continue;
          const e = Math.abs(back[i] - stack[i]);
          sum += e;
          max = Math.max(max, e);
          n++;
        }
    expect(n).toBeGreaterThan(0.9 * Z * (Y - 32) * (X - 32));
    // The image spans ±60 around 100; two bilinear resamplings of these wavelengths cost < 2 %.
    expect(sum / n).toBeLessThan(0.5);
    expect(max).toBeLessThan(2.5);
    // And the warp itself is far from the identity.
    let moved = 0;
    for (let i = N; i < Z * N; i++) if (!Number.isNaN(warped[i])) moved += Math.abs(warped[i] - stack[i]);
    expect(moved / ((Z - 1) * N)).toBeGreaterThan(5);
  });

  it("is the identity when every amplitude is zero", () => {
    const stack = new Uint16Array(Z * N).map((_, i) => (i * 7919) % 65536);
    const { warped, displacements } = warpSections(stack, SHAPE, {
      seed: 5,
      maxTranslationPx: 0,
      maxRotationDeg: 0,
      elasticAmplitudePx: 0,
      warpFirstSection: true,
    });
    expect(warped).toBeInstanceOf(Uint16Array);
    expect(displacements.every((v) => v === 0)).toBe(true);
    expect(warped).toEqual(stack);
  });

  it("keeps label values with nearest interpolation and the dtype", () => {
    const labels = new Uint32Array(Z * N);
    for (let i = 0; i < labels.length; i++)
      labels[i] = 1 + ((Math.floor((i % N) / X / 10) * 13 + Math.floor((i % X) / 10)) % 50);
    const values = new Set(labels);
    const { warped } = warpSections(labels, SHAPE, { ...OPTS, interpolation: "nearest", fill: 0 });
    expect(warped).toBeInstanceOf(Uint32Array);
    for (const v of new Set(warped)) expect(v === 0 || values.has(v)).toBe(true);
  });

  it("is deterministic under the seed and differs between seeds", () => {
    const stack = smoothStack();
    const a = warpSections(stack, SHAPE, OPTS);
    const b = warpSections(stack, SHAPE, OPTS);
    const c = warpSections(stack, SHAPE, { ...OPTS, seed: 4 });
    expect(a.displacements).toEqual(b.displacements);
    expect(a.warped).toEqual(b.warped);
    expect(a.displacements).not.toEqual(c.displacements);
  });

  it("rejects bad input with errors naming the option", () => {
    expect(() => warpSections(new Uint8Array(10), SHAPE)).toThrow(/"stack".*10 elements/);
    expect(() => warpSections(new Uint8Array(Z * N), SHAPE, { maxRotationDeg: -1 })).toThrow(
      /"maxRotationDeg"/,
    );
    expect(() =>
      applyDisplacements(new Uint8Array(Z * N), SHAPE, new Float32Array(3), { interpolation: "linear" }),
    ).toThrow(/"displacements"/);
    expect(() =>
      applyDisplacements(new Uint8Array(Z * N), SHAPE, new Float32Array(2 * Z * N), {
        interpolation: "cubic" as "linear",
      }),
    ).toThrow(/"interpolation"/);
  });
});
