#!/usr/bin/env node
// Learned agglomeration (issue 17) against mean-affinity agglomeration with the honest protocol:
// choose on one half of gala train (or neuroproof sample 2: --data neuroproof, its inverted
// grayscale as the boundary map), score on the other half, both ways (split along z, or --split y|x).
//   (a) mean affinity: threshold with the best CREMI on the training half, applied to the other half
//   (b) learned: learnAgglomeration on the training half, agglomerateWithModel at 0.5 on the other
// Also the best probability thresholds of (b) on the evaluation half (calibration: near 0.5? every
// threshold tied at the lowest CREMI is given, as a range), and the time of each agglomeration on the
// evaluation half (features/graph + merging, one threshold; both run alternately --repeat times after a
// warm-up: medians of each and of the per-pair ratios of wall and of CPU time).
// --seeds trains one model per forest seed, to show how much the result depends on the seed.
// Reliability (first seed): the learned agglomeration of the evaluation half run down to p = 0.2,
// each merge's probability against whether its two regions have the same majority ground-truth
// label, per bin of p: calibrated merge probabilities have a fraction correct near the bin's p.
//
// "bound": the CREMI score of each fragment given its majority ground-truth label, about the best
// any agglomeration of these fragments can reach (how much room there is).
//
//   node tools/bench/segment/learned-agglomeration.mjs [--data gala|neuroproof]
//        [--fragments ws|watershed|default] [--raw] [--epochs 3] [--bins 32] [--classifier forest|boosting]
//        [--trees 100 (forest) | 40 (boosting)] [--lr 0.2 --depth 4 --leaf 20 (boosting)] [--seeds 0,1,2]
//        [--split z|y|x] [--repeat 7] [--steps 99] [--svg out.svg]
// (--steps: thresholds k/(steps+1) swept for both methods; the SVG shows the first seed.)
// Needs the built dist (npx nx run @tessera/segment:build) and ../shared/data/em/gala.
import { writeFileSync } from "node:fs";
import { halvesFromArguments } from "./halves.mjs";

const args = process.argv.slice(2);
const value = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const useRaw = args.includes("--raw");
const epochs = Number(value("--epochs", 3));
// histogram bins of the edge features (default: learnAgglomeration's)
const bins = args.includes("--bins") ? Number(value("--bins")) : undefined;
const boosting = value("--classifier", "forest") === "boosting";
const trees = Number(value("--trees", boosting ? 40 : 100));
// gradient boosting: --lr, --depth, --leaf (defaults of GradientBoostingClassifier.fit)
const boostingOptions = Object.fromEntries(
  [
    ["learningRate", "--lr"],
    ["maxDepth", "--depth"],
    ["minSamplesLeaf", "--leaf"],
  ]
    .filter(([, flag]) => args.includes(flag))
    .map(([key, flag]) => [key, Number(value(flag))]),
);
const seeds = value("--seeds", value("--seed", "0")).split(",").map(Number);
const repeat = Number(value("--repeat", 7));
const svgPath = value("--svg", undefined);
const { S, dataset, fragmentsKind, halves } = await halvesFromArguments(value, "ws");

const steps = Number(value("--steps", 99));
const MEAN_T = Array.from({ length: steps }, (_, k) => (k + 1) / (steps + 1));
const PROB_T = MEAN_T;
const score = (seg, h) => S.evaluateSegmentation(seg, h.gt);

function meanAffinity(h, thresholds) {
  const affinities = S.affinitiesFromBoundaries(h.boundaries, h.shape, { maxValue: 1 });
  const graph = S.buildRegionGraph(h.fragments, h.shape, affinities);
  return S.agglomerate(graph, thresholds);
}

/**
 * Times of `a` and `b` run alternately `repeat` times after one warm-up run of each (so both see the
 * same machine state): the median wall time of each, and the medians of the per-pair ratios b / a of
 * wall time and of process CPU time (user + system: less disturbed by other load on a shared VM).
 */
function pairedMs(a, b) {
  a();
  b();
  const ta = [];
  const tb = [];
  const ratios = [];
  const cpuRatios = [];
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  for (let k = 0; k < repeat; k++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    a();
    const t1 = performance.now();
    const c1 = cpuMs();
    b();
    const t2 = performance.now();
    const c2 = cpuMs();
    ta.push(t1 - t0);
    tb.push(t2 - t1);
    ratios.push((t2 - t1) / (t1 - t0));
    cpuRatios.push((c2 - c1) / (c1 - c0));
  }
  const median = (x) => x.sort((p, q) => p - q)[x.length >> 1];
  return { a: median(ta), b: median(tb), ratio: median(ratios), cpuRatio: median(cpuRatios) };
}

/**
 * The CREMI score of the fragments with each one given its majority ground-truth label (gt 0
 * ignored; fragments without ground truth kept apart): about the best any agglomeration of these
 * fragments can reach, so the room left for either method.
 */
function majorityBound(h) {
  const ids = [...new Set(h.fragments)];
  const majority = new S.RegionMajority(h.fragments, h.gt, ids);
  const labelOf = new Map(ids.map((id, k) => [id, majority.majority(k)]));
  const top = h.gt.reduce((m, g) => Math.max(m, g), 0) + 1;
  const seg = Uint32Array.from(h.fragments, (id) => labelOf.get(id) || top + id);
  return score(seg, h).cremiScore;
}

/** Every threshold whose CREMI equals the lowest, as "lo–hi" (one value when only one). */
function bestRange(thresholds, scores) {
  const best = Math.min(...scores.map((s) => s.cremiScore));
  const tied = thresholds.filter((_, t) => scores[t].cremiScore <= best + 1e-12);
  const lo = Math.min(...tied);
  const hi = Math.max(...tied);
  return { best, lo, hi, text: lo === hi ? lo.toFixed(2) : `${lo.toFixed(2)}–${hi.toFixed(2)}` };
}

/**
 * Merges of the learned agglomeration of `h` down to p = 0.2, per 0.1-bin of p: how many, and the
 * fraction whose two regions had the same majority ground-truth label (gt 0 ignored).
 */
function mergeReliability(h, model, raw) {
  const table = S.edgeFeatures(h.fragments, h.boundaries, h.shape, {
    bins: model.featureOptions.bins,
    raw,
    rawRange: model.featureOptions.rawRange,
  });
  const agg = new S.FeatureAgglomerator(table);
  const t = agg.table;
  const scorer = new S.ModelScorer(S.edgeClassifierFromJSON(model.classifier), t, model.features);
  const majority = new S.RegionMajority(h.fragments, h.gt, t.regionIds);
  const bins = Array.from({ length: 10 }, () => ({ merges: 0, correct: 0 }));
  agg.start((e) => -scorer.probability(e));
  agg.mergeUpTo(-0.2, (e) => {
    const bin = bins[Math.min(9, Math.floor(scorer.probability(e) * 10))];
    const a = majority.majority(t.u[e]);
    bin.merges++;
    if (a !== 0 && a === majority.majority(t.v[e])) bin.correct++;
    majority.merge(t.u[e], t.v[e]);
    return true;
  });
  return bins;
}

const rows = [];
const curves = [];
const reliability = [];
for (const [a, b] of [
  [0, 1],
  [1, 0],
]) {
  const train = halves[a];
  const test = halves[b];
  // (a) mean affinity, threshold chosen on train
  const trainCurve = meanAffinity(train, MEAN_T);
  const trainScores = MEAN_T.map((_, t) =>
    score(S.applyAgglomeration(train.fragments, trainCurve, t), train),
  );
  let chosen = 0;
  trainScores.forEach((s, t) => {
    if (s.cremiScore < trainScores[chosen].cremiScore) chosen = t;
  });
  test.bound ??= majorityBound(test);
  const testCurve = meanAffinity(test, MEAN_T);
  const meanScores = MEAN_T.map((_, t) => score(S.applyAgglomeration(test.fragments, testCurve, t), test));
  const meanChosen = meanScores[chosen];
  for (const seed of seeds) {
    // (b) learned
    const t0 = performance.now();
    const { model } = S.learnAgglomeration(train.fragments, train.boundaries, train.gt, train.shape, {
      epochs,
      bins,
      raw: useRaw ? train.raw : undefined,
      classifier: boosting ? { type: "gradient-boosting", trees, ...boostingOptions } : { trees, seed },
    });
    const trainMs = performance.now() - t0;
    const raw = useRaw ? test.raw : undefined;
    const learned = (thresholds) =>
      S.agglomerateWithModel(test.fragments, test.boundaries, test.shape, model, { thresholds, raw });
    const at05 = learned([0.5]);
    const times = pairedMs(
      () => meanAffinity(test, [MEAN_T[chosen]]),
      () => learned([0.5]),
    );
    const sweep = learned(PROB_T);
    const learnedScores = sweep.thresholds.map((_, t) =>
      score(S.applyAgglomeration(test.fragments, sweep, t), test),
    );
    const best = bestRange(sweep.thresholds, learnedScores);
    const ours = score(S.applyAgglomeration(test.fragments, at05, 0), test);
    rows.push({
      split: `${train.name} → ${test.name}`,
      seed,
      meanThreshold: MEAN_T[chosen],
      meanCremi: meanChosen.cremiScore,
      meanVoi: [meanChosen.voiSplit, meanChosen.voiMerge],
      meanAre: meanChosen.are,
      learnedCremi: ours.cremiScore,
      learnedVoi: [ours.voiSplit, ours.voiMerge],
      learnedAre: ours.are,
      learnedBest: best,
      examples: model.provenance.examples,
      edges: model.provenance.edges,
      trainMs,
      meanAgglomerationMs: times.a,
      learnedAgglomerationMs: times.b,
      timeRatio: times.ratio,
      cpuRatio: times.cpuRatio,
      bins: model.featureOptions.bins,
      bound: test.bound,
    });
    if (seed === seeds[0]) {
      reliability.push({ split: `${train.name} → ${test.name}`, bins: mergeReliability(test, model, raw) });
      curves.push({
        split: `${train.name} → ${test.name}`,
        meanScores,
        learnedScores,
        probT: sweep.thresholds,
        meanChosen: chosen,
        learnedAt05: ours.cremiScore,
      });
    }
  }
}
const f = (x) => x.toFixed(3);
console.log(
  `${dataset === "neuroproof" ? "neuroproof sample 2 halves, fragments overseg" : `gala train halves, fragments ${fragmentsKind}`}${useRaw ? " + raw" : ""}, ${epochs} epochs, ${rows[0].bins} histogram bins, ${boosting ? "gradient boosting" : "random forest"}, ${trees} trees, times: medians of ${repeat} alternating pairs`,
);
console.log(
  "split             | seed | bound | mean thr  CREMI  VOI s+m       ARE   | learned@0.5 CREMI  VOI s+m       ARE   | best p (CREMI)     | ms mean / learned (wall ratio, cpu ratio) / train",
);
for (const r of rows) {
  console.log(
    `${r.split.padEnd(17)} | ${String(r.seed).padStart(4)} | ${f(r.bound)} | ${r.meanThreshold.toFixed(2)}  ${f(r.meanCremi)}  ${f(r.meanVoi[0])}+${f(r.meanVoi[1])}  ${f(r.meanAre)} | ` +
      `${f(r.learnedCremi)}  ${f(r.learnedVoi[0])}+${f(r.learnedVoi[1])}  ${f(r.learnedAre)} | ${`${r.learnedBest.text} (${f(r.learnedBest.best)})`.padEnd(18)} | ` +
      `${r.meanAgglomerationMs.toFixed(0)} / ${r.learnedAgglomerationMs.toFixed(0)} (${r.timeRatio.toFixed(2)}×, ${r.cpuRatio.toFixed(2)}×) / ${r.trainMs.toFixed(0)}  (${r.edges} edges, ${r.examples} examples)`,
  );
}
console.log(
  `\nreliability of the merges (seed ${seeds[0]}): p bin: merges, fraction with one majority label on both sides`,
);
for (const r of reliability) {
  const cells = r.bins
    .map((b, k) => ({ ...b, k }))
    .filter((b) => b.k >= 2 && b.merges > 0)
    .reverse()
    .map(
      (b) =>
        `${(b.k / 10).toFixed(1)}–${((b.k + 1) / 10).toFixed(1)}: ${b.merges}, ${(b.correct / b.merges).toFixed(2)}`,
    );
  console.log(`${r.split.padEnd(17)} | ${cells.join(" | ")}`);
}
if (svgPath) {
  // CREMI vs threshold: mean affinity (score threshold) and learned (probability threshold), per
  // split; dots mark what each method uses without ground truth of the evaluation half (the mean
  // threshold chosen on the training half; the learned model at 0.5)
  const W = 380;
  const H = 270;
  const left = 52;
  const right = 14;
  const top = 28;
  const bottom = 44;
  const maxY = 1.5;
  const panel = (c, k) => {
    const ox = k * W;
    const px = (t) => ox + left + t * (W - left - right);
    const py = (v) => top + (1 - Math.min(v, maxY) / maxY) * (H - top - bottom);
    const line = (ts, ss, colour) =>
      `<polyline fill="none" stroke="${colour}" stroke-width="1.6" points="${ts.map((t, i) => `${px(t).toFixed(1)},${py(ss[i].cremiScore).toFixed(1)}`).join(" ")}"/>`;
    const dot = (t, v, colour) =>
      `<circle cx="${px(t).toFixed(1)}" cy="${py(v).toFixed(1)}" r="4" fill="${colour}" stroke="white"/>`;
    const xTicks = [0, 0.25, 0.5, 0.75, 1].map(
      (t) =>
        `<line x1="${px(t)}" y1="${py(0)}" x2="${px(t)}" y2="${py(0) + 4}" stroke="black"/><text x="${px(t)}" y="${py(0) + 16}" font-size="10" text-anchor="middle">${t}</text>`,
    );
    const yTicks = [0, 0.5, 1, 1.5].map(
      (v) =>
        `<line x1="${px(0) - 4}" y1="${py(v)}" x2="${px(0)}" y2="${py(v)}" stroke="black"/><line x1="${px(0)}" y1="${py(v)}" x2="${px(1)}" y2="${py(v)}" stroke="#eee"/><text x="${px(0) - 7}" y="${py(v) + 3}" font-size="10" text-anchor="end">${v}</text>`,
    );
    return [
      `<text x="${px(0)}" y="16" font-size="12" font-weight="bold">train ${c.split.replace(" → ", ", evaluate ")}</text>`,
      ...yTicks,
      ...xTicks,
      `<line x1="${px(0)}" y1="${py(0)}" x2="${px(1)}" y2="${py(0)}" stroke="black"/>`,
      `<line x1="${px(0)}" y1="${py(0)}" x2="${px(0)}" y2="${py(maxY)}" stroke="black"/>`,
      `<text x="${px(0.5)}" y="${H - 14}" font-size="11" text-anchor="middle">threshold</text>`,
      `<text transform="translate(${ox + 12},${py(maxY / 2)}) rotate(-90)" font-size="11" text-anchor="middle">CREMI score (lower is better)</text>`,
      line(MEAN_T, c.meanScores, "#d55e00"),
      line(c.probT, c.learnedScores, "#0072b2"),
      dot(MEAN_T[c.meanChosen], c.meanScores[c.meanChosen].cremiScore, "#d55e00"),
      dot(0.5, c.learnedAt05, "#0072b2"),
    ].join("\n");
  };
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 24}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${curves.map(panel).join("\n")}
<text x="${left}" y="${H + 6}" font-size="11" fill="#d55e00">— mean affinity (x: agglomeration threshold; dot: the one chosen on the training half)</text>
<text x="${left}" y="${H + 20}" font-size="11" fill="#0072b2">— learned (x: merge-probability threshold; dot: 0.5). Scores above 1.5 are drawn at 1.5.</text>
</svg>
`;
  writeFileSync(svgPath, svg);
  console.log(`wrote ${svgPath}`);
}
