#!/usr/bin/env node
// The FIB-SEM goal of the shipped 3-D model: its prediction of a part of gala's example volume it
// never saw (z 30–49), segmented by `tessera segment`'s steps, against the probability map shipped
// with the data (train-p1) through the same steps. Each map (ours plain, ours with test-time flips,
// train-p1) is predicted or cut per part: z 0–24 (the model's training part), z 25–29 (its selection
// part) and z 30–49 (held out).
//   mean affinity: CREMI at thresholds 0.05 … 0.95 on the held-out part; the best, and the one at the
//                  threshold that is best on z 25–29 (chosen without the held-out ground truth)
//   learned:       an agglomeration model (learnAgglomeration, issue 17) trained on the map and
//                  ground truth of z 0–24, applied at p = 0.5 to the held-out part; also its best
//                  threshold there
// --whole predicts the whole volume (z 0–49) once and cuts the parts from it (as `tessera membrane
// predict` over the whole zarr volume would), so each part's border sections see their neighbours.
// Usage: node tools/membrane/compare-fibsem.mjs [--model packages/membrane/models/fibsem-boundaries]
//        [--whole]
// (build first: npm run build)
import { join } from "node:path";
import { parseArgs } from "node:util";
import { load, root, sharedData } from "./lib.mjs";

const { values: opt } = parseArgs({
  options: {
    model: { type: "string", default: join(root, "packages/membrane/models/fibsem-boundaries") },
    whole: { type: "boolean", default: false },
  },
});
const membrane = await load("membrane");
const volume = await load("volume");
const segment = await load("segment");
await membrane.useBackend("wasm");
const m = await membrane.loadModel(opt.model);

const read = async (name) => {
  const v = await volume.openVolume(join(sharedData, "em/gala/zarr", name));
  return (await v.read()).data;
};
const image = await read("train-image.zarr");
const gt = await read("train-gt.zarr");
const p1 = await read("train-p1.zarr");
const plane = 100 * 200;
const parts = { train: [0, 25], selection: [25, 30], heldOut: [30, 50] };
const cut = (a, [z0, z1]) => a.subarray(z0 * plane, z1 * plane);
const shapeOf = ([z0, z1]) => [z1 - z0, 100, 200];

const thresholds = Array.from({ length: 19 }, (_, k) => Math.round(5 * (k + 1)) / 100);
/** CREMI of `map` on `part` at every threshold (mean-affinity steps; gt 0 ignored). */
function meanAffinityScores(map, part) {
  const result = segment.segmentBoundaries(map, shapeOf(part), { agglomerate: { thresholds } });
  return thresholds.map(
    (_, t) =>
      segment.evaluateSegmentation(result.segmentations[t], cut(gt, part), { ignoreGt: [0] }).cremiScore,
  );
}
const fragmentsOf = (map, part) =>
  segment.segmentBoundaries(map, shapeOf(part), { agglomerate: { thresholds: [0.5] } }).fragments;

const rows = [];
/** A map of `part`: predicted on the part alone, or (--whole) cut from one prediction of z 0–49. */
function predictor(flips) {
  if (!opt.whole) {
    return (part) => membrane.predictArray(m, Float32Array.from(cut(image, part)), shapeOf(part), { flips });
  }
  const all = membrane.predictArray(m, Float32Array.from(image), [50, 100, 200], { flips });
  return (part) => cut(all, part);
}
const maps = [
  ["ours", predictor(false)],
  ["ours, --flips", predictor(true)],
  ["gala's train-p1", (part) => Float32Array.from(cut(p1, part))],
];
for (const [name, mapOf] of maps) {
  const map = Object.fromEntries(Object.entries(parts).map(([k, part]) => [k, mapOf(part)]));
  const held = meanAffinityScores(map.heldOut, parts.heldOut);
  const selection = meanAffinityScores(map.selection, parts.selection);
  const best = Math.min(...held);
  const chosen = selection.indexOf(Math.min(...selection));
  // learned agglomeration: trained on z 0–24, applied to the held-out part
  const trainFragments = fragmentsOf(map.train, parts.train);
  const { model } = segment.learnAgglomeration(
    trainFragments,
    map.train,
    Uint32Array.from(cut(gt, parts.train)),
    shapeOf(parts.train),
  );
  const heldFragments = fragmentsOf(map.heldOut, parts.heldOut);
  const learned = segment.agglomerateWithModel(heldFragments, map.heldOut, shapeOf(parts.heldOut), model, {
    thresholds,
  });
  const learnedScores = learned.thresholds.map(
    (_, t) =>
      segment.evaluateSegmentation(
        segment.applyAgglomeration(heldFragments, learned, t),
        cut(gt, parts.heldOut),
        {
          ignoreGt: [0],
        },
      ).cremiScore,
  );
  const at05 = learnedScores[learned.thresholds.indexOf(0.5)];
  const learnedBest = Math.min(...learnedScores);
  const tied = (scores, ts, b) => ts.filter((_, k) => scores[k] <= b + 1e-12);
  const range = (ts) => (ts.length === 1 ? `${ts[0]}` : `${Math.min(...ts)}–${Math.max(...ts)}`);
  rows.push({
    name,
    held,
    best,
    bestAt: range(tied(held, thresholds, best)),
    chosen: thresholds[chosen],
    atChosen: held[chosen],
    at05,
    learnedBest,
    learnedBestAt: range(tied(learnedScores, learned.thresholds, learnedBest)),
  });
}
const f = (x) => x.toFixed(3);
console.log(
  `held out: gala z 30–49 (${opt.whole ? "cut from a prediction of z 0–49" : "each part predicted alone"}); thresholds ${thresholds.join(" ")}`,
);
for (const r of rows) console.log(`${r.name.padEnd(16)} | ${r.held.map(f).join(" ")}`);
console.log(
  "\nmap              | mean affinity: best (at)   | threshold chosen on z 25–29 → held out | learned, trained on z 0–24: @0.5 | best (at)",
);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(16)} | ${f(r.best)} (${r.bestAt})`.padEnd(46) +
      `| ${r.chosen} → ${f(r.atChosen)}`.padEnd(41) +
      `| ${f(r.at05)}`.padEnd(35) +
      `| ${f(r.learnedBest)} (${r.learnedBestAt})`,
  );
}
