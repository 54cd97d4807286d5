import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "./backend.js";
import { CentreCrop, centreCrop } from "./crop-layer.js";
import { loadModel, saveModel } from "./model-io.js";
import { buildUNet, unetConfig } from "./unet.js";

const dir = tempDir("tessera-membrane-crop-");
afterAll(() => dir.cleanup());

describe("CentreCrop", () => {
  beforeAll(async () => {
    await useBackend("wasm");
  });

  it("removes cropping[a] voxels at both ends of each spatial axis (2-D and 3-D), unknown sizes stay unknown", () => {
    const x = tf.range(0, 2 * 5 * 6 * 7 * 3).reshape([2, 5, 6, 7, 3]);
    const y = centreCrop({ cropping: [1, 2, 0] }).apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 3, 2, 7, 3]);
    expect(Array.from(y.dataSync())).toEqual(
      Array.from(x.slice([0, 1, 2, 0, 0], [2, 3, 2, 7, 3]).dataSync()),
    );
    const layer = new CentreCrop({ cropping: [3, 1] });
    expect(layer.computeOutputShape([null, null, 9, 4])).toEqual([null, null, 7, 4]);
    expect(() => new CentreCrop({ cropping: [1] })).toThrow(/cropping/);
  });

  it("survives saveModel / loadModel: a valid 3-D U-Net reloads with its crop layers and predicts identical values", async () => {
    const config = unetConfig({
      dims: 3,
      depth: 3,
      features: 2,
      downsample: [1, 2, 2],
      padding: "valid",
      seed: 2,
    });
    const model = buildUNet(config);
    const meta = {
      format: "tessera-membrane-model" as const,
      version: 1 as const,
      unet: config,
      normalisation: { mean: 0, std: 1 },
      created: "",
    };
    await saveModel(join(dir.path, "valid3d"), model, meta);
    const json = readFileSync(join(dir.path, "valid3d", "model.json"), "utf8");
    expect(json).toContain('"class_name":"TesseraCentreCrop"');
    const back = await loadModel(join(dir.path, "valid3d"));
    expect(back.metadata.unet).toEqual(config);
    const x = tf.randomUniform([1, 21, 44, 48, 1], 0, 1, "float32", 4);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (back.model.predict(x) as tf.Tensor).dataSync();
    expect(b.length).toBe(1 * 4 * 8 * 1);
    expect(Array.from(b)).toEqual(Array.from(a));
  });
});
