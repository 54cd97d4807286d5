import * as tf from "@tensorflow/tfjs";
import { registerConv3dTransposeGrad } from "./conv3d-transpose-grad.js";
import { randomElasticField, warpPatch } from "./elastic.js";
import { MembraneOptionsError } from "./errors.js";
import type { MembraneModel } from "./model-io.js";
import { predictArray } from "./predict.js";
import { affinityTargets, boundaryTargets } from "./targets.js";
import { nearestValidSizes, outputChannels, outputMargin, sizeMultiple, type UNetConfig } from "./unet.js";

/** A raw volume with its labels, `[z, y, x]` (one section: z = 1). */
export interface TrainingVolume {
  raw: ArrayLike<number>;
  labels: ArrayLike<number>;
  shape: [number, number, number];
  name?: string;
}

/** Options of {@link trainModel}. */
export interface TrainOptions {
  /**
   * Input patch per sample, `[z, y, x]` (2-D models: z = 1). Default `[1, 128, 128]` / `[8, 64, 64]`.
   * Rounded down to the pooling grid ("same") or to a valid input size ("valid", at least the
   * smallest); a "valid" model is trained on the centre of the patch, the margin cut off each side.
   */
  patch?: [number, number, number];
  /** Patches per step (default 4). */
  batch?: number;
  /** Default 50. */
  stepsPerEpoch?: number;
  /** Default 10. */
  epochs?: number;
  /** Adam's learning rate (default 1e-3). */
  learningRate?: number;
  /** Seed of the patch sampling and augmentation (default 0). */
  seed?: number;
  /** Flips, 90° rotations (square patches), intensity jitter and elastic warps (default true). */
  augment?: boolean;
  /**
   * In-plane elastic warp of half the patches (when augmenting): control points every `spacing` px
   * moved up to `amplitude` px (default 32 and 4); false for none.
   */
  elastic?: { spacing: number; amplitude: number } | false;
  /** Scored after every epoch. */
  validation?: TrainingVolume[];
  /** Epochs already done (resume from a checkpoint): counting starts after them. */
  startEpoch?: number;
  onStep?: (info: { epoch: number; step: number; loss: number }) => void;
  /** After each epoch (e.g. to write a checkpoint). */
  onEpoch?: (result: EpochResult) => void | Promise<void>;
}

/** One epoch's numbers. */
export interface EpochResult {
  epoch: number;
  /** Mean class-balanced cross-entropy of the epoch's training steps. */
  loss: number;
  /** Over the validation volumes (predicted whole): class-balanced cross-entropy and pixel error at 0.5; null without validation. */
  validationLoss: number | null;
  pixelError: number | null;
  seconds: number;
}

/** xorshift32: the sampler's deterministic random numbers in [0, 1). */
class Random {
  #s: number;
  constructor(seed: number) {
    this.#s = (seed * 2654435761) >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let s = this.#s;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.#s = s >>> 0;
    return this.#s / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Targets (channels first) of a label patch, for the network's output kind. */
export function targetsFor(
  config: UNetConfig,
  labels: ArrayLike<number>,
  shape: [number, number, number],
): Float32Array {
  if (config.output === "boundaries") return boundaryTargets(labels, shape);
  if (config.dims === 3) return affinityTargets(labels, shape);
  // 2-D affinities: (y, x) per section
  const [Z, Y, X] = shape;
  const n = Y * X;
  const out = new Float32Array(2 * Z * n);
  for (let z = 0; z < Z; z++) {
    const a = affinityTargets(Array.prototype.slice.call(labels, z * n, (z + 1) * n) as number[], [Y, X]);
    out.set(a.subarray(0, n), z * n);
    out.set(a.subarray(n), Z * n + z * n);
  }
  return out;
}

/** Copy a `[z, y, x]` patch at `origin`, flipped / transposed in y-x as asked. */
function cutPatch(
  v: ArrayLike<number>,
  shape: [number, number, number],
  origin: number[],
  patch: number[],
  flips: boolean[],
  transpose: boolean,
  out: Float32Array,
): void {
  const [, Y, X] = shape;
  const [pz, py, px] = patch;
  for (let z = 0; z < pz; z++) {
    const sz = origin[0] + (flips[0] ? pz - 1 - z : z);
    for (let y = 0; y < py; y++) {
      for (let x = 0; x < px; x++) {
        let yy = flips[1] ? py - 1 - y : y;
        let xx = flips[2] ? px - 1 - x : x;
        if (transpose) [yy, xx] = [xx, yy];
        out[(z * py + y) * px + x] = v[(sz * Y + origin[1] + yy) * X + origin[2] + xx];
      }
    }
  }
}

/** Class-balanced binary cross-entropy: positives and negatives weigh half each, per channel. */
function balancedLoss(target: tf.Tensor, prediction: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const eps = 1e-6;
    const p = tf.clipByValue(prediction, eps, 1 - eps);
    const axes = target.shape.map((_, i) => i).slice(0, -1);
    const frac = tf.clipByValue(tf.mean(target, axes, true), 0.05, 0.95);
    const w = tf.add(
      tf.mul(target, tf.div(0.5, frac)),
      tf.mul(tf.sub(1, target), tf.div(0.5, tf.sub(1, frac))),
    );
    const bce = tf.neg(tf.add(tf.mul(target, tf.log(p)), tf.mul(tf.sub(1, target), tf.log(tf.sub(1, p)))));
    return tf.mean(tf.mul(w, bce)) as tf.Scalar;
  });
}

/** Validation loss and pixel error of a model over whole volumes. */
export function scoreVolumes(
  m: MembraneModel,
  volumes: TrainingVolume[],
): { loss: number; pixelError: number } {
  let lossSum = 0;
  let wrong = 0;
  let count = 0;
  for (const v of volumes) {
    const prediction = predictArray(m, v.raw, v.shape);
    const target = targetsFor(m.metadata.unet, v.labels, v.shape);
    const C = outputChannels(m.metadata.unet);
    const n = v.shape[0] * v.shape[1] * v.shape[2];
    lossSum += tf.tidy(() => {
      const t = tf.tensor2d(target, [C, n]).transpose();
      const p = tf.tensor2d(prediction, [C, n]).transpose();
      return balancedLoss(t, p).dataSync()[0];
    });
    for (let i = 0; i < target.length; i++) if (prediction[i] >= 0.5 !== target[i] >= 0.5) wrong++;
    count += target.length;
  }
  return { loss: lossSum / volumes.length, pixelError: wrong / count };
}

/**
 * Train a U-Net on random patches of labelled volumes with Adam and a class-balanced cross-entropy,
 * targets derived from the labels (boundaries or affinities, as the model predicts), augmentation
 * by flips, 90° rotations, intensity jitter and in-plane elastic warps, a fixed seed; validation after every epoch. The
 * model is trained in place; the epochs' results are returned (and passed to `onEpoch`).
 */
export async function trainModel(
  m: MembraneModel,
  data: TrainingVolume[],
  options: TrainOptions = {},
): Promise<EpochResult[]> {
  registerConv3dTransposeGrad();
  const config = m.metadata.unet;
  if (data.length === 0) {
    throw new MembraneOptionsError("no training volumes", {
      field: "data",
      expected: "at least one volume",
      found: "none",
    });
  }
  const mult = sizeMultiple(config);
  const multiple = config.dims === 2 ? [1, mult[0], mult[1]] : mult;
  const requested = options.patch ?? (config.dims === 2 ? [1, 128, 128] : [8, 64, 64]);
  const patch = requested.map((p, a) => Math.max(multiple[a], Math.floor(p / multiple[a]) * multiple[a])) as [
    number,
    number,
    number,
  ];
  // "valid": the input patch a valid size, the targets its centre
  const net = outputMargin(config);
  const margin = config.dims === 2 ? [0, net[0], net[1]] : net;
  if (config.padding === "valid") {
    const spatial = config.dims === 2 ? requested.slice(1) : requested;
    const { below, above } = nearestValidSizes(config, spatial, "input");
    const fitted = below.map((b, a) => b ?? above[a]);
    patch.splice(3 - fitted.length, fitted.length, ...fitted);
  }
  if (config.dims === 2) patch[0] = 1;
  for (const v of data) {
    if (v.shape.some((s, a) => s < patch[a])) {
      throw new MembraneOptionsError("a training volume is smaller than the patch", {
        field: v.name ?? "data",
        expected: `at least ${patch.join("×")}`,
        found: v.shape.join("×"),
      });
    }
  }
  const batch = options.batch ?? 4;
  const steps = options.stepsPerEpoch ?? 50;
  const epochs = options.epochs ?? 10;
  const augment = options.augment ?? true;
  const rng = new Random((options.seed ?? 0) + 7919 * (options.startEpoch ?? 0));
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  const C = outputChannels(config);
  const [pz, py, px] = patch;
  const pn = pz * py * px;
  const [oz, oy, ox] = patch.map((p, a) => p - 2 * margin[a]);
  const on = oz * oy * ox;
  const square = py === px;
  const raws = new Float32Array(batch * pn);
  const tgts = new Float32Array(batch * on * C);
  const one = new Float32Array(pn);
  const labels = new Float32Array(pn);
  const warped = new Float32Array(pn);
  const elastic =
    augment && options.elastic !== false ? (options.elastic ?? { spacing: 32, amplitude: 4 }) : null;
  const { mean, std } = m.metadata.normalisation;
  const results: EpochResult[] = [];
  for (let e = 0; e < epochs; e++) {
    const epoch = (options.startEpoch ?? 0) + e + 1;
    const t0 = performance.now();
    let lossSum = 0;
    for (let step = 0; step < steps; step++) {
      for (let b = 0; b < batch; b++) {
        const k = rng.int(data.length);
        const v = data[k];
        const origin = v.shape.map((s, a) => rng.int(s - patch[a] + 1));
        const flips = augment
          ? [config.dims === 3 && rng.next() < 0.5, rng.next() < 0.5, rng.next() < 0.5]
          : [false, false, false];
        const transpose = augment && square && rng.next() < 0.5;
        const gain = augment ? 0.8 + 0.4 * rng.next() : 1;
        const bias = augment ? 0.2 * (rng.next() - 0.5) : 0;
        cutPatch(v.raw, v.shape, origin, patch, flips, transpose, one);
        // targets of the augmented label patch (so affinities follow the flips and the warp)
        cutPatch(v.labels, v.shape, origin, patch, flips, transpose, labels);
        if (elastic && rng.next() < 0.5) {
          const field = randomElasticField(py, px, elastic.spacing, elastic.amplitude, () => rng.next());
          warpPatch(one, patch, field, false, warped);
          one.set(warped);
          warpPatch(labels, patch, field, true, warped);
          labels.set(warped);
        }
        for (let i = 0; i < pn; i++) raws[b * pn + i] = ((one[i] - mean) / std) * gain + bias;
        // targets of the whole patch (so the centre's neighbours are real), cropped to the output
        const t = targetsFor(config, labels, patch);
        for (let c = 0; c < C; c++) {
          for (let z = 0; z < oz; z++) {
            for (let y = 0; y < oy; y++) {
              const src = c * pn + ((z + margin[0]) * py + y + margin[1]) * px + margin[2];
              const dst = b * on + (z * oy + y) * ox;
              for (let x = 0; x < ox; x++) tgts[(dst + x) * C + c] = t[src + x];
            }
          }
        }
      }
      const loss = optimizer.minimize(() => {
        const shape = config.dims === 2 ? [batch, py, px, 1] : [batch, pz, py, px, 1];
        const x = tf.tensor(raws, shape);
        const y = tf.tensor(tgts, config.dims === 2 ? [batch, oy, ox, C] : [batch, oz, oy, ox, C]);
        return balancedLoss(y, m.model.apply(x, { training: true }) as tf.Tensor);
      }, true) as tf.Scalar;
      const value = loss.dataSync()[0];
      loss.dispose();
      lossSum += value;
      options.onStep?.({ epoch, step: step + 1, loss: value });
    }
    const scored = options.validation?.length ? scoreVolumes(m, options.validation) : null;
    const result: EpochResult = {
      epoch,
      loss: lossSum / steps,
      validationLoss: scored ? scored.loss : null,
      pixelError: scored ? scored.pixelError : null,
      seconds: (performance.now() - t0) / 1000,
    };
    results.push(result);
    await options.onEpoch?.(result);
  }
  optimizer.dispose();
  return results;
}
