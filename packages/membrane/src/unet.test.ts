import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "./backend.js";
import { buildUNet, fieldOfViewRadius, sizeMultiple, unetConfig } from "./unet.js";

describe("buildUNet", () => {
  beforeAll(async () => {
    await useBackend("wasm");
  });

  it("2-D: maps [b, y, x, 1] to probabilities of the same size", () => {
    const model = buildUNet({ depth: 3, features: 4 });
    const y = tf.tidy(() => model.predict(tf.randomUniform([2, 32, 48, 1])) as tf.Tensor);
    expect(y.shape).toEqual([2, 32, 48, 1]);
    const v = y.dataSync();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    y.dispose();
  });

  it("3-D anisotropic affinities: three channels, z kept at full resolution", () => {
    const model = buildUNet({ dims: 3, output: "affinities", depth: 2, features: 4, downsample: [1, 2, 2] });
    const y = tf.tidy(() => model.predict(tf.randomUniform([1, 5, 16, 16, 1])) as tf.Tensor);
    expect(y.shape).toEqual([1, 5, 16, 16, 3]);
    y.dispose();
    expect(sizeMultiple(unetConfig({ dims: 3, depth: 3, downsample: [1, 2, 2] }))).toEqual([1, 4, 4]);
  });

  it("the field-of-view bound holds: a change farther away does not reach an output value", () => {
    const config = unetConfig({ depth: 3, features: 4, seed: 3 });
    const model = buildUNet(config);
    const r = fieldOfViewRadius(config)[0];
    const size = 4 * Math.ceil((2 * r + 9) / 4);
    const base = tf.randomUniform([1, size, size, 1], 0, 1, "float32", 5);
    const c = size / 2;
    // change every pixel farther than r (Chebyshev) from the centre
    const mask = tf.tidy(() => {
      const yy = tf.range(0, size).reshape([size, 1]).sub(c).abs();
      const xx = tf.range(0, size).reshape([1, size]).sub(c).abs();
      return tf.maximum(yy, xx).greater(r).cast("float32").reshape([1, size, size, 1]);
    });
    const changed = tf.tidy(() =>
      base.add(mask.mul(tf.randomUniform([1, size, size, 1], -1, 1, "float32", 6))),
    );
    const a = (model.predict(base) as tf.Tensor).dataSync();
    const b = (model.predict(changed) as tf.Tensor).dataSync();
    expect(Math.abs(a[c * size + c] - b[c * size + c])).toBeLessThan(1e-6);
    // and the bound is not vacuous: a change just inside it does reach the centre
    const near = tf.tidy(() =>
      base.add(tf.oneHot([(c - Math.floor(r / 2)) * size + c], size * size).reshape([1, size, size, 1])),
    );
    const d = (model.predict(near) as tf.Tensor).dataSync();
    expect(Math.abs(a[c * size + c] - d[c * size + c])).toBeGreaterThan(0);
  });

  it("refuses bad options with a typed error naming the field", () => {
    expect(() => unetConfig({ depth: 0 })).toThrow(/depth/);
    expect(() => unetConfig({ dims: 3, downsample: [2, 2] })).toThrow(/downsample/);
  });
});

describe("useBackend", () => {
  it("refuses an unknown backend and a native one that is not installed, with a typed error", async () => {
    await expect(useBackend("webgpu" as never)).rejects.toThrow(/unknown TensorFlow.js backend/);
    await expect(useBackend("tensorflow")).rejects.toThrow(/tfjs-node/);
    expect(await useBackend("wasm")).toBe("wasm");
  });
});
