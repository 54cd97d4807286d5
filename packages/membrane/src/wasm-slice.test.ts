// The wasm Slice/SplitV replacement for rank ≥ 5 against the cpu backend's kernels.
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { useBackend } from "./backend.js";
import { randomValues } from "./test-arrays.js";

async function onBoth(f: () => Float32Array[]): Promise<[Float32Array[], Float32Array[]]> {
  await useBackend("cpu");
  const expected = f();
  await useBackend("wasm");
  return [f(), expected];
}

describe("Slice and SplitV of rank-5+ tensors on wasm", () => {
  afterAll(async () => {
    await useBackend("cpu");
  });

  it("slices along every axis (rank 5 and 6) as the cpu backend does", async () => {
    const x5 = randomValues(2 * 3 * 4 * 5 * 6, 1);
    const x6 = randomValues(2 * 3 * 2 * 4 * 3 * 5, 2);
    const [got, expected] = await onBoth(() =>
      tf.tidy(() => {
        const a = tf.tensor(x5, [2, 3, 4, 5, 6]);
        const b = tf.tensor(x6, [2, 3, 2, 4, 3, 5]);
        return [
          a.slice([1, 0, 1, 2, 3], [1, 3, 2, 3, 2]),
          a.slice([0, 1, 0, 0, 0], [2, 2, 4, 5, 6]),
          a.slice([0, 0, 0, 0, 4], [2, 3, 4, 5, 2]),
          b.slice([1, 1, 0, 1, 1, 2], [1, 2, 2, 2, 2, 3]),
        ].map((t) => t.dataSync() as Float32Array);
      }),
    );
    expect(got.map((g) => g.length)).toEqual([36, 480, 240, 48]);
    for (let k = 0; k < got.length; k++) expect(Array.from(got[k])).toEqual(Array.from(expected[k]));
  });

  it("splits along the channel axis and back-propagates a channel concatenation as the cpu backend does", async () => {
    const x = randomValues(2 * 3 * 4 * 4 * 5, 3);
    const y = randomValues(2 * 3 * 4 * 4 * 3, 4);
    const [got, expected] = await onBoth(() =>
      tf.tidy(() => {
        const a = tf.tensor5d(x, [2, 3, 4, 4, 5]);
        const b = tf.tensor5d(y, [2, 3, 4, 4, 3]);
        const parts = tf.split(a, [2, 3], 4);
        const g = tf.grads((p: tf.Tensor, q: tf.Tensor) =>
          tf
            .concat([p, q], 4)
            .mul(tf.range(0, 8).reshape([1, 1, 1, 1, 8]))
            .square()
            .sum(),
        );
        return [...parts, ...g([a, b])].map((t) => t.dataSync() as Float32Array);
      }),
    );
    expect(got.map((g) => g.length)).toEqual([192, 288, 480, 288]);
    for (let k = 0; k < got.length; k++) {
      for (let i = 0; i < got[k].length; i++) expect(got[k][i]).toBeCloseTo(expected[k][i], 5);
    }
  });
});
