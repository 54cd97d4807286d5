#!/usr/bin/env node
// Train the small shipped 2-D boundary model on `@tessera/phantom` EM volumes (the demo's kind of data:
// 40 × 8 × 8 nm), for the demo and fast tests. Train: phantom seeds 11 and 12 (16 × 256 × 256 each);
// validation: seed 13 (4 × 256 × 256); the demo uses seed 1, which the model never sees.
// Targets: the phantom's own membranes (label 0 on them). Keeps the epoch with the lowest validation
// loss in packages/membrane/models/phantom-boundaries, with its validation pixel error.
// Usage: node tools/membrane/train-phantom.mjs [--epochs 6] [--steps 30] [--out …]   (build first)
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const { values: opt } = parseArgs({
  options: {
    epochs: { type: "string", default: "6" },
    steps: { type: "string", default: "30" },
    out: { type: "string", default: join(root, "packages/membrane/models/phantom-boundaries") },
  },
});
const membrane = await import(join(root, "packages/membrane/dist/index.js"));
const { emPhantom } = await import(join(root, "packages/phantom/dist/index.js"));

const backend = await membrane.useBackend("wasm");
const resolutionNm = [40, 8, 8];
function volume(seed, shape) {
  const p = emPhantom({ shape, resolutionNm, seed });
  return {
    raw: p.image,
    labels: Uint32Array.from(p.labels, (l, i) => (p.boundaries[i] ? 0 : l)),
    shape,
    name: `emPhantom seed ${seed} ${shape.join("×")} at ${resolutionNm.join("×")} nm`,
  };
}
const train = [volume(11, [16, 256, 256]), volume(12, [16, 256, 256])];
const validation = [volume(13, [4, 256, 256])];
const config = membrane.unetConfig({ depth: 3, features: 8, seed: 1 });
const m = {
  model: membrane.buildUNet(config),
  metadata: {
    format: "tessera-membrane-model",
    version: 1,
    unet: config,
    normalisation: { mean: 128, std: 50 },
    backend,
    created: new Date().toISOString(),
  },
};
const settings = {
  epochs: Number(opt.epochs),
  stepsPerEpoch: Number(opt.steps),
  batch: 4,
  patch: [1, 128, 128],
  seed: 1,
  learningRate: 0.003,
};
let best = Number.POSITIVE_INFINITY;
const history = await membrane.trainModel(m, train, {
  ...settings,
  validation,
  onEpoch: async (r) => {
    console.log(
      `epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, validation loss ${r.validationLoss.toFixed(4)}, pixel error ${r.pixelError.toFixed(4)}, ${r.seconds.toFixed(1)} s`,
    );
    if (r.validationLoss < best) {
      best = r.validationLoss;
      await membrane.saveModel(opt.out, m.model, {
        ...m.metadata,
        training: { data: [...train, ...validation].map((v) => v.name), settings, bestEpoch: r.epoch },
        metrics: { validationLoss: r.validationLoss, pixelError: r.pixelError },
      });
    }
  },
});
console.log(JSON.stringify({ out: opt.out, best: history.reduce((a, b) => (b.validationLoss < a.validationLoss ? b : a)) }));
