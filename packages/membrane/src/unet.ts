import * as tf from "@tensorflow/tfjs";
import { MembraneOptionsError } from "./errors.js";

/** What a network predicts: a boundary probability, or nearest-neighbour affinities. */
export type OutputKind = "boundaries" | "affinities";

/** Options of {@link buildUNet}. */
export interface UNetOptions {
  /** 2 (sections, input `[batch, y, x, 1]`) or 3 (volumes, input `[batch, z, y, x, 1]`). Default 2. */
  dims?: 2 | 3;
  /** Default "boundaries" (1 channel); "affinities": one channel per axis (2 in 2-D: y, x; 3 in 3-D: z, y, x). */
  output?: OutputKind;
  /** Resolution levels, including the top one (default 3: two poolings). */
  depth?: number;
  /** Feature maps at the top level (default 16); multiplied by `featureFactor` per level down. */
  features?: number;
  /** Default 2. */
  featureFactor?: number;
  /**
   * Down-sampling factor per level (3-D: `[z, y, x]`; 2-D: `[y, x]`), default 2 on every axis.
   * Anisotropic EM (thick sections): `[1, 2, 2]` keeps z at full resolution.
   */
  downsample?: number[];
  /** Seed of the weight initialisers (default 0). */
  seed?: number;
}

/** The options with defaults filled in, as stored with a model. */
export type UNetConfig = Required<UNetOptions>;

/** Fill defaults and check the options. */
export function unetConfig(options: UNetOptions = {}): UNetConfig {
  const dims = options.dims ?? 2;
  if (dims !== 2 && dims !== 3) {
    throw new MembraneOptionsError("dims must be 2 or 3", {
      field: "dims",
      expected: "2 or 3",
      found: String(dims),
    });
  }
  const config: UNetConfig = {
    dims,
    output: options.output ?? "boundaries",
    depth: options.depth ?? 3,
    features: options.features ?? 16,
    featureFactor: options.featureFactor ?? 2,
    downsample: options.downsample ?? new Array(dims).fill(2),
    seed: options.seed ?? 0,
  };
  const intIn = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (!intIn(config.depth, 1, 6)) {
    throw new MembraneOptionsError("depth must be an integer from 1 to 6", {
      field: "depth",
      expected: "1 to 6",
      found: String(config.depth),
    });
  }
  if (!intIn(config.features, 1, 512)) {
    throw new MembraneOptionsError("features must be an integer from 1 to 512", {
      field: "features",
      expected: "1 to 512",
      found: String(config.features),
    });
  }
  if (config.downsample.length !== dims || !config.downsample.every((f) => intIn(f, 1, 4))) {
    throw new MembraneOptionsError("downsample needs one factor from 1 to 4 per axis", {
      field: "downsample",
      expected: `${dims} integers from 1 to 4`,
      found: JSON.stringify(config.downsample),
    });
  }
  if (!["boundaries", "affinities"].includes(config.output)) {
    throw new MembraneOptionsError("output must be boundaries or affinities", {
      field: "output",
      expected: "boundaries or affinities",
      found: String(config.output),
    });
  }
  return config;
}

/** Output channels of a configuration. */
export function outputChannels(config: UNetConfig): number {
  return config.output === "boundaries" ? 1 : config.dims;
}

/**
 * The input size along each axis must be a multiple of this (the product of the down-sampling
 * factors), so pooling and up-sampling line up.
 */
export function sizeMultiple(config: UNetConfig): number[] {
  return config.downsample.map((f) => f ** (config.depth - 1));
}

/**
 * How far (voxels, per axis) an output value can see: the radius of the receptive field, an upper
 * bound from the layer sizes (3-wide convolutions, pooling and transposed convolutions of the
 * factor's width). A block predicted with at least this much context, at an offset that is a multiple
 * of {@link sizeMultiple}, gives the same values as the whole volume.
 */
export function fieldOfViewRadius(config: UNetConfig): number[] {
  return config.downsample.map((f) => {
    let r = 0;
    let scale = 1;
    for (let level = 0; level < config.depth; level++) {
      // two 3-wide convolutions on the way down (and at the bottom), two on the way up
      r += 2 * scale * (level === config.depth - 1 ? 1 : 2);
      if (level < config.depth - 1) {
        // pooling, then the transposed convolution back up, each f wide at this scale
        r += 2 * (f - 1) * scale;
        scale *= f;
      }
    }
    return r;
  });
}

function convBlock(
  x: tf.SymbolicTensor,
  filters: number,
  config: UNetConfig,
  name: string,
  seed: number,
): tf.SymbolicTensor {
  let y = x;
  for (let i = 0; i < 2; i++) {
    const common = {
      filters,
      kernelSize: 3,
      padding: "same" as const,
      activation: "relu" as const,
      kernelInitializer: tf.initializers.heNormal({ seed: seed + i }),
      name: `${name}_conv${i}`,
    };
    y = (config.dims === 2 ? tf.layers.conv2d(common) : tf.layers.conv3d(common)).apply(
      y,
    ) as tf.SymbolicTensor;
  }
  return y;
}

/**
 * A U-Net (Ronneberger et al. 2015) with "same" convolutions: per level two 3-wide convolutions with
 * ReLU, max-pooling down, transposed convolutions up, skip connections by concatenation, and a 1×1
 * convolution with a sigmoid out (boundary probability, or one affinity per axis). Anisotropic 3-D
 * data take a down-sampling factor of 1 along z (`downsample: [1, 2, 2]`).
 */
export function buildUNet(options: UNetOptions = {}): tf.LayersModel {
  const config = unetConfig(options);
  const shape = config.dims === 2 ? [null, null, 1] : [null, null, null, 1];
  const input = tf.input({ shape: shape as number[], name: "raw" });
  const skips: tf.SymbolicTensor[] = [];
  let x = input;
  let filters = config.features;
  let seed = config.seed * 1000;
  for (let level = 0; level < config.depth - 1; level++) {
    x = convBlock(x, filters, config, `down${level}`, (seed += 10));
    skips.push(x);
    const f = config.downsample;
    const name = `pool${level}`;
    const pooling =
      config.dims === 2
        ? tf.layers.maxPooling2d({ poolSize: [f[0], f[1]], strides: [f[0], f[1]], name })
        : tf.layers.maxPooling3d({ poolSize: [f[0], f[1], f[2]], strides: [f[0], f[1], f[2]], name });
    x = pooling.apply(x) as tf.SymbolicTensor;
    filters = Math.round(filters * config.featureFactor);
  }
  x = convBlock(x, filters, config, "bottom", (seed += 10));
  for (let level = config.depth - 2; level >= 0; level--) {
    filters = Math.round(filters / config.featureFactor);
    const up = {
      filters,
      kernelSize: config.downsample,
      strides: config.downsample,
      padding: "same" as const,
      kernelInitializer: tf.initializers.heNormal({ seed: (seed += 10) }),
      name: `up${level}`,
    };
    x = (config.dims === 2 ? tf.layers.conv2dTranspose(up) : tf.layers.conv3dTranspose(up)).apply(
      x,
    ) as tf.SymbolicTensor;
    x = tf.layers.concatenate({ name: `skip${level}` }).apply([skips[level], x]) as tf.SymbolicTensor;
    x = convBlock(x, filters, config, `up${level}`, (seed += 10));
  }
  const head = {
    filters: outputChannels(config),
    kernelSize: 1,
    activation: "sigmoid" as const,
    kernelInitializer: tf.initializers.glorotUniform({ seed: (seed += 10) }),
    name: config.output,
  };
  const output = (config.dims === 2 ? tf.layers.conv2d(head) : tf.layers.conv3d(head)).apply(
    x,
  ) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: `unet${config.dims}d` });
}
