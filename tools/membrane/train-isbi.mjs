#!/usr/bin/env node
// Train the shipped 2-D boundary model on ISBI 2012 (../shared/data/em/isbi2012: sections 0–19 to
// train, 20–24 to validate) and score it on 20–24: pixel error, and the foreground-restricted
// adapted Rand error and VOI of the thresholded prediction (connected components of the pixels
// below 0.5 per section; and the watershed + agglomeration of `tessera segment` per section at
// three thresholds) against the ground-truth cells (ISBI 2012's metrics; membranes ignored).
// Usage: node tools/membrane/train-isbi.mjs [--epochs 40] [--steps 50] [--depth 4] [--features 16]
//        [--patch 192] [--batch 4] [--seed 1] [--out packages/membrane/models/isbi2012-boundaries]
//        [--score-only] (score an existing model directory, e.g. after stopping a run early)
// (build first: npm run build)
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { load, meanAndStd, newModel, root, sharedData, trainKeepingBest } from "./lib.mjs";

const { values: opt } = parseArgs({
  options: {
    epochs: { type: "string", default: "40" },
    steps: { type: "string", default: "50" },
    depth: { type: "string", default: "4" },
    features: { type: "string", default: "16" },
    patch: { type: "string", default: "192" },
    batch: { type: "string", default: "4" },
    seed: { type: "string", default: "1" },
    lr: { type: "string", default: "0.001" },
    out: { type: "string", default: join(root, "packages/membrane/models/isbi2012-boundaries") },
    "score-only": { type: "boolean", default: false },
  },
});
const membrane = await load("membrane");
const volume = await load("volume");
const segment = await load("segment");
const data = join(sharedData, "em/isbi2012");

const backend = await membrane.useBackend("wasm");
const files = [];
async function section(z) {
  const imagePath = join(data, "image", `${z}.png`);
  const labelPath = join(data, "label", `${z}.png`);
  for (const p of [imagePath, labelPath]) {
    files.push({
      file: relative(join(data, ".."), p),
      sha256: createHash("sha256").update(readFileSync(p)).digest("hex"),
    });
  }
  const image = await volume.readPng(imagePath);
  const label = await volume.readPng(labelPath);
  // label: 255 = cell, 0 = membrane → cells numbered per section by connected components, 0 on membranes
  const cells = segment.connectedComponents(
    Uint8Array.from(label.data, (v) => (v > 0 ? 1 : 0)),
    [1, 512, 512],
    { connectivity: 6 },
  );
  return {
    raw: Float32Array.from(image.data),
    labels: cells.labels,
    shape: [1, 512, 512],
    name: `isbi ${z}`,
  };
}
const train = [];
for (let z = 0; z < 20; z++) train.push(await section(z));
const validation = [];
for (let z = 20; z < 25; z++) validation.push(await section(z));
const normalisation = meanAndStd(train);

let history = [];
let seconds = 0;
if (!opt["score-only"]) {
  const config = membrane.unetConfig({
    depth: Number(opt.depth),
    features: Number(opt.features),
    seed: Number(opt.seed),
  });
  const m = newModel(membrane, config, normalisation, backend);
  const settings = {
    epochs: Number(opt.epochs),
    stepsPerEpoch: Number(opt.steps),
    batch: Number(opt.batch),
    patch: [1, Number(opt.patch), Number(opt.patch)],
    seed: Number(opt.seed),
    learningRate: Number(opt.lr),
  };
  console.log(
    `training ${JSON.stringify(config)} on ISBI 2012 0–19 (${backend}), validating on 20–24: ${JSON.stringify(settings)}`,
  );
  ({ history, seconds } = await trainKeepingBest(membrane, m, train, validation, settings, opt.out, {
    data: files,
  }));
}

// score the best model on 20–24
const { model, metadata } = await membrane.loadModel(opt.out);
const scored = { model, metadata };
let wrong = 0;
let pixels = 0;
const segs = [];
const gts = [];
// watershed + agglomeration (the `tessera segment` steps, per section) at these edge thresholds
const thresholds = [0.3, 0.5, 0.7];
const sheds = thresholds.map(() => []);
for (const v of validation) {
  const p = membrane.predictArray(scored, v.raw, v.shape);
  for (let i = 0; i < p.length; i++) {
    if (p[i] >= 0.5 !== (v.labels[i] === 0)) wrong++;
    pixels++;
  }
  const cells = segment.connectedComponents(
    Uint8Array.from(p, (x) => (x < 0.5 ? 1 : 0)),
    [1, 512, 512],
    { connectivity: 6 },
  );
  segs.push(cells.labels);
  gts.push(v.labels);
  const shed = segment.segmentBoundaries(p, [1, 512, 512], {
    fragments: { mode: "2d" },
    agglomerate: { thresholds },
  });
  shed.segmentations.forEach((s, t) => {
    sheds[t].push(s);
  });
}
// one label volume of the five sections (ids offset per section so they stay distinct)
const concat = (parts) => {
  const out = new Uint32Array(parts.length * 512 * 512);
  parts.forEach((p, k) => {
    for (let i = 0; i < p.length; i++) out[k * 512 * 512 + i] = p[i] === 0 ? 0 : p[i] + k * 1_000_000;
  });
  return out;
};
const scores = segment.evaluateSegmentation(concat(segs), concat(gts), { ignoreGt: [0] });
const watershed = thresholds.map((threshold, t) => {
  const s = segment.evaluateSegmentation(concat(sheds[t]), concat(gts), { ignoreGt: [0] });
  return { threshold, adaptedRandError: s.are, voiSplit: s.voiSplit, voiMerge: s.voiMerge };
});
const metrics = {
  pixelError: wrong / pixels,
  adaptedRandError: scores.are,
  voiSplit: scores.voiSplit,
  voiMerge: scores.voiMerge,
  watershed,
};
await membrane.saveModel(opt.out, model, {
  ...metadata,
  metrics,
  training: { ...metadata.training, ...(history.length ? { history, trainingSeconds: seconds } : {}) },
});
console.log(`validation (ISBI 2012 sections 20–24): ${JSON.stringify(metrics)}`);
