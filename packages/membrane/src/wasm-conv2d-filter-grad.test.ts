// The wasm Conv2DBackpropFilter kernel against the cpu backend's (an independent implementation in
// tfjs-backend-cpu), on random inputs over strides, padding and shapes.
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { useBackend } from "./backend.js";
import { randomValues, relativeDifference } from "./test-arrays.js";

function filterGrad(
  x: Float32Array,
  dy: Float32Array,
  xShape: number[],
  dyShape: number[],
  filterShape: number[],
  strides: number,
  pad: "same" | "valid",
): Float32Array {
  // the gradient of conv2d with respect to its filter, with dy as the upstream gradient, is
  // exactly the Conv2DBackpropFilter kernel's output
  return tf.tidy(() => {
    const input = tf.tensor4d(x, xShape as [number, number, number, number]);
    const g = tf.grad((w: tf.Tensor) => tf.conv2d(input, w as tf.Tensor4D, strides, pad));
    const w = tf.zeros(filterShape);
    return g(w, tf.tensor4d(dy, dyShape as [number, number, number, number])).dataSync() as Float32Array;
  });
}

describe("Conv2DBackpropFilter on wasm", () => {
  afterAll(async () => {
    await useBackend("cpu");
  });

  const cases: { x: number[]; f: number[]; strides: number; pad: "same" | "valid" }[] = [
    { x: [2, 17, 13, 3], f: [3, 3, 3, 5], strides: 1, pad: "same" },
    { x: [1, 16, 16, 4], f: [3, 3, 4, 2], strides: 2, pad: "same" },
    { x: [3, 12, 9, 2], f: [3, 3, 2, 4], strides: 1, pad: "valid" },
    { x: [1, 10, 10, 1], f: [1, 1, 1, 3], strides: 1, pad: "valid" },
  ];
  for (const c of cases) {
    it(`matches the cpu backend: x ${c.x.join("×")}, filter ${c.f.join("×")}, stride ${c.strides}, ${c.pad}`, async () => {
      const oh =
        c.pad === "same" ? Math.ceil(c.x[1] / c.strides) : Math.ceil((c.x[1] - c.f[0] + 1) / c.strides);
      const ow =
        c.pad === "same" ? Math.ceil(c.x[2] / c.strides) : Math.ceil((c.x[2] - c.f[1] + 1) / c.strides);
      const dyShape = [c.x[0], oh, ow, c.f[3]];
      const x = randomValues(
        c.x.reduce((a, b) => a * b),
        7,
      );
      const dy = randomValues(
        dyShape.reduce((a, b) => a * b),
        11,
      );
      await useBackend("cpu");
      const expected = filterGrad(x, dy, c.x, dyShape, c.f, c.strides, c.pad);
      await useBackend("wasm");
      const got = filterGrad(x, dy, c.x, dyShape, c.f, c.strides, c.pad);
      expect(got.length).toBe(expected.length);
      const { worst, scale } = relativeDifference(got, expected);
      expect(scale).toBeGreaterThan(0.1);
      expect(worst).toBeLessThan(1e-5);
    });
  }

  it("lets a 2-D conv net train on wasm: gradients of a small model equal the cpu backend's", async () => {
    const x = randomValues(2 * 16 * 16 * 1, 3);
    const w1 = randomValues(3 * 3 * 1 * 4, 5);
    const w2 = randomValues(3 * 3 * 4 * 1, 9);
    const grads = () =>
      tf.tidy(() => {
        const input = tf.tensor4d(x, [2, 16, 16, 1]);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf
            .conv2d(tf.relu(tf.conv2d(input, a as tf.Tensor4D, 1, "same")), b as tf.Tensor4D, 1, "same")
            .square()
            .mean(),
        );
        return g([tf.tensor4d(w1, [3, 3, 1, 4]), tf.tensor4d(w2, [3, 3, 4, 1])]).map(
          (t) => t.dataSync() as Float32Array,
        );
      });
    await useBackend("cpu");
    const expected = grads();
    await useBackend("wasm");
    const got = grads();
    for (let k = 0; k < 2; k++) {
      for (let i = 0; i < got[k].length; i++) expect(got[k][i]).toBeCloseTo(expected[k][i], 4);
    }
  });
});
