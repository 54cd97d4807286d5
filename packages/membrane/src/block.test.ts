// Blockwise prediction over zarr against the whole-volume prediction, read back by python zarr.
import { join } from "node:path";
import { emPhantom } from "@tessera/phantom";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { Box, createVolume } from "@tessera/volume";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "./backend.js";
import { predictionGrid, predictVolume } from "./block.js";
import { predictArray, tilingOf } from "./predict.js";
import { untrainedModel } from "./test-arrays.js";
import { type UNetOptions, unetConfig } from "./unet.js";

const dir = tempDir("tessera-membrane-block-");
afterAll(() => dir.cleanup());

describe.skipIf(!pythonHas("zarr", "numpy"))("predictVolume (zarr, blockwise)", () => {
  beforeAll(async () => {
    await useBackend("wasm");
  });

  it("blocks give the whole-volume prediction within 1e-5 (python zarr reads the output)", async () => {
    const shape: [number, number, number] = [5, 70, 90];
    const phantom = emPhantom({ shape, seed: 8 });
    const input = await createVolume(join(dir.path, "raw.zarr"), {
      shape,
      chunks: [2, 32, 32],
      dtype: "uint8",
      attrs: { resolution: [40, 8, 8] },
    });
    await input.write(Box.fromShape(shape), phantom.image);
    const config = unetConfig({
      dims: 3,
      output: "affinities",
      depth: 2,
      features: 4,
      downsample: [1, 2, 2],
      seed: 5,
    });
    const m = untrainedModel(config);
    const grid = predictionGrid(m, shape, [2, 24, 40]);
    expect(grid.count).toBeGreaterThan(8);
    await predictVolume(m, input, join(dir.path, "aff.zarr"), { block: [2, 24, 40] });
    const whole = predictArray(m, phantom.image, shape);
    const out = runPython(
      `import sys, zarr, numpy as np
a = zarr.open(sys.argv[1], mode="r")
print(a.shape, a.dtype, a.attrs["resolution"])
np.asarray(a[:], dtype="<f4").tofile(sys.argv[2])`,
      [join(dir.path, "aff.zarr"), join(dir.path, "aff.f32")],
    );
    expect(out.trim()).toBe("(3, 5, 70, 90) float32 [40, 8, 8]");
    const { readFileSync } = await import("node:fs");
    const buf = readFileSync(join(dir.path, "aff.f32"));
    const blockwise = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    expect(blockwise.length).toBe(whole.length);
    let worst = 0;
    for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i] - blockwise[i]));
    expect(worst).toBeLessThan(1e-5);
  });
});

describe("predictVolume with a valid-convolution model (blocks read the margin as context)", () => {
  beforeAll(async () => {
    await useBackend("wasm");
  });

  const shape: [number, number, number] = [5, 70, 90];
  const cases: [string, UNetOptions, [number, number, number][]][] = [
    [
      "3-D anisotropic affinities, depth 2",
      { dims: 3, output: "affinities", depth: 2, features: 3, downsample: [1, 2, 2], seed: 5 },
      [
        [2, 24, 40],
        [3, 16, 16],
        [1, 40, 12],
      ],
    ],
    [
      "2-D boundaries, depth 4 (valid outputs 4 mod 8)",
      { depth: 4, features: 2, seed: 3 },
      [
        [1, 16, 24],
        [5, 40, 32],
      ],
    ],
  ];
  for (const [name, options, blocks] of cases) {
    it(`${name}: several block sizes give the whole-volume prediction within 1e-5`, async () => {
      const phantom = emPhantom({ shape, seed: 8 });
      const input = await createVolume(join(dir.path, `raw-${name.length}.zarr`), {
        shape,
        chunks: [2, 32, 32],
        dtype: "uint8",
      });
      await input.write(Box.fromShape(shape), phantom.image);
      const config = unetConfig({ ...options, padding: "valid" });
      const m = untrainedModel(config);
      const { context, margin } = tilingOf(m);
      expect(context.every((c, a) => c >= margin[a])).toBe(true);
      const whole = predictArray(m, phantom.image, shape);
      expect(Math.max(...whole) - Math.min(...whole)).toBeGreaterThan(1e-3);
      for (const block of blocks) {
        const grid = predictionGrid(m, shape, block);
        expect(grid.count).toBeGreaterThan(2);
        const out = await predictVolume(
          m,
          input,
          join(dir.path, `out-${name.length}-${block.join("x")}.zarr`),
          {
            block,
          },
        );
        const blockwise = (await out.read()).data as Float32Array;
        expect(blockwise.length).toBe(whole.length);
        let worst = 0;
        for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i] - blockwise[i]));
        expect(worst, block.join("×")).toBeLessThan(1e-5);
      }
    });
  }
});
