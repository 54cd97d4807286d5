import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "./backend.js";
import { MembraneOptionsError, ModelInputError } from "./errors.js";
import {
  buildUNet,
  fieldOfViewRadius,
  inputSizeFor,
  nearestValidSizes,
  outputMargin,
  outputSizeFor,
  sizeMultiple,
  type UNetOptions,
  unetConfig,
} from "./unet.js";

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

describe("valid convolutions: size arithmetic", () => {
  beforeAll(async () => {
    await useBackend("wasm");
  });

  it("unetConfig fills padding 'same'; a config without it is a 'same' model; a bad value is refused", () => {
    expect(unetConfig({}).padding).toBe("same");
    expect(unetConfig({ padding: "valid" }).padding).toBe("valid");
    expect(() => unetConfig({ padding: "full" as never })).toThrow(MembraneOptionsError);
    expect(() => unetConfig({ padding: "full" as never })).toThrow(/field: padding/);
    expect(outputMargin(unetConfig({ depth: 3 }))).toEqual([0, 0]);
  });

  it("margins: 2 per 3-wide convolution at its level's scale", () => {
    // depth 2, factor 2: 2 + 2·2 + 2 = 8; depth 3: 2 + 2·8 + 2 = 20; factor 1 (z): 2 + 2 + 2 = 6
    expect(outputMargin(unetConfig({ depth: 2, padding: "valid" }))).toEqual([8, 8]);
    expect(outputMargin(unetConfig({ depth: 3, padding: "valid" }))).toEqual([20, 20]);
    expect(outputMargin(unetConfig({ dims: 3, depth: 2, downsample: [1, 2, 2], padding: "valid" }))).toEqual([
      6, 8, 8,
    ]);
    expect(outputMargin(unetConfig({ depth: 1, padding: "valid" }))).toEqual([2, 2]);
  });

  it("valid sizes: every pooling divides evenly and every size stays positive; misfits are typed errors naming the axis and the nearest sizes", () => {
    const c = unetConfig({ depth: 2, padding: "valid" });
    // input 4 + 2b with bottom input b ≥ 5, output ≥ 1: even inputs from 18
    expect(outputSizeFor(c, [18, 30])).toEqual([2, 14]);
    expect(inputSizeFor(c, [2, 14])).toEqual([18, 30]);
    expect(nearestValidSizes(c, [45, 17])).toEqual({ below: [44, null], above: [46, 18] });
    expect(nearestValidSizes(c, [3, 4], "output")).toEqual({ below: [2, 4], above: [4, 4] });
    expect(() => outputSizeFor(c, [45, 30])).toThrow(ModelInputError);
    expect(() => outputSizeFor(c, [45, 30])).toThrow(/field: input size \(y\).*nearest 44 or 46.*found: 45/);
    expect(() => outputSizeFor(c, [30, 16])).toThrow(/input size \(x\).*nearest 18/);
    expect(() => inputSizeFor(c, [3, 4])).toThrow(MembraneOptionsError);
    expect(() => inputSizeFor(c, [3, 4])).toThrow(/output size \(y\).*nearest 2 or 4/);
    expect(() => outputSizeFor(c, [18, 18, 18])).toThrow(/2 values/);
    // "same": the positive multiples of the pooling grid, output = input
    const same = unetConfig({ depth: 3 });
    expect(outputSizeFor(same, [8, 12])).toEqual([8, 12]);
    expect(() => outputSizeFor(same, [8, 10])).toThrow(/nearest 8 or 12/);
    // depth 4: the valid output sizes are 4 mod 8, not multiples of the grid
    const deep = unetConfig({ depth: 4, padding: "valid" });
    expect(nearestValidSizes(deep, [8, 8], "output")).toEqual({ below: [4, 4], above: [12, 12] });
  });

  const cases: [string, UNetOptions, number[]][] = [
    ["2-D depth 2", { depth: 2, features: 3, padding: "valid" }, [26, 32]],
    ["2-D depth 3", { depth: 3, features: 3, padding: "valid" }, [48, 52]],
    [
      "3-D depth 2, [1, 2, 2], affinities",
      { dims: 3, depth: 2, features: 3, downsample: [1, 2, 2], output: "affinities", padding: "valid" },
      [14, 20, 22],
    ],
    ["3-D depth 3, factor 2", { dims: 3, depth: 3, features: 2, padding: "valid" }, [44, 44, 48]],
    [
      "3-D depth 3, [1, 2, 2]",
      { dims: 3, depth: 3, features: 2, downsample: [1, 2, 2], padding: "valid" },
      [21, 44, 48],
    ],
  ];
  for (const [name, options, input] of cases) {
    it(`${name}: model.predict's output shape is the computed one`, () => {
      const config = unetConfig(options);
      const out = outputSizeFor(config, input);
      expect(out.every((o, a) => o === input[a] - 2 * outputMargin(config)[a])).toBe(true);
      const model = buildUNet(config);
      const y = tf.tidy(
        () => model.predict(tf.randomUniform([1, ...input, 1], 0, 1, "float32", 3)) as tf.Tensor,
      );
      expect(y.shape).toEqual([1, ...out, config.output === "boundaries" ? 1 : config.dims]);
      y.dispose();
      model.dispose();
    });
  }

  it("a valid depth-2 U-Net equals the same computation written with tf ops (valid conv, pool, transposed conv, centre crop)", () => {
    const config = unetConfig({ depth: 2, features: 2, padding: "valid", seed: 9 });
    const model = buildUNet(config);
    const x = tf.randomUniform([1, 30, 34, 1], -1, 1, "float32", 11);
    const w = (name: string) => {
      const layer = model.getLayer(name);
      const [kernel, bias] = layer.getWeights();
      return { kernel, bias };
    };
    const conv = (t: tf.Tensor4D, name: string, act = true) => {
      const { kernel, bias } = w(name);
      const y = tf.add(tf.conv2d(t, kernel as tf.Tensor4D, 1, "valid"), bias) as tf.Tensor4D;
      return act ? tf.relu(y) : y;
    };
    const expected = tf.tidy(() => {
      const d = conv(conv(x as tf.Tensor4D, "down0_conv0"), "down0_conv1"); // 26 × 30
      const b = conv(conv(tf.maxPool(d, 2, 2, "valid"), "bottom_conv0"), "bottom_conv1"); // 9 × 11
      const { kernel, bias } = w("up0");
      const [, by, bx] = b.shape;
      const u = tf.add(
        tf.conv2dTranspose(
          b,
          kernel as tf.Tensor4D,
          [1, 2 * by, 2 * bx, kernel.shape[2] as number],
          2,
          "same",
        ),
        bias,
      ) as tf.Tensor4D; // 18 × 22
      const skip = tf.slice(d, [0, 4, 4, 0], [1, 18, 22, -1]);
      const up = conv(conv(tf.concat([skip, u], 3), "up0_conv0"), "up0_conv1"); // 14 × 18
      return tf.sigmoid(conv(up, "boundaries", false));
    });
    const got = model.predict(x) as tf.Tensor;
    expect(got.shape).toEqual([1, 14, 18, 1]);
    expect(expected.shape).toEqual([1, 14, 18, 1]);
    const a = got.dataSync();
    const e = expected.dataSync();
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]));
    expect(worst).toBeLessThan(1e-6);
    expect(Math.max(...e) - Math.min(...e)).toBeGreaterThan(1e-4);
    tf.dispose([x, got, expected]);
  });
});

describe("useBackend", () => {
  it("refuses an unknown backend and a native one that is not installed, with a typed error", async () => {
    await expect(useBackend("webgpu" as never)).rejects.toThrow(/unknown TensorFlow.js backend/);
    await expect(useBackend("tensorflow")).rejects.toThrow(/tfjs-node/);
    expect(await useBackend("wasm")).toBe("wasm");
  });
});
