#!/usr/bin/env node
// The contacts that decide a learned agglomeration's score: train on one half (learnAgglomeration),
// agglomerate the other half by merge probability down to the low end of --band, and list every
// merge made with p inside the band (lo ≤ p < hi): its probability, whether its two regions have one
// majority ground-truth label (a true merge), the CREMI change of making that merge alone at that
// point, and its main features. Then (when Debian's python3-sklearn is there) scikit-learn's random
// forest, extra trees, gradient boosting and logistic regression are fitted on the same training
// examples and give their probabilities for the same contacts: whether another classifier would
// separate the true merges from the false ones with these features.
//
//   node tools/bench/segment/contested-contacts.mjs [--data gala|neuroproof] [--fragments default|ws|watershed]
//        [--split z|y|x] [--train 0|1] [--band 0.2,0.8] [--seed 0] [--raw]
// Needs the built dist (npx nx run @tessera/segment:build) and ../shared/data.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { halvesFromArguments } from "./halves.mjs";

const args = process.argv.slice(2);
const value = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const { S, dataset, halves } = await halvesFromArguments(value, "default");
const trainHalf = Number(value("--train", 0));
const [lo, hi] = value("--band", "0.2,0.8").split(",").map(Number);
const seed = Number(value("--seed", 0));
const useRaw = args.includes("--raw");
const train = halves[trainHalf];
const test = halves[1 - trainHalf];

const { model, examples, labels } = S.learnAgglomeration(
  train.fragments,
  train.boundaries,
  train.gt,
  train.shape,
  {
    raw: useRaw ? train.raw : undefined,
    classifier: { seed },
  },
);
const agg = new S.FeatureAgglomerator(
  S.edgeFeatures(test.fragments, test.boundaries, test.shape, {
    bins: model.featureOptions.bins,
    raw: useRaw ? test.raw : undefined,
    rawRange: model.featureOptions.rawRange,
  }),
);
const t = agg.table;
const scorer = new S.ModelScorer(S.edgeClassifierFromJSON(model.classifier), t, model.features);
const majority = new S.RegionMajority(test.fragments, test.gt, t.regionIds);

// the partition so far, by region index, to score a single merge
const parent = Int32Array.from({ length: t.regions }, (_, r) => r);
const find = (r) => {
  let root = r;
  while (parent[root] !== root) root = parent[root];
  return root;
};
const regionOf = new Map(Array.from(t.regionIds, (id, r) => [id, r]));
const cremi = () =>
  S.evaluateSegmentation(
    Uint32Array.from(test.fragments, (id) => (id === 0 ? 0 : find(regionOf.get(id)) + 1)),
    test.gt,
  ).cremiScore;
const feature = (x, name) => x[model.features.indexOf(name)];

const contested = [];
agg.start((e) => -scorer.probability(e));
agg.mergeUpTo(-lo, (e) => {
  const p = scorer.probability(e);
  const a = majority.majority(t.u[e]);
  const trueMerge = a !== 0 && a === majority.majority(t.v[e]);
  if (p < hi) {
    const x = S.featureVector(t, e);
    const before = cremi();
    parent[find(t.v[e])] = find(t.u[e]);
    contested.push({ p, trueMerge, change: cremi() - before, x: Array.from(x) });
  } else {
    parent[find(t.v[e])] = find(t.u[e]);
  }
  majority.merge(t.u[e], t.v[e]);
  return true;
});

console.log(
  `${dataset} ${train.name} → ${test.name}, ${model.features.length} features${useRaw ? " (+ raw)" : ""}, forest seed ${seed}: ` +
    `${examples.length} training examples (${labels.filter((l) => l === 0).length} keep); merges with ${lo} ≤ p < ${hi}:`,
);
console.log("  p      true   CREMI change  faces  mean boundary  smaller  larger  contact ratio");
for (const c of contested) {
  console.log(
    `  ${c.p.toFixed(3)}  ${c.trueMerge ? "yes " : "no  "}  ${c.change >= 0 ? "+" : ""}${c.change.toFixed(4)}       ` +
      `${String(feature(c.x, "contactFaces")).padStart(5)}  ${feature(c.x, "boundaryMean").toFixed(3).padStart(13)}  ` +
      `${String(feature(c.x, "voxelsSmall")).padStart(7)}  ${String(feature(c.x, "voxelsLarge")).padStart(6)}  ${feature(c.x, "contactRatio").toFixed(3).padStart(13)}`,
  );
}

const dir = mkdtempSync(join(tmpdir(), "contested-"));
try {
  const file = join(dir, "examples.json");
  writeFileSync(
    file,
    JSON.stringify({
      X: examples.map((row) => Array.from(row, (v) => (Number.isFinite(v) ? v : 0))),
      y: Array.from(labels),
      contested: contested.map((c) => ({
        trueMerge: c.trueMerge,
        x: c.x.map((v) => (Number.isFinite(v) ? v : 0)),
      })),
      seed,
    }),
  );
  const python = spawnSync("/usr/bin/python3", [join(import.meta.dirname, "contested-contacts.py"), file], {
    encoding: "utf8",
  });
  process.stdout.write(
    python.status === 0 ? python.stdout : `scikit-learn not run: ${python.stderr || python.error}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
