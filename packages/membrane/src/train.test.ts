// Training on phantom data with known membranes: the validation error must fall well below the
// untrained network's and below a trivial predictor's.
import { emPhantom } from "@tessera/phantom";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "./backend.js";
import type { MembraneModel } from "./model-io.js";
import { untrainedModel } from "./test-arrays.js";
import { scoreVolumes, type TrainingVolume, trainModel } from "./train.js";
import { unetConfig } from "./unet.js";

function volume(seed: number, shape: [number, number, number]): TrainingVolume {
  const p = emPhantom({ shape, seed });
  // ground truth as ISBI gives it: 0 on membranes, the cell id elsewhere
  const labels = Uint32Array.from(p.labels, (l, i) => (p.boundaries[i] ? 0 : l));
  return { raw: p.image, labels, shape, name: `phantom ${seed}` };
}

describe("trainModel", () => {
  beforeAll(async () => {
    await useBackend("wasm");
  });

  it("learns phantom membranes on wasm: validation pixel error falls by half and below always-background", async () => {
    const train = [volume(1, [6, 96, 96])];
    const validation = [volume(2, [2, 96, 96])];
    const config = unetConfig({ depth: 2, features: 8, seed: 1 });
    const m = untrainedModel(config);
    const before = scoreVolumes(m, validation);
    const epochs = await trainModel(m, train, {
      patch: [1, 64, 64],
      batch: 4,
      stepsPerEpoch: 25,
      epochs: 3,
      seed: 3,
      validation,
      learningRate: 3e-3,
    });
    const after = epochs[epochs.length - 1];
    // the membrane fraction: the error of predicting "no membrane" everywhere
    let membrane = 0;
    for (const l of validation[0].labels as Uint32Array) membrane += l === 0 ? 1 : 0;
    const trivial = membrane / validation[0].labels.length;
    expect(after.pixelError).not.toBeNull();
    expect(after.pixelError as number).toBeLessThan(0.5 * before.pixelError);
    expect(after.pixelError as number).toBeLessThan(trivial);
    expect(epochs[0].loss).toBeGreaterThan(after.loss);
  });

  it("learns 3-D affinities on wasm (3-D convolutions, transposed convolutions and their gradients)", async () => {
    const train = [volume(4, [16, 64, 64])];
    const validation = [volume(5, [8, 64, 64])];
    const config = unetConfig({
      dims: 3,
      output: "affinities",
      depth: 2,
      features: 6,
      downsample: [1, 2, 2],
      seed: 2,
    });
    const m = untrainedModel(config);
    const before = scoreVolumes(m, validation);
    const epochs = await trainModel(m, train, {
      patch: [8, 32, 32],
      batch: 2,
      stepsPerEpoch: 25,
      epochs: 2,
      seed: 5,
      validation,
      learningRate: 3e-3,
    });
    const after = epochs[epochs.length - 1];
    expect(after.pixelError).not.toBeNull();
    expect(after.pixelError as number).toBeLessThan(0.5 * before.pixelError);
    expect(epochs[0].loss).toBeGreaterThan(after.loss);
  });
});

describe("trainModel with valid convolutions", () => {
  beforeAll(async () => {
    await useBackend("wasm");
  });

  const modelFor = (options: Parameters<typeof unetConfig>[0]): MembraneModel =>
    untrainedModel(unetConfig({ ...options, padding: "valid" }));

  it("2-D: input patches of a valid size, targets cropped to the output; the loss is finite and falls over 30 steps, validation scores", async () => {
    const train = [volume(1, [4, 80, 80])];
    const validation = [volume(2, [1, 64, 64])];
    const m = modelFor({ depth: 2, features: 6, seed: 1 });
    const losses: number[] = [];
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    // 62 is not a valid input (4 + 2b): rounded down to 60, trained on its centre 44 × 44
    const epochs = await trainModel(m, train, {
      patch: [1, 62, 62],
      batch: 2,
      stepsPerEpoch: 30,
      epochs: 1,
      seed: 3,
      validation,
      learningRate: 3e-3,
      elastic: false,
      onStep: ({ loss }) => losses.push(loss),
    });
    expect(losses).toHaveLength(30);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-5))).toBeLessThan(0.8 * mean(losses.slice(0, 5)));
    expect(epochs[0].pixelError).not.toBeNull();
    expect(Number.isFinite(epochs[0].validationLoss as number)).toBe(true);
    // the membrane fraction: the error of predicting "no membrane" everywhere
    let membrane = 0;
    for (const l of validation[0].labels as Uint32Array) membrane += l === 0 ? 1 : 0;
    expect(epochs[0].pixelError as number).toBeLessThan(membrane / validation[0].labels.length);
  });

  it("3-D anisotropic affinities: the crop layers' gradients run on wasm, the loss stays finite", async () => {
    const m = modelFor({
      dims: 3,
      output: "affinities",
      depth: 2,
      features: 3,
      downsample: [1, 2, 2],
      seed: 2,
    });
    const losses: number[] = [];
    await trainModel(m, [volume(4, [16, 32, 32])], {
      patch: [14, 24, 24],
      batch: 1,
      stepsPerEpoch: 3,
      epochs: 1,
      seed: 5,
      onStep: ({ loss }) => losses.push(loss),
    });
    expect(losses).toHaveLength(3);
    expect(losses.every(Number.isFinite)).toBe(true);
  });
});
