#!/usr/bin/env node
// Train the small shipped 2-D boundary model on `@tessera/phantom` EM volumes (the demo's kind of data:
// 40 × 8 × 8 nm), for the demo and fast tests. Train: phantom seeds 11 and 12 (16 × 256 × 256 each);
// validation: seed 13 (4 × 256 × 256); the demo uses seed 1, which the model never sees.
// Targets: the phantom's own membranes (label 0 on them). Keeps the epoch with the lowest validation
// loss in packages/membrane/models/phantom-boundaries, with its validation pixel error.
// Usage: node tools/membrane/train-phantom.mjs [--epochs 6] [--steps 30] [--out …]   (build first)
import { join } from "node:path";
import { parseArgs } from "node:util";
import { load, newModel, root, trainKeepingBest } from "./lib.mjs";

const { values: opt } = parseArgs({
  options: {
    epochs: { type: "string", default: "6" },
    steps: { type: "string", default: "30" },
    out: { type: "string", default: join(root, "packages/membrane/models/phantom-boundaries") },
  },
});
const membrane = await load("membrane");
const { emPhantom } = await load("phantom");

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
const m = newModel(membrane, config, { mean: 128, std: 50 }, backend);
const settings = {
  epochs: Number(opt.epochs),
  stepsPerEpoch: Number(opt.steps),
  batch: 4,
  patch: [1, 128, 128],
  seed: 1,
  learningRate: 0.003,
};
const { history } = await trainKeepingBest(membrane, m, train, validation, settings, opt.out, {
  data: [...train, ...validation].map((v) => v.name),
});
console.log(
  JSON.stringify({
    out: opt.out,
    best: history.reduce((a, b) => (b.validationLoss < a.validationLoss ? b : a)),
  }),
);
