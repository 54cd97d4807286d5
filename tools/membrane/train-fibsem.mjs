#!/usr/bin/env node
// Train the shipped 3-D boundary model for FIB-SEM-like data and compare it with the probability map
// shipped with gala's example volume, on a part of that volume the model never saw.
//   --select cremi (default):
//     train:    gala train-image z 0–24 (with train-gt) and neuroproof sample 2 z 0–199
//     select:   the epoch whose prediction of gala z 25–29, segmented by `tessera segment`'s steps,
//               has the best CREMI score (over agglomeration thresholds 0.1 … 0.9)
//   --select loss (the first shipped model's recipe):
//     train:    gala train-image z 0–29 and neuroproof sample 2 z 0–199
//     select:   the epoch with the lowest validation loss on neuroproof sample 2 z 200–249 (y, x < 128)
//   held out:   gala z 30–49 — predicted by the model, segmented by `tessera segment`'s steps
//               (seeded watershed + mean-affinity agglomeration), scored against train-gt (label 0
//               ignored) at every agglomeration threshold; gala's train-p1 map goes through the same
//               steps at the same thresholds.
// Usage: node tools/membrane/train-fibsem.mjs [--epochs 20] [--steps 40] [--depth 3] [--features 12]
//        [--patch 16,64,64] [--batch 2] [--seed 1] [--select cremi|loss] [--init <model dir>]
//        [--out packages/membrane/models/fibsem-boundaries]
//        [--score-only] (score an existing model directory without training)
// --init continues training from a model directory's weights and normalisation (fine-tuning).
// (build first: npm run build)
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { load, meanAndStd, newModel, root, sharedData, trainKeepingBest } from "./lib.mjs";

const { values: opt } = parseArgs({
  options: {
    epochs: { type: "string", default: "20" },
    steps: { type: "string", default: "40" },
    depth: { type: "string", default: "3" },
    features: { type: "string", default: "12" },
    patch: { type: "string", default: "16,64,64" },
    batch: { type: "string", default: "2" },
    seed: { type: "string", default: "1" },
    lr: { type: "string", default: "0.001" },
    out: { type: "string", default: join(root, "packages/membrane/models/fibsem-boundaries") },
    "score-only": { type: "boolean", default: false },
    select: { type: "string", default: "cremi" },
    init: { type: "string" },
  },
});
const membrane = await load("membrane");
const volume = await load("volume");
const segment = await load("segment");
const data = join(sharedData, "em");

if (opt.select !== "cremi" && opt.select !== "loss") {
  console.error(`--select must be cremi or loss, got ${opt.select}`);
  process.exit(2);
}
const byCremi = opt.select === "cremi";
/** A model folder inside the repository as a repository path with its commit (a /tmp folder as it is). */
function initialisedFrom(dir) {
  const rel = relative(root, resolve(dir));
  if (rel.startsWith("..") || isAbsolute(rel)) return resolve(dir);
  const head = execFileSync("git", ["-C", root, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  return `${rel} as of commit ${head}`;
}
const galaTrainEnd = byCremi ? 25 : 30;
const backend = await membrane.useBackend("wasm");
const files = [];
const checksum = (path) => {
  files.push({
    file: path.slice(data.length - 2),
    sha256: createHash("sha256").update(readFileSync(path)).digest("hex"),
  });
};

/** Sections z0 ≤ z < z1 of a C-order [z, y, x] array. */
function zRange(array, shape, z0, z1) {
  const plane = shape[1] * shape[2];
  return { data: array.subarray(z0 * plane, z1 * plane), shape: [z1 - z0, shape[1], shape[2]] };
}

async function readZarr(name) {
  const v = await volume.openVolume(join(data, "gala/zarr", name));
  const a = await v.read();
  return { data: a.data, shape: v.shape };
}
const galaImage = await readZarr("train-image.zarr");
const galaGt = await readZarr("train-gt.zarr");
const galaP1 = await readZarr("train-p1.zarr");
for (const f of ["train-image.h5", "train-gt.h5", "train-p1.h5"]) checksum(join(data, "gala", f));

// neuroproof sample 2: 250 PNG sections iso.2600.png … (z = number − 2600) and the ground-truth bodies
const npDir = join(data, "neuroproof-sample2");
const pngs = readdirSync(join(npDir, "grayscale"))
  .filter((f) => f.endsWith(".png"))
  .sort(volume.naturalCompare);
const npShape = [pngs.length, 250, 250];
const npImage = new Float32Array(npShape[0] * 250 * 250);
for (let z = 0; z < pngs.length; z++) {
  const img = await volume.readPng(join(npDir, "grayscale", pngs[z]));
  npImage.set(img.data, z * 250 * 250);
}
const npGt = await volume.readHdf5Dataset(join(npDir, "groundtruth.h5"), "stack");
checksum(join(npDir, "groundtruth.h5"));

const asVolume = (raw, labels, name) => ({
  raw: Float32Array.from(raw.data),
  labels: labels.data,
  shape: raw.shape,
  name,
});
const train = [
  asVolume(
    zRange(galaImage.data, galaImage.shape, 0, galaTrainEnd),
    zRange(galaGt.data, galaGt.shape, 0, galaTrainEnd),
    `gala z 0–${galaTrainEnd - 1}`,
  ),
  asVolume(
    zRange(npImage, npShape, 0, 200),
    zRange(npGt.data, npShape, 0, 200),
    "neuroproof sample 2 z 0–199",
  ),
];
/** The [z0, z1) × [0, n) × [0, n) corner of a [z, y, x] array. */
function crop(array, shape, z0, z1, n) {
  const out = new array.constructor((z1 - z0) * n * n);
  for (let z = z0; z < z1; z++) {
    for (let y = 0; y < n; y++) {
      const s = (z * shape[1] + y) * shape[2];
      out.set(array.subarray(s, s + n), ((z - z0) * n + y) * n);
    }
  }
  return { data: out, shape: [z1 - z0, n, n] };
}
// (a 128² corner keeps the per-epoch validation short)
const selection = asVolume(
  zRange(galaImage.data, galaImage.shape, 25, 30),
  zRange(galaGt.data, galaGt.shape, 25, 30),
  "gala z 25–29",
);
const validation = byCremi
  ? [selection]
  : [
      asVolume(
        crop(npImage, npShape, 200, 250, 128),
        crop(npGt.data, npShape, 200, 250, 128),
        "neuroproof sample 2 z 200–249, y, x 0–127",
      ),
    ];
const heldOut = {
  raw: Float32Array.from(zRange(galaImage.data, galaImage.shape, 30, 50).data),
  gt: zRange(galaGt.data, galaGt.shape, 30, 50).data,
  p1: zRange(galaP1.data, galaP1.shape, 30, 50).data,
  shape: [20, galaImage.shape[1], galaImage.shape[2]],
};

const thresholds = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
/** Scores of a boundary map of `v` (shape, labels) segmented at every threshold (label 0 ignored). */
function scoreMap(map, v) {
  const result = segment.segmentBoundaries(map, v.shape, { agglomerate: { thresholds } });
  return thresholds.map((threshold, t) => {
    const s = segment.evaluateSegmentation(result.segmentations[t], v.labels, { ignoreGt: [0] });
    return { threshold, cremiScore: s.cremiScore, voiSplit: s.voiSplit, voiMerge: s.voiMerge, are: s.are };
  });
}
const bestOf = (rows) => rows.reduce((a, b) => (b.cremiScore < a.cremiScore ? b : a));

const settings = {
  epochs: Number(opt.epochs),
  stepsPerEpoch: Number(opt.steps),
  batch: Number(opt.batch),
  patch: opt.patch.split(",").map(Number),
  seed: Number(opt.seed),
  learningRate: Number(opt.lr),
};
let history = [];
let seconds = 0;
if (!opt["score-only"]) {
  let m;
  if (opt.init) {
    m = await membrane.loadModel(opt.init);
    m.metadata = { ...m.metadata, backend, created: new Date().toISOString() };
  } else {
    const config = membrane.unetConfig({
      dims: 3,
      output: "boundaries",
      depth: Number(opt.depth),
      features: Number(opt.features),
      downsample: [2, 2, 2],
      seed: Number(opt.seed),
    });
    m = newModel(membrane, config, meanAndStd(train), backend);
  }
  console.log(
    `training ${JSON.stringify(m.metadata.unet)} (${backend}${opt.init ? `, from ${opt.init}` : ""}) on ${train.map((v) => v.name).join(", ")}: ${JSON.stringify(settings)}`,
  );
  const select = byCremi
    ? {
        name: "selectionCremi",
        score: async (model) =>
          bestOf(scoreMap(membrane.predictArray(model, selection.raw, selection.shape), selection))
            .cremiScore,
      }
    : undefined;
  ({ history, seconds } = await trainKeepingBest(
    membrane,
    m,
    train,
    validation,
    settings,
    opt.out,
    {
      data: files,
      ...(opt.init ? { initialisedFrom: initialisedFrom(opt.init) } : {}),
      split: {
        train: train.map((v) => v.name),
        validation: validation.map((v) => v.name),
        selection: byCremi ? "best CREMI score of gala z 25–29 over thresholds 0.1 … 0.9" : "validation loss",
        heldOut: "gala z 30–49",
      },
    },
    select,
  ));
}

// the held-out comparison
const { model, metadata } = await membrane.loadModel(opt.out);
const prediction = membrane.predictArray({ model, metadata }, heldOut.raw, heldOut.shape);
const ours = scoreMap(prediction, { shape: heldOut.shape, labels: heldOut.gt });
const shipped = scoreMap(heldOut.p1, { shape: heldOut.shape, labels: heldOut.gt });
let wrong = 0;
for (let i = 0; i < prediction.length; i++) if (prediction[i] >= 0.5 !== (heldOut.gt[i] === 0)) wrong++;
const comparison = {
  heldOut: "gala train-image z 30–49 (20 × 100 × 200), scored against train-gt, label 0 ignored",
  ours: { best: bestOf(ours), atDefault: ours[4], all: ours },
  shippedP1: { best: bestOf(shipped), atDefault: shipped[4], all: shipped },
  pixelErrorVsGtZero: wrong / prediction.length,
};
await membrane.saveModel(opt.out, model, {
  ...metadata,
  metrics: comparison,
  training: { ...metadata.training, ...(history.length ? { history, trainingSeconds: seconds } : {}) },
});
console.log(
  JSON.stringify({
    ours: comparison.ours.best,
    oursAt05: comparison.ours.atDefault,
    p1: comparison.shippedP1.best,
    p1At05: comparison.shippedP1.atDefault,
  }),
);
