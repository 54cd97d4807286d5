// Test-time flips: the averaged prediction against an independent reference (the whole array
// flipped in JS, predicted without flips, flipped back, averaged), its mirror symmetry, tiles,
// blocks, and the refusal for affinity models.
import { join } from "node:path";
import { emPhantom } from "@tessera/phantom";
import { tempDir } from "@tessera/testkit";
import { Box, createVolume, openVolume } from "@tessera/volume";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "./backend.js";
import { predictVolume } from "./block.js";
import type { MembraneModel } from "./model-io.js";
import { predictArray } from "./predict.js";
import { untrainedModel } from "./test-arrays.js";
import { type UNetOptions, unetConfig } from "./unet.js";

const dir = tempDir("tessera-membrane-flips-");
afterAll(() => dir.cleanup());

type Shape = [number, number, number];

const modelOf = (options: UNetOptions): MembraneModel => untrainedModel(unetConfig(options));

/** `a` ([z, y, x]) mirrored along the axes set in `flip` (z, y, x). */
function mirror(a: ArrayLike<number>, [Z, Y, X]: Shape, flip: [boolean, boolean, boolean]): Float32Array {
  const out = new Float32Array(Z * Y * X);
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++) {
        const sz = flip[0] ? Z - 1 - z : z;
        const sy = flip[1] ? Y - 1 - y : y;
        const sx = flip[2] ? X - 1 - x : x;
        out[(z * Y + y) * X + x] = a[(sz * Y + sy) * X + sx];
      }
    }
  }
  return out;
}

/** Mean over `flips` of mirror(predict(mirror(raw))), predicted without test-time flips. */
function reference(
  m: MembraneModel,
  raw: ArrayLike<number>,
  shape: Shape,
  flips: [boolean, boolean, boolean][],
) {
  const sum = new Float64Array(raw.length);
  for (const f of flips) {
    const back = mirror(predictArray(m, mirror(raw, shape, f), shape), shape, f);
    for (let i = 0; i < sum.length; i++) sum[i] += back[i];
  }
  return Float32Array.from(sum, (s) => s / flips.length);
}

const worstDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
};

const every3: [boolean, boolean, boolean][] = Array.from({ length: 8 }, (_, k) => [
  (k & 4) !== 0,
  (k & 2) !== 0,
  (k & 1) !== 0,
]);

describe("test-time flips", () => {
  beforeAll(async () => {
    await useBackend("wasm");
  });
  // on the pooling grid (multiple 4 along every axis), so mirroring keeps the grid
  const shape: Shape = [8, 32, 40];
  const raw = emPhantom({ shape, seed: 3 }).image;

  it("3-D: the mean of the 8 mirror images' predictions, whole or tiled (within 1e-5)", () => {
    const m = modelOf({ dims: 3, depth: 3, features: 3, downsample: [2, 2, 2], seed: 7 });
    const expected = reference(m, raw, shape, every3);
    const plain = predictArray(m, raw, shape);
    // the reference differs from a plain prediction, so the comparison below is not empty
    expect(worstDifference(expected, plain)).toBeGreaterThan(1e-4);
    for (const tile of [undefined, [4, 16, 20] as Shape]) {
      const flipped = predictArray(m, raw, shape, { flips: true, tile });
      expect(worstDifference(flipped, expected), `tile ${tile ?? "whole"}`).toBeLessThan(1e-5);
    }
  });

  it("3-D: the averaged prediction is mirror-symmetric, a plain one is not", () => {
    const m = modelOf({ dims: 3, depth: 2, features: 3, downsample: [2, 2, 2], seed: 9 });
    for (const f of [
      [false, false, true],
      [true, true, false],
    ] as [boolean, boolean, boolean][]) {
      const ofMirror = predictArray(m, mirror(raw, shape, f), shape, { flips: true });
      const mirrored = mirror(predictArray(m, raw, shape, { flips: true }), shape, f);
      expect(worstDifference(ofMirror, mirrored), f.join(",")).toBeLessThan(1e-5);
      const plainOfMirror = predictArray(m, mirror(raw, shape, f), shape);
      const plainMirrored = mirror(predictArray(m, raw, shape), shape, f);
      expect(worstDifference(plainOfMirror, plainMirrored), f.join(",")).toBeGreaterThan(1e-4);
    }
  });

  it("2-D: the mean of the 4 mirror images in y and x, section by section", () => {
    const m = modelOf({ depth: 2, features: 4, seed: 2 });
    const flips = every3.filter((f) => !f[0]);
    const expected = reference(m, raw, shape, flips);
    expect(worstDifference(expected, predictArray(m, raw, shape))).toBeGreaterThan(1e-4);
    expect(worstDifference(predictArray(m, raw, shape, { flips: true }), expected)).toBeLessThan(1e-5);
  });

  it("2-D valid convolutions: the mean of the 4 mirror images as well", () => {
    const m = modelOf({ depth: 2, features: 3, padding: "valid", seed: 8 });
    const flips = every3.filter((f) => !f[0]);
    const expected = reference(m, raw, shape, flips);
    expect(worstDifference(expected, predictArray(m, raw, shape))).toBeGreaterThan(1e-4);
    for (const tile of [undefined, [1, 16, 20] as Shape]) {
      const flipped = predictArray(m, raw, shape, { flips: true, tile });
      expect(worstDifference(flipped, expected), `tile ${tile ?? "whole"}`).toBeLessThan(1e-5);
    }
  });

  it("blocks with flips give the whole-volume prediction with flips (within 1e-5)", async () => {
    const m = modelOf({ dims: 3, depth: 2, features: 3, downsample: [2, 2, 2], seed: 4 });
    const odd: Shape = [9, 30, 45];
    const image = emPhantom({ shape: odd, seed: 6 }).image;
    const input = await createVolume(join(dir.path, "raw.zarr"), {
      shape: odd,
      chunks: [4, 16, 16],
      dtype: "uint8",
    });
    await input.write(Box.fromShape(odd), image);
    await predictVolume(m, input, join(dir.path, "flipped.zarr"), { block: [4, 12, 16], flips: true });
    const output = await openVolume(join(dir.path, "flipped.zarr"));
    const blockwise = (await output.read()).data as Float32Array;
    const whole = predictArray(m, image, odd, { flips: true });
    expect(worstDifference(blockwise, whole)).toBeLessThan(1e-5);
    expect(worstDifference(whole, predictArray(m, image, odd))).toBeGreaterThan(1e-4);
    expect(output.attrs.provenance).toMatchObject({ testTimeFlips: true });
  });

  it("refuses flips for an affinity model, before writing anything", async () => {
    const m = modelOf({
      dims: 3,
      output: "affinities",
      depth: 2,
      features: 3,
      downsample: [1, 2, 2],
      seed: 1,
    });
    expect(() => predictArray(m, raw, shape, { flips: true })).toThrow(
      /test-time flips need a boundary model/,
    );
    const input = await createVolume(join(dir.path, "raw-aff.zarr"), {
      shape,
      chunks: shape,
      dtype: "uint8",
    });
    await input.write(Box.fromShape(shape), raw);
    const target = join(dir.path, "never.zarr");
    await expect(predictVolume(m, input, target, { flips: true })).rejects.toThrow(/boundary model/);
    await expect(openVolume(target)).rejects.toThrow();
  });
});
