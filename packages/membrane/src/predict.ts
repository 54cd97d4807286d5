import * as tf from "@tensorflow/tfjs";
import { ModelInputError } from "./errors.js";
import type { MembraneModel } from "./model-io.js";
import { fieldOfViewRadius, outputChannels, sizeMultiple } from "./unet.js";

/** Options of {@link predictArray}. */
export interface PredictOptions {
  /**
   * Output tile per network call, voxels per axis of the volume (z, y, x); default 4 × 256 × 256 for
   * 2-D models (the sections of a tile go through the network as one batch), 16 × 128 × 128 for 3-D.
   */
  tile?: [number, number, number];
  /** Called after each tile with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

const roundUp = (v: number, m: number) => Math.ceil(v / m) * m;

/**
 * Per volume axis (z, y, x): the multiple tile origins and window sizes keep to (so pooling lines up
 * with the whole volume's) and the context read around each tile (≥ the field of view, a multiple).
 */
export function tilingOf(m: MembraneModel): { multiple: number[]; context: number[] } {
  const config = m.metadata.unet;
  const mult = sizeMultiple(config);
  const fov = fieldOfViewRadius(config);
  const multiple = config.dims === 2 ? [1, mult[0], mult[1]] : mult;
  const radius = config.dims === 2 ? [0, fov[0], fov[1]] : fov;
  return { multiple, context: radius.map((r, a) => roundUp(r, multiple[a])) };
}

/**
 * Predict a whole `[z, y, x]` array, tile by tile: each tile is run with its context (at least the
 * network's field of view, clipped at the array's edges) and only its core kept, tile origins on the
 * network's pooling grid, and the array padded at its far ends to that grid. So the result does not
 * depend on the tile size: it equals one call on the whole (padded) array. 2-D models run section by
 * section. Returns channels first: `[C, z, y, x]` (C = 1 for boundaries).
 */
export function predictArray(
  m: MembraneModel,
  raw: ArrayLike<number>,
  shape: readonly [number, number, number],
  options: PredictOptions = {},
): Float32Array {
  const config = m.metadata.unet;
  const [Z, Y, X] = shape;
  const n = Z * Y * X;
  if (raw.length !== n) {
    throw new ModelInputError("the input does not match its shape", {
      field: "raw",
      expected: `${n} values (${shape.join("×")})`,
      found: `${raw.length} values`,
    });
  }
  const { multiple, context } = tilingOf(m);
  const tile = (options.tile ?? (config.dims === 2 ? [4, 256, 256] : [16, 128, 128])).map((t, a) =>
    roundUp(Math.max(1, t), multiple[a]),
  );
  const padded = shape.map((s, a) => roundUp(s, multiple[a]));
  const C = outputChannels(config);
  const out = new Float32Array(C * n);
  const { mean, std } = m.metadata.normalisation;
  const counts = padded.map((p, a) => Math.ceil(p / tile[a]));
  const total = counts[0] * counts[1] * counts[2];
  let done = 0;
  for (let tz = 0; tz < counts[0]; tz++) {
    for (let ty = 0; ty < counts[1]; ty++) {
      for (let tx = 0; tx < counts[2]; tx++) {
        const core = [tz, ty, tx].map((t, a) => t * tile[a]);
        const begin = core.map((c, a) => Math.max(0, c - context[a]));
        const end = core.map((c, a) => Math.min(padded[a], c + tile[a] + context[a]));
        const size = end.map((e, a) => e - begin[a]);
        // the window, normalised; 0 (the mean) outside the array
        const win = new Float32Array(size[0] * size[1] * size[2]);
        for (let z = 0; z < size[0]; z++) {
          const gz = begin[0] + z;
          if (gz >= Z) continue;
          for (let y = 0; y < size[1]; y++) {
            const gy = begin[1] + y;
            if (gy >= Y) continue;
            const o = (z * size[1] + y) * size[2];
            const g = (gz * Y + gy) * X + begin[2];
            const w = Math.min(size[2], X - begin[2]);
            for (let x = 0; x < w; x++) win[o + x] = (raw[g + x] - mean) / std;
          }
        }
        const result = tf.tidy(() => {
          const input =
            config.dims === 2
              ? tf.tensor4d(win, [size[0], size[1], size[2], 1])
              : tf.tensor5d(win, [1, size[0], size[1], size[2], 1]);
          return (m.model.predict(input) as tf.Tensor).dataSync() as Float32Array;
        });
        // copy the core (inside the array) into the channels-first output
        for (let z = core[0]; z < Math.min(core[0] + tile[0], Z); z++) {
          for (let y = core[1]; y < Math.min(core[1] + tile[1], Y); y++) {
            for (let x = core[2]; x < Math.min(core[2] + tile[2], X); x++) {
              const w = (((z - begin[0]) * size[1] + (y - begin[1])) * size[2] + (x - begin[2])) * C;
              const g = (z * Y + y) * X + x;
              for (let c = 0; c < C; c++) out[c * n + g] = result[w + c];
            }
          }
        }
        options.onProgress?.(++done, total);
      }
    }
  }
  // 2-D affinity models predict (y, x) channels; the z channel of a [3, z, y, x] layout is added by the caller
  return out;
}
