import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { emPhantom } from "@tessera/phantom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "./backend.js";
import { loadModel, type MembraneModel, type ModelMetadata, saveModel } from "./model-io.js";
import { predictArray, tilingOf } from "./predict.js";
import { buildUNet, outputMargin, unetConfig } from "./unet.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-membrane-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function metadataFor(config: ReturnType<typeof unetConfig>): ModelMetadata {
  return {
    format: "tessera-membrane-model",
    version: 1,
    unet: config,
    normalisation: { mean: 128, std: 64 },
    created: new Date(0).toISOString(),
  };
}

describe("tiled prediction and model directories", () => {
  const phantom = emPhantom({ shape: [4, 90, 70], seed: 2 });
  beforeAll(async () => {
    await useBackend("wasm");
  });

  it("2-D: the result does not depend on the tile size (within 1e-5), sizes not on the pooling grid included", () => {
    const config = unetConfig({ depth: 3, features: 4, seed: 1 });
    const m: MembraneModel = { model: buildUNet(config), metadata: metadataFor(config) };
    const whole = predictArray(m, phantom.image, [4, 90, 70], { tile: [1, 512, 512] });
    expect(whole.length).toBe(4 * 90 * 70);
    // one section at a time, and 3 sections batched per call (the last tile holds one)
    for (const tile of [
      [1, 20, 24],
      [3, 36, 28],
    ] as [number, number, number][]) {
      const tiled = predictArray(m, phantom.image, [4, 90, 70], { tile });
      let worst = 0;
      for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i] - tiled[i]));
      expect(worst, tile.join("×")).toBeLessThan(1e-5);
    }
    // and the output is not constant (the check would be empty otherwise)
    expect(Math.max(...whole) - Math.min(...whole)).toBeGreaterThan(1e-3);
  });

  it("3-D anisotropic affinities: tiles in z, y and x give the whole-volume result", () => {
    const config = unetConfig({
      dims: 3,
      output: "affinities",
      depth: 2,
      features: 4,
      downsample: [1, 2, 2],
      seed: 4,
    });
    const m: MembraneModel = { model: buildUNet(config), metadata: metadataFor(config) };
    const whole = predictArray(m, phantom.image, [4, 90, 70], { tile: [8, 128, 128] });
    const tiled = predictArray(m, phantom.image, [4, 90, 70], { tile: [2, 32, 16] });
    expect(whole.length).toBe(3 * 4 * 90 * 70);
    let worst = 0;
    for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i] - tiled[i]));
    expect(worst).toBeLessThan(1e-5);
  });

  const worstDifference = (a: Float32Array, b: Float32Array) => {
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    return worst;
  };

  it("valid 2-D: the result does not depend on the tile size (within 1e-5), and the interior equals one model call on the raw array", () => {
    const config = unetConfig({ depth: 3, features: 4, seed: 1, padding: "valid" });
    const m: MembraneModel = { model: buildUNet(config), metadata: metadataFor(config) };
    expect(tilingOf(m).margin).toEqual([0, 20, 20]);
    const whole = predictArray(m, phantom.image, [4, 90, 70], { tile: [4, 512, 512] });
    for (const tile of [
      [1, 20, 24],
      [3, 36, 28],
      [2, 4, 8],
    ] as [number, number, number][]) {
      const tiled = predictArray(m, phantom.image, [4, 90, 70], { tile });
      expect(worstDifference(whole, tiled), tile.join("×")).toBeLessThan(1e-5);
    }
    expect(Math.max(...whole) - Math.min(...whole)).toBeGreaterThan(1e-3);
    // independent of the tiling code: the network on rows 0–87, columns 0–67 (a valid input; its
    // output starts at the margin, 20, a multiple of the pooling grid) gives rows and columns 20–67 / 20–47
    const input = tf.tidy(() =>
      tf
        .tensor3d(Float32Array.from(phantom.image), [4, 90, 70])
        .slice([0, 0, 0], [4, 88, 68])
        .sub(128)
        .div(64)
        .reshape([4, 88, 68, 1]),
    );
    const direct = (m.model.predict(input) as tf.Tensor).dataSync();
    let worst = 0;
    for (let z = 0; z < 4; z++)
      for (let y = 0; y < 48; y++)
        for (let x = 0; x < 28; x++)
          worst = Math.max(
            worst,
            Math.abs(direct[(z * 48 + y) * 28 + x] - whole[(z * 90 + y + 20) * 70 + x + 20]),
          );
    expect(worst).toBeLessThan(1e-5);
    input.dispose();
  });

  it("valid 3-D anisotropic affinities: tiles in z, y and x give the whole-volume result", () => {
    const config = unetConfig({
      dims: 3,
      output: "affinities",
      depth: 2,
      features: 4,
      downsample: [1, 2, 2],
      seed: 4,
      padding: "valid",
    });
    const m: MembraneModel = { model: buildUNet(config), metadata: metadataFor(config) };
    expect(outputMargin(config)).toEqual([6, 8, 8]);
    const whole = predictArray(m, phantom.image, [4, 90, 70], { tile: [8, 128, 128] });
    for (const tile of [
      [2, 32, 16],
      [1, 10, 30],
    ] as [number, number, number][]) {
      const tiled = predictArray(m, phantom.image, [4, 90, 70], { tile });
      expect(worstDifference(whole, tiled), tile.join("×")).toBeLessThan(1e-5);
    }
    expect(Math.max(...whole) - Math.min(...whole)).toBeGreaterThan(1e-3);
  });

  it("valid depth 4: output sizes that are not multiples of the pooling grid still tile seamlessly", () => {
    const config = unetConfig({ depth: 4, features: 2, seed: 6, padding: "valid" });
    const m: MembraneModel = { model: buildUNet(config), metadata: metadataFor(config) };
    const whole = predictArray(m, phantom.image, [4, 90, 70], { tile: [4, 512, 512] });
    const tiled = predictArray(m, phantom.image, [4, 90, 70], { tile: [1, 16, 24] });
    expect(worstDifference(whole, tiled)).toBeLessThan(1e-5);
  });

  it("round trip: a saved and reloaded model predicts the same values", async () => {
    const config = unetConfig({ depth: 2, features: 4, seed: 7 });
    const m: MembraneModel = { model: buildUNet(config), metadata: metadataFor(config) };
    await saveModel(join(dir, "m1"), m.model, m.metadata);
    const back = await loadModel(join(dir, "m1"));
    expect(back.metadata.unet).toEqual(config);
    const a = predictArray(m, phantom.image, [4, 90, 70]);
    const b = predictArray(back, phantom.image, [4, 90, 70]);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it("refuses a corrupt model.json, missing or short weights, and foreign metadata, naming the file", async () => {
    const config = unetConfig({ depth: 2, features: 2 });
    await saveModel(join(dir, "m2"), buildUNet(config), metadataFor(config));
    writeFileSync(join(dir, "m2", "model.json"), "{ not json");
    await expect(loadModel(join(dir, "m2"))).rejects.toThrow(/model\.json is not valid JSON/);
    await saveModel(join(dir, "m3"), buildUNet(config), metadataFor(config));
    writeFileSync(join(dir, "m3", "weights.bin"), new Uint8Array(8));
    await expect(loadModel(join(dir, "m3"))).rejects.toThrow(/weights file does not match/);
    rmSync(join(dir, "m3", "weights.bin"));
    await expect(loadModel(join(dir, "m3"))).rejects.toThrow(/weights are missing/);
    await saveModel(join(dir, "m4"), buildUNet(config), { ...metadataFor(config), format: "other" as never });
    await expect(loadModel(join(dir, "m4"))).rejects.toThrow(/metadata\.json/);
  });
});
