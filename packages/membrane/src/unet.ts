import * as tf from "@tensorflow/tfjs";
import { centreCrop } from "./crop-layer.js";
import { MembraneOptionsError, ModelInputError } from "./errors.js";

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
  /**
   * Padding of the 3-wide convolutions (default "same"). "same": the output has the input's size.
   * "valid": no padding, so every output value sees only real input; the output is smaller by
   * {@link outputMargin} at each end of each axis, the skip connections are centre-cropped, and only
   * some input sizes fit (see {@link outputSizeFor}, {@link nearestValidSizes}). A stored model
   * config without this field is a "same" model.
   */
  padding?: ConvPadding;
}

/** Padding of a U-Net's convolutions: "same" (output size = input size) or "valid" (no padding). */
export type ConvPadding = "same" | "valid";

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
    padding: options.padding ?? "same",
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
  if (config.padding !== "same" && config.padding !== "valid") {
    throw new MembraneOptionsError("padding must be same or valid", {
      field: "padding",
      expected: "same or valid",
      found: String(config.padding),
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

/**
 * Per level (0 = top), per network axis: how many voxels a "valid" network loses at each end of the
 * axis from that level's input to its output, in that level's voxels (the bottom level: 2, two
 * 3-wide convolutions; a level above: 2 + factor × the level below's + 2). All 0 for "same".
 */
function levelMargins(config: UNetConfig): number[][] {
  const margins: number[][] = new Array(config.depth);
  const conv = config.padding === "valid" ? 2 : 0;
  margins[config.depth - 1] = config.downsample.map(() => conv);
  for (let level = config.depth - 2; level >= 0; level--) {
    margins[level] = config.downsample.map((f, a) => conv + f * margins[level + 1][a] + conv);
  }
  return margins;
}

/**
 * Voxels (per network axis: 2-D `[y, x]`, 3-D `[z, y, x]`) that a network's output lacks at each
 * end of the axis compared with its input: (input − output) / 2. 0 for "same" padding; for
 * "valid", 2 per 3-wide convolution at its level's scale (depth 3, factor 2: 2 + 2·(2 + 2·2 + 2) +
 * 2 = 20). A prediction of an output box reads this much context on every side.
 */
export function outputMargin(config: UNetConfig): number[] {
  return levelMargins(config)[0];
}

/** The output size along one axis for an input size, or null when the input does not fit. */
function traceAxis(config: UNetConfig, f: number, input: number): number | null {
  const conv = config.padding === "valid" ? 4 : 0;
  if (!Number.isInteger(input) || input < 1) return null;
  let s = input;
  for (let level = 0; level < config.depth - 1; level++) {
    s -= conv;
    if (s < 1 || s % f !== 0) return null;
    s /= f;
  }
  s -= conv;
  if (s < 1) return null;
  for (let level = config.depth - 2; level >= 0; level--) {
    s = s * f - conv;
    if (s < 1) return null;
  }
  return s;
}

function axisName(config: UNetConfig, a: number): string {
  return (config.dims === 2 ? "yx" : "zyx")[a];
}

/**
 * The nearest sizes (per network axis) that fit the network, at most and at least `size`: an input
 * size fits when every pooling divides its level's size evenly and every intermediate size is
 * positive ("same": the positive multiples of {@link sizeMultiple}); an output size fits when it is
 * the output of a fitting input. `below` is null when no fitting size is ≤ `size`.
 */
export function nearestValidSizes(
  config: UNetConfig,
  size: readonly number[],
  kind: "input" | "output" = "input",
): { below: (number | null)[]; above: number[] } {
  const margin = outputMargin(config);
  const fits = (a: number, n: number) =>
    traceAxis(config, config.downsample[a], kind === "input" ? n : n + 2 * margin[a]) !== null;
  const below: (number | null)[] = [];
  const above: number[] = [];
  config.downsample.forEach((_, a) => {
    let lo = Math.floor(size[a]);
    while (lo >= 1 && !fits(a, lo)) lo--;
    let hi = Math.max(1, Math.ceil(size[a]));
    while (!fits(a, hi)) hi++;
    below.push(lo >= 1 ? lo : null);
    above.push(hi);
  });
  return { below, above };
}

function sizeError(
  config: UNetConfig,
  size: readonly number[],
  kind: "input" | "output",
  make: (summary: string, field: string, expected: string, found: string) => Error,
): Error | null {
  if (size.length !== config.dims) {
    return make(
      `the ${kind} size needs one value per network axis`,
      `${kind} size`,
      `${config.dims} values (${config.dims === 2 ? "y, x" : "z, y, x"})`,
      JSON.stringify(size),
    );
  }
  const { below, above } = nearestValidSizes(config, size, kind);
  const margin = outputMargin(config);
  for (let a = 0; a < config.dims; a++) {
    const n = size[a];
    const input = kind === "input" ? n : n + 2 * margin[a];
    if (traceAxis(config, config.downsample[a], input) === null) {
      const near = [below[a], above[a]].filter((v) => v !== null && v !== n);
      return make(
        `the ${kind} size along ${axisName(config, a)} does not fit the network (${config.padding} convolutions, depth ${config.depth}, factor ${config.downsample[a]})`,
        `${kind} size (${axisName(config, a)})`,
        `a size where every pooling divides evenly and every size stays positive: nearest ${[...new Set(near)].join(" or ")}`,
        String(n),
      );
    }
  }
  return null;
}

/**
 * The network's output size (per network axis: 2-D `[y, x]`, 3-D `[z, y, x]`) for an input size:
 * the input for "same" padding, input − 2 × {@link outputMargin} for "valid". Throws a
 * {@link ModelInputError} naming the axis and the nearest sizes that fit when the input does not.
 */
export function outputSizeFor(config: UNetConfig, inputSize: readonly number[]): number[] {
  const error = sizeError(
    config,
    inputSize,
    "input",
    (summary, field, expected, found) => new ModelInputError(summary, { field, expected, found }),
  );
  if (error) throw error;
  return inputSize.map((n, a) => traceAxis(config, config.downsample[a], n) as number);
}

/**
 * The input size (per network axis) that gives an output size: output + 2 × {@link outputMargin}.
 * Throws a {@link MembraneOptionsError} naming the axis and the nearest output sizes that fit when
 * no input gives exactly this output.
 */
export function inputSizeFor(config: UNetConfig, outputSize: readonly number[]): number[] {
  const error = sizeError(
    config,
    outputSize,
    "output",
    (summary, field, expected, found) => new MembraneOptionsError(summary, { field, expected, found }),
  );
  if (error) throw error;
  const margin = outputMargin(config);
  return outputSize.map((n, a) => n + 2 * margin[a]);
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
      padding: config.padding,
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
 * A U-Net (Ronneberger et al. 2015): per level two 3-wide convolutions with ReLU ("same" padding by
 * default, or "valid"), max-pooling down, transposed convolutions up (kernel = stride = the factor:
 * exactly × factor), skip connections by concatenation (centre-cropped to the up-sampled size for
 * "valid"), and a 1×1 convolution with a sigmoid out (boundary probability, or one affinity per
 * axis). Anisotropic 3-D data take a down-sampling factor of 1 along z (`downsample: [1, 2, 2]`).
 * Input sizes must fit ({@link outputSizeFor}).
 */
export function buildUNet(options: UNetOptions = {}): tf.LayersModel {
  const config = unetConfig(options);
  const margins = levelMargins(config);
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
    // "valid": the skip is larger than the up-sampled map by factor × the level below's margin at each end
    const skip =
      config.padding === "valid"
        ? (centreCrop({
            cropping: config.downsample.map((f, a) => f * margins[level + 1][a]),
            name: `crop${level}`,
          }).apply(skips[level]) as tf.SymbolicTensor)
        : skips[level];
    x = tf.layers.concatenate({ name: `skip${level}` }).apply([skip, x]) as tf.SymbolicTensor;
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
