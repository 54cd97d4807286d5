import * as tf from "@tensorflow/tfjs";
import { ModelInputError } from "./errors.js";
import type { MembraneModel } from "./model-io.js";
import { fieldOfViewRadius, nearestValidSizes, outputChannels, outputMargin, sizeMultiple } from "./unet.js";

/** Options of {@link predictArray}. */
export interface PredictOptions {
  /**
   * Output tile per network call, voxels per axis of the volume (z, y, x); default 4 × 256 × 256 for
   * 2-D models (the sections of a tile go through the network as one batch), for 3-D models
   * Z × 128 × 128 with Z twice the context along z, from 16 to 64 (so a model with a large field of
   * view does not spend most of each call on context).
   */
  tile?: [number, number, number];
  /** Called after each tile with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /**
   * Test-time augmentation: average each tile's predictions over its mirror images (flipped along
   * every subset of z, y, x for 3-D models, of y, x for 2-D: 8 or 4 network calls per tile), each
   * flipped back before averaging. Boundary models only (a flipped affinity is another voxel's).
   */
  flips?: boolean;
}

const roundUp = (v: number, m: number) => Math.ceil(v / m) * m;

/** The default output tile of {@link predictArray} (see {@link PredictOptions.tile}). */
function defaultTile(dims: number, context: number[]): number[] {
  if (dims === 2) return [4, 256, 256];
  return [Math.min(64, Math.max(16, 2 * context[0])), 128, 128];
}

/** How {@link predictArray} and the block adapter tile a volume, per volume axis (z, y, x). */
export interface Tiling {
  /** Tile origins, window sizes and block origins keep to multiples of this (the pooling grid). */
  multiple: number[];
  /**
   * Context a block is read with (a multiple of `multiple`): "same" models, ≥ the field of view;
   * "valid" models, `margin` plus what a block's last pooling cell needs beyond it.
   */
  context: number[];
  /** "valid" models: the network's {@link outputMargin} (2-D models: 0 along z); "same": 0. */
  margin: number[];
}

/**
 * Per volume axis (z, y, x): the multiple tile origins and window sizes keep to (so pooling lines up
 * with the whole volume's), the context a block is read with, and a "valid" network's margin.
 */
export function tilingOf(m: MembraneModel): Tiling {
  const config = m.metadata.unet;
  const mult = sizeMultiple(config);
  const multiple = config.dims === 2 ? [1, mult[0], mult[1]] : mult;
  if (config.padding === "valid") {
    const net = outputMargin(config);
    const margin = config.dims === 2 ? [0, net[0], net[1]] : net;
    // a voxel in a block's last pooling cell [g, g + M) is the output of a tile at g of the smallest
    // valid size ≥ M, which reads margin beyond it: so much context after the block
    const smallest = nearestValidSizes(config, mult, "output").above;
    const beyond =
      config.dims === 2
        ? [0, smallest[0] - mult[0], smallest[1] - mult[1]]
        : smallest.map((s, a) => s - mult[a]);
    return {
      multiple,
      margin,
      context: margin.map((r, a) => roundUp(r + Math.max(0, beyond[a]), multiple[a])),
    };
  }
  const fov = fieldOfViewRadius(config);
  const radius = config.dims === 2 ? [0, fov[0], fov[1]] : fov;
  return { multiple, context: radius.map((r, a) => roundUp(r, multiple[a])), margin: [0, 0, 0] };
}

/** The network's input window `[begin, begin + size)` of a `[z, y, x]` array, normalised; 0 outside the array. */
function readWindow(
  raw: ArrayLike<number>,
  shape: readonly [number, number, number],
  begin: number[],
  size: number[],
  mean: number,
  std: number,
): Float32Array {
  const [Z, Y, X] = shape;
  const win = new Float32Array(size[0] * size[1] * size[2]);
  const x0 = Math.max(0, -begin[2]);
  const x1 = Math.min(size[2], X - begin[2]);
  for (let z = 0; z < size[0]; z++) {
    const gz = begin[0] + z;
    if (gz < 0 || gz >= Z) continue;
    for (let y = 0; y < size[1]; y++) {
      const gy = begin[1] + y;
      if (gy < 0 || gy >= Y) continue;
      const o = (z * size[1] + y) * size[2];
      const g = (gz * Y + gy) * X + begin[2];
      for (let x = x0; x < x1; x++) win[o + x] = (raw[g + x] - mean) / std;
    }
  }
  return win;
}

/**
 * The tensor axes to reverse for each mirror image a tile is predicted on: only the identity without
 * `flips`; else every subset of the spatial axes (3-D: z, y, x = 1, 2, 3 of [1, z, y, x, 1]; 2-D:
 * y, x = 1, 2 of [sections, y, x, 1]).
 */
export function mirrorAxes(m: MembraneModel, flips: boolean): number[][] {
  if (!flips) return [[]];
  if (m.metadata.unet.output !== "boundaries") {
    throw new ModelInputError("test-time flips need a boundary model", {
      field: "flips",
      expected: "a model whose output is boundaries",
      found: `${m.metadata.unet.output} (a flipped affinity belongs to the neighbouring voxel)`,
    });
  }
  const axes = m.metadata.unet.dims === 2 ? [1, 2] : [1, 2, 3];
  return Array.from({ length: 1 << axes.length }, (_, bits) => axes.filter((_, k) => bits & (1 << k)));
}

/**
 * The network's output on `input`, averaged over the mirror images `mirrors` (axes to reverse; each
 * output is reversed back before it is added). Call inside `tf.tidy`.
 */
function predictMirrored(model: tf.LayersModel, input: tf.Tensor, mirrors: number[][]): Float32Array {
  let sum: tf.Tensor | undefined;
  for (const axes of mirrors) {
    const flipped = axes.length > 0 ? tf.reverse(input, axes) : input;
    const output = model.predict(flipped) as tf.Tensor;
    const back = axes.length > 0 ? tf.reverse(output, axes) : output;
    sum = sum ? tf.add(sum, back) : back;
  }
  const mean = mirrors.length > 1 ? tf.div(sum as tf.Tensor, mirrors.length) : (sum as tf.Tensor);
  return mean.dataSync() as Float32Array;
}

/**
 * Predict a whole `[z, y, x]` array, tile by tile, tile origins on the network's pooling grid, so the
 * result does not depend on the tile size. "Same" models: each tile is run with its context (at
 * least the network's field of view, clipped at the array's edges) and only its core kept, the array
 * padded at its far ends to the pooling grid; the result equals one call on the whole (padded) array.
 * "Valid" models: each tile's output (a valid output size, ≥ the tile) is read with exactly the
 * network's margin of context on every side, values outside the array being 0 after normalisation
 * (the mean). 2-D models run section by section. Returns channels first: `[C, z, y, x]` (C = 1 for
 * boundaries).
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
  const valid = config.padding === "valid";
  const mirrors = mirrorAxes(m, options.flips === true);
  const { multiple, context, margin } = tilingOf(m);
  const tile = (options.tile ?? defaultTile(config.dims, context)).map((t, a) =>
    roundUp(Math.max(1, t), multiple[a]),
  );
  const padded = shape.map((s, a) => roundUp(s, multiple[a]));
  const C = outputChannels(config);
  const out = new Float32Array(C * n);
  const { mean, std } = m.metadata.normalisation;
  const counts = padded.map((p, a) => Math.ceil(p / tile[a]));
  const total = counts[0] * counts[1] * counts[2];
  // "valid": the smallest valid output size ≥ n along a volume axis (2-D models: any number of sections)
  const validOutput = (a: number, size: number) =>
    config.dims === 2 && a === 0
      ? size
      : nearestValidSizes(config, config.dims === 2 ? [size, size] : [size, size, size], "output").above[
          config.dims === 2 ? a - 1 : a
        ];
  let done = 0;
  for (let tz = 0; tz < counts[0]; tz++) {
    for (let ty = 0; ty < counts[1]; ty++) {
      for (let tx = 0; tx < counts[2]; tx++) {
        const core = [tz, ty, tx].map((t, a) => t * tile[a]);
        let begin: number[];
        let size: number[];
        // the network's output box [outBegin, outBegin + outSize)
        let outBegin: number[];
        let outSize: number[];
        if (valid) {
          outBegin = core;
          outSize = core.map((c, a) => validOutput(a, Math.min(tile[a], shape[a] - c)));
          begin = core.map((c, a) => c - margin[a]);
          size = outSize.map((s, a) => s + 2 * margin[a]);
        } else {
          begin = core.map((c, a) => Math.max(0, c - context[a]));
          const end = core.map((c, a) => Math.min(padded[a], c + tile[a] + context[a]));
          size = end.map((e, a) => e - begin[a]);
          outBegin = begin;
          outSize = size;
        }
        // the window, normalised; 0 (the mean) outside the array
        const win = readWindow(raw, shape, begin, size, mean, std);
        const result = tf.tidy(() => {
          const input =
            config.dims === 2
              ? tf.tensor4d(win, [size[0], size[1], size[2], 1])
              : tf.tensor5d(win, [1, size[0], size[1], size[2], 1]);
          return predictMirrored(m.model, input, mirrors);
        });
        // copy the core (inside the array) into the channels-first output
        for (let z = core[0]; z < Math.min(core[0] + tile[0], Z); z++) {
          for (let y = core[1]; y < Math.min(core[1] + tile[1], Y); y++) {
            for (let x = core[2]; x < Math.min(core[2] + tile[2], X); x++) {
              const w =
                (((z - outBegin[0]) * outSize[1] + (y - outBegin[1])) * outSize[2] + (x - outBegin[2])) * C;
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
