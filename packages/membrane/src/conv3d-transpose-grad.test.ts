// The registered gradient of conv3dTranspose against central finite differences: the op is linear in
// each of dy and the filter, so a central difference is exact up to float32 rounding — an oracle that
// does not use the gradient under test. Checked on the cpu and wasm backends.
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { useBackend } from "./backend.js";
import { randomValues } from "./test-arrays.js";

type Shape5 = [number, number, number, number, number];

describe.each(["cpu", "wasm"] as const)("the gradient of conv3dTranspose (%s)", (backend) => {
  afterAll(async () => {
    await useBackend("cpu");
  });

  const cases: {
    dy: Shape5;
    f: Shape5;
    out: Shape5;
    strides: [number, number, number];
    pad: "same" | "valid";
  }[] = [
    // the U-Net's up-sampling: kernel = stride = 2 (isotropic, and anisotropic 1×2×2)
    { dy: [1, 2, 3, 2, 3], f: [2, 2, 2, 2, 3], out: [1, 4, 6, 4, 2], strides: [2, 2, 2], pad: "same" },
    { dy: [2, 3, 2, 3, 2], f: [1, 2, 2, 3, 2], out: [2, 3, 4, 6, 3], strides: [1, 2, 2], pad: "same" },
    // overlapping kernel, valid padding
    { dy: [1, 2, 2, 3, 2], f: [3, 3, 3, 2, 2], out: [1, 5, 5, 7, 2], strides: [2, 2, 2], pad: "valid" },
  ];
  for (const c of cases) {
    it(`dy and filter gradients match finite differences: dy ${c.dy.join("×")}, filter ${c.f.join("×")}, stride ${c.strides.join(",")}, ${c.pad}`, async () => {
      await useBackend(backend);
      const size = (s: number[]) => s.reduce((a, b) => a * b);
      const dy0 = randomValues(size(c.dy), 11);
      const f0 = randomValues(size(c.f), 12);
      const weights = randomValues(size(c.out), 13);
      // L(dy, f) = Σ conv3dTranspose(dy, f) · weights, summed in float64
      const loss = (dy: Float32Array, f: Float32Array): number => {
        const out = tf.tidy(() =>
          tf.conv3dTranspose(tf.tensor5d(dy, c.dy), tf.tensor5d(f, c.f), c.out, c.strides, c.pad).dataSync(),
        );
        expect(out.length).toBe(weights.length);
        let sum = 0;
        for (let i = 0; i < out.length; i++) sum += out[i] * weights[i];
        return sum;
      };
      const [gDy, gF] = tf.tidy(() => {
        const g = tf.grads((dy: tf.Tensor, f: tf.Tensor) =>
          tf
            .conv3dTranspose(dy as tf.Tensor5D, f as tf.Tensor5D, c.out, c.strides, c.pad)
            .mul(tf.tensor5d(weights, c.out))
            .sum(),
        );
        return g([tf.tensor5d(dy0, c.dy), tf.tensor5d(f0, c.f)]).map((t) => t.dataSync() as Float32Array);
      });
      const h = 0.25;
      const check = (analytic: Float32Array, base: Float32Array, which: "dy" | "filter") => {
        let worst = 0;
        let scale = 0;
        for (let i = 0; i < base.length; i++) {
          const plus = Float32Array.from(base);
          const minus = Float32Array.from(base);
          plus[i] += h;
          minus[i] -= h;
          const numeric =
            which === "dy"
              ? (loss(plus, f0) - loss(minus, f0)) / (2 * h)
              : (loss(dy0, plus) - loss(dy0, minus)) / (2 * h);
          worst = Math.max(worst, Math.abs(analytic[i] - numeric));
          scale = Math.max(scale, Math.abs(numeric));
        }
        expect(scale, which).toBeGreaterThan(0.1);
        expect(worst / scale, which).toBeLessThan(1e-4);
      };
      check(gDy, dy0, "dy");
      check(gF, f0, "filter");
    });
  }
});
