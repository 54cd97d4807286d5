import type { MembraneModel } from "./model-io.js";
import { buildUNet, type UNetConfig } from "./unet.js";

/** Test support: `n` deterministic values in [−1, 1) (xorshift32 from `seed`). */
export function randomValues(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 31 - 1;
  });
}

/** Test support: the largest difference relative to the largest reference value (and that value). */
export function relativeDifference(
  got: Float32Array,
  expected: Float32Array,
): { worst: number; scale: number } {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < got.length; i++) {
    worst = Math.max(worst, Math.abs(got[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return { worst: scale > 0 ? worst / scale : worst, scale };
}

/** Test support: an untrained model of `config` (normalisation mean 128, std 50). */
export function untrainedModel(config: UNetConfig): MembraneModel {
  return {
    model: buildUNet(config),
    metadata: {
      format: "tessera-membrane-model",
      version: 1,
      unet: config,
      normalisation: { mean: 128, std: 50 },
      created: "",
    },
  };
}
