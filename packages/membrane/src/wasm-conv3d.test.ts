// The wasm replacements of Conv3D, Conv3DBackpropInputV2 and Conv3DBackpropFilterV2 against the cpu backend's
// kernels (independent code; the cpu gradient of conv3dTranspose also passes a finite-difference check
// in conv3d-transpose-grad.test.ts), and a whole 3-D U-Net's weight gradients on wasm against cpu.
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { useBackend } from "./backend.js";
import { randomValues, relativeDifference } from "./test-arrays.js";
import { buildUNet } from "./unet.js";

type Shape5 = [number, number, number, number, number];
type Strides3 = [number, number, number];

function close(got: Float32Array, expected: Float32Array, tolerance = 1e-5, minScale = 0.01): void {
  expect(got.length).toBe(expected.length);
  const { worst, scale } = relativeDifference(got, expected);
  expect(scale).toBeGreaterThan(minScale);
  expect(worst).toBeLessThan(tolerance);
}

async function onBoth<T>(f: () => T): Promise<[T, T]> {
  await useBackend("cpu");
  const expected = f();
  await useBackend("wasm");
  return [f(), expected];
}

const size = (s: number[]) => s.reduce((a, b) => a * b);

describe("3-D convolution gradients on wasm", () => {
  afterAll(async () => {
    await useBackend("cpu");
  });

  const cases: { x: Shape5; f: Shape5; strides: Strides3; pad: "same" | "valid" }[] = [
    { x: [1, 3, 3, 3, 1], f: [1, 1, 1, 1, 1], strides: [1, 1, 1], pad: "valid" },
    { x: [2, 6, 7, 5, 3], f: [3, 3, 3, 3, 4], strides: [1, 1, 1], pad: "same" },
    { x: [1, 5, 6, 7, 2], f: [3, 3, 3, 2, 3], strides: [1, 1, 1], pad: "valid" },
    { x: [2, 3, 8, 8, 2], f: [1, 3, 3, 2, 2], strides: [1, 1, 1], pad: "same" },
    { x: [1, 2, 5, 5, 2], f: [3, 3, 3, 2, 2], strides: [1, 1, 1], pad: "same" },
    { x: [2, 4, 5, 6, 3], f: [2, 2, 2, 3, 2], strides: [1, 1, 1], pad: "same" },
    { x: [2, 8, 6, 4, 3], f: [2, 2, 2, 3, 2], strides: [2, 2, 2], pad: "same" },
    { x: [1, 3, 8, 6, 2], f: [1, 2, 2, 2, 3], strides: [1, 2, 2], pad: "same" },
    { x: [1, 7, 9, 8, 2], f: [3, 3, 3, 2, 2], strides: [2, 2, 2], pad: "same" },
    { x: [1, 7, 9, 8, 2], f: [3, 3, 3, 2, 2], strides: [2, 2, 2], pad: "valid" },
  ];
  for (const c of cases) {
    it(`conv3d, its dx and dw match the cpu backend: x ${c.x.join("×")}, filter ${c.f.join("×")}, stride ${c.strides.join(",")}, ${c.pad}`, async () => {
      const x = randomValues(size(c.x), 3);
      const w = randomValues(size(c.f), 5);
      const [got, expected] = await onBoth(() =>
        tf.tidy(() => {
          const f = (input: tf.Tensor, filter: tf.Tensor) =>
            tf.conv3d(input as tf.Tensor5D, filter as tf.Tensor5D, c.strides, c.pad);
          const g = tf.grads((input: tf.Tensor, filter: tf.Tensor) => f(input, filter).square().sum());
          const inputs = [tf.tensor5d(x, c.x), tf.tensor5d(w, c.f)];
          return [f(inputs[0], inputs[1]), ...g(inputs)].map((t) => t.dataSync() as Float32Array);
        }),
      );
      for (let k = 0; k < 3; k++) close(got[k], expected[k]);
    });
  }

  it("conv3dTranspose (the 3-D U-Net's up-sampling) matches the cpu backend, forward and backward", async () => {
    const dy = randomValues(2 * 3 * 4 * 2 * 4, 7);
    const w = randomValues(2 * 2 * 2 * 3 * 4, 9);
    const out: Shape5 = [2, 6, 8, 4, 3];
    const [got, expected] = await onBoth(() =>
      tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor) =>
          tf.conv3dTranspose(a as tf.Tensor5D, b as tf.Tensor5D, out, 2, "same");
        const forward = f(tf.tensor5d(dy, [2, 3, 4, 2, 4]), tf.tensor5d(w, [2, 2, 2, 3, 4]));
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a, b).square().sum());
        return [forward, ...g([tf.tensor5d(dy, [2, 3, 4, 2, 4]), tf.tensor5d(w, [2, 2, 2, 3, 4])])].map(
          (t) => t.dataSync() as Float32Array,
        );
      }),
    );
    for (let k = 0; k < 3; k++) close(got[k], expected[k]);
  });

  it("a 3-D U-Net's prediction and weight gradients on wasm equal the cpu backend's", async () => {
    const shape: Shape5 = [2, 8, 16, 16, 1];
    const x = randomValues(size(shape), 21);
    const target = Float32Array.from(randomValues(size(shape), 22), (v) => (v > 0 ? 1 : 0));
    const run = () => {
      const model = buildUNet({ dims: 3, depth: 3, features: 4, downsample: [1, 2, 2], seed: 4 });
      const result = tf.tidy(() => {
        const input = tf.tensor5d(x, shape);
        const prediction = model.predict(input) as tf.Tensor;
        const weights = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const { grads } = tf.variableGrads(
          () => tf.losses.sigmoidCrossEntropy(tf.tensor5d(target, shape), model.apply(input) as tf.Tensor),
          weights,
        );
        return [prediction, ...weights.map((v) => grads[v.name])].map((t) => t.dataSync() as Float32Array);
      });
      model.dispose();
      return result;
    };
    const [got, expected] = await onBoth(run);
    expect(got.length).toBe(expected.length);
    expect(got.length).toBeGreaterThan(10);
    // (the loss is a mean over 4,096 voxels: some weight gradients are small, none zero)
    for (let k = 0; k < got.length; k++) close(got[k], expected[k], 1e-3, 1e-6);
  });
});
