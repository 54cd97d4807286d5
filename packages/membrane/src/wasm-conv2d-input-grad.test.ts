// The wasm Conv2DBackpropInput replacement against the cpu backend's kernel (independent), on the
// gradient of conv2d with respect to its input and on conv2dTranspose (whose forward pass is it).
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { useBackend } from "./backend.js";
import { randomValues, relativeDifference } from "./test-arrays.js";

function close(got: Float32Array, expected: Float32Array): void {
  expect(got.length).toBe(expected.length);
  const { worst, scale } = relativeDifference(got, expected);
  expect(scale).toBeGreaterThan(0.1);
  expect(worst).toBeLessThan(1e-5);
}

async function onBoth(f: () => Float32Array): Promise<[Float32Array, Float32Array]> {
  await useBackend("cpu");
  const expected = f();
  await useBackend("wasm");
  return [f(), expected];
}

describe("Conv2DBackpropInput on wasm (through Conv2D)", () => {
  afterAll(async () => {
    await useBackend("cpu");
  });

  const cases: { x: number[]; f: number[]; strides: number; pad: "same" | "valid" }[] = [
    { x: [2, 17, 13, 3], f: [3, 3, 3, 5], strides: 1, pad: "same" },
    { x: [1, 16, 16, 4], f: [3, 3, 4, 2], strides: 2, pad: "same" },
    { x: [1, 15, 11, 2], f: [3, 3, 2, 3], strides: 2, pad: "same" },
    { x: [3, 12, 9, 2], f: [3, 3, 2, 4], strides: 1, pad: "valid" },
    { x: [1, 13, 12, 2], f: [3, 3, 2, 2], strides: 2, pad: "valid" },
  ];
  for (const c of cases) {
    it(`dx of conv2d matches the cpu backend: x ${c.x.join("×")}, filter ${c.f.join("×")}, stride ${c.strides}, ${c.pad}`, async () => {
      const x = randomValues(
        c.x.reduce((a, b) => a * b),
        3,
      );
      const w = randomValues(
        c.f.reduce((a, b) => a * b),
        5,
      );
      const [got, expected] = await onBoth(() =>
        tf.tidy(() => {
          const filter = tf.tensor4d(w, c.f as [number, number, number, number]);
          const g = tf.grad((input: tf.Tensor) =>
            tf
              .conv2d(input as tf.Tensor4D, filter, c.strides, c.pad)
              .square()
              .sum(),
          );
          return g(tf.tensor4d(x, c.x as [number, number, number, number])).dataSync() as Float32Array;
        }),
      );
      close(got, expected);
    });
  }

  it("conv2dTranspose (kernel 2, stride 2, as the U-Net's up-sampling) matches the cpu backend", async () => {
    const x = randomValues(2 * 8 * 6 * 4, 7);
    const w = randomValues(2 * 2 * 3 * 4, 9);
    const [got, expected] = await onBoth(() =>
      tf.tidy(
        () =>
          tf
            .conv2dTranspose(
              tf.tensor4d(x, [2, 8, 6, 4]),
              tf.tensor4d(w, [2, 2, 3, 4]),
              [2, 16, 12, 3],
              2,
              "same",
            )
            .dataSync() as Float32Array,
      ),
    );
    close(got, expected);
  });
});
