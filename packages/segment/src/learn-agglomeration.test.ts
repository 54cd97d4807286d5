// Learned agglomeration on a phantom where mean-boundary agglomeration errs at every threshold
// (test/agglomeration-phantom.ts): trained on one volume, scored on another with the metrics of
// src/metrics.ts against mean-affinity agglomeration (the existing `agglomerate`) at its best
// threshold chosen on the training volume, and at its best threshold chosen on the test volume.
import { describe, expect, it } from "vitest";
import { agglomerationPhantom } from "../test/agglomeration-phantom.js";
import { gala, galaVolume } from "../test/data.js";
import { affinitiesFromBoundaries } from "./affinities.js";
import { agglomerate, applyAgglomeration } from "./agglomerate.js";
import { agglomerateWithModel } from "./agglomerate-with-model.js";
import { checkAgglomerationModel } from "./agglomeration-model.js";
import { edgeFeatures } from "./edge-features.js";
import { SegmentOptionsError, SegmentValueError } from "./errors.js";
import { evaluateSegmentation } from "./evaluate.js";
import { learnAgglomeration } from "./learn-agglomeration.js";
import { fragmentsOptionsSchema } from "./options.js";
import { fragmentsFromBoundaries } from "./pipeline.js";
import { buildRegionGraph } from "./region-graph.js";

const train = agglomerationPhantom(1);
const test = agglomerationPhantom(2);
const THRESHOLDS = Array.from({ length: 19 }, (_, k) => 0.05 * (k + 1));

type Phantom = typeof train;

/** CREMI scores of mean-affinity agglomeration at every threshold of THRESHOLDS. */
function meanAffinityCurve(p: Phantom) {
  const affinities = affinitiesFromBoundaries(p.boundaries, p.shape, { maxValue: 1 });
  const graph = buildRegionGraph(p.fragments, p.shape, affinities);
  const agg = agglomerate(graph, THRESHOLDS);
  return THRESHOLDS.map((_, t) =>
    evaluateSegmentation(applyAgglomeration(p.fragments, agg, t) as Uint32Array, p.gt),
  );
}

/** The split directions: train on half `a`, score on half `b`. */
const SPLITS = [
  [0, 1],
  [1, 0],
] as const;

/**
 * Mean affinity as the protocol uses it: the threshold (index into THRESHOLDS) with the lowest CREMI
 * on `train` (the first when tied), and the scores it gives on `test`.
 */
function meanAtChosenThreshold(train: Phantom, test: Phantom) {
  const curve = meanAffinityCurve(train);
  let chosen = 0;
  curve.forEach((s, t) => {
    if (s.cremiScore < curve[chosen].cremiScore) chosen = t;
  });
  return { chosen, mean: meanAffinityCurve(test)[chosen] };
}

const learned = learnAgglomeration(train.fragments, train.boundaries, train.gt, train.shape, {
  date: "2026-01-01T00:00:00.000Z",
  classifier: { trees: 50 },
});

describe("learnAgglomeration", () => {
  it("labels replayed edges by the ground-truth majorities", () => {
    const { model, examples, labels } = learned;
    expect(examples.length).toBe(labels.length);
    expect(model.provenance.examples).toBe(labels.length);
    expect(model.provenance.examplesPerEpoch.length).toBe(3);
    expect(model.provenance.merges + model.provenance.keeps).toBe(labels.length);
    // every fragment pair inside one cell is an edge, so the first epoch merges each cell back
    // whole: fragments − cells merges, each one a merge example
    const fragments = new Set(train.fragments).size;
    const cells = new Set(train.gt).size;
    const perEpochMerges = model.provenance.merges / 3;
    expect(perEpochMerges).toBe(fragments - cells);
    // a keep example is an edge between two cells: its boundary max is membrane-high (> 0.8) unless
    // the whole contact fell in gaps (small contacts)
    const max = model.features.indexOf("boundaryMax");
    const keeps = examples.filter((_, k) => labels[k] === 0);
    expect(keeps.length).toBe(model.provenance.keeps);
    expect(keeps.filter((x) => x[max] > 0.8).length).toBeGreaterThan(0.9 * keeps.length);
    expect(checkAgglomerationModel(JSON.parse(JSON.stringify(model)))).toEqual(model);
  });

  it("beats mean-affinity agglomeration at its best threshold (chosen on the training volume)", () => {
    const { chosen, mean: baseline } = meanAtChosenThreshold(train, test);
    const oracle = Math.min(...meanAffinityCurve(test).map((s) => s.cremiScore));
    const agg = agglomerateWithModel(test.fragments, test.boundaries, test.shape, learned.model);
    const ours = evaluateSegmentation(applyAgglomeration(test.fragments, agg, 0) as Uint32Array, test.gt);
    console.log(
      `mean affinity @${THRESHOLDS[chosen].toFixed(2)} CREMI ${baseline.cremiScore.toFixed(4)} ` +
        `(VOI ${baseline.voiSplit.toFixed(3)}+${baseline.voiMerge.toFixed(3)}), best on test ${oracle.toFixed(4)}; ` +
        `learned @0.5 CREMI ${ours.cremiScore.toFixed(4)} (VOI ${ours.voiSplit.toFixed(3)}+${ours.voiMerge.toFixed(3)})`,
    );
    // the phantom is built so that no single mean threshold is right
    expect(oracle).toBeGreaterThan(0.05);
    expect(ours.cremiScore).toBeLessThan(baseline.cremiScore);
    expect(ours.cremiScore).toBeLessThan(oracle);
    expect(ours.voiSplit + ours.voiMerge).toBeLessThan(baseline.voiSplit + baseline.voiMerge);
    expect(ours.cremiScore).toBeLessThan(0.05);
  });

  it("is deterministic and reads its features from merged accumulators", () => {
    const again = learnAgglomeration(train.fragments, train.boundaries, train.gt, train.shape, {
      date: "2026-01-01T00:00:00.000Z",
      classifier: { trees: 50 },
    });
    expect(JSON.stringify(again.model)).toBe(JSON.stringify(learned.model));
    const a = agglomerateWithModel(test.fragments, test.boundaries, test.shape, learned.model, {
      thresholds: [0.3, 0.5, 0.7],
    });
    const b = agglomerateWithModel(
      test.fragments,
      test.boundaries,
      test.shape,
      JSON.parse(JSON.stringify(learned.model)),
      {
        thresholds: [0.7, 0.5, 0.3],
      },
    );
    expect(a).toEqual(b);
    expect(a.thresholds).toEqual([0.7, 0.5, 0.3]);
    // lower thresholds continue the same merge sequence
    expect(a.merges[0]).toBeLessThanOrEqual(a.merges[1]);
    expect(a.merges[1]).toBeLessThanOrEqual(a.merges[2]);
    // threshold 0 merges everything that touches into one segment per connected component (one here)
    const all = agglomerateWithModel(test.fragments, test.boundaries, test.shape, learned.model, {
      threshold: 0,
    });
    expect(new Set(all.segments[0]).size).toBe(1);
  });

  it("rejects models and inputs that do not match", () => {
    expect(() => checkAgglomerationModel({ format: "x" }, "m.json")).toThrow(/m\.json/);
    expect(() => checkAgglomerationModel(null)).toThrow(SegmentValueError);
    const other = { ...learned.model, featureOptions: { ...learned.model.featureOptions, bins: 8 } };
    expect(() => agglomerateWithModel(test.fragments, test.boundaries, test.shape, other)).toThrow(
      SegmentOptionsError,
    );
    const withRaw = { ...learned.model, featureOptions: { ...learned.model.featureOptions, raw: true } };
    expect(() => agglomerateWithModel(test.fragments, test.boundaries, test.shape, withRaw)).toThrow(/raw/);
    expect(() =>
      agglomerateWithModel(test.fragments, test.boundaries, test.shape, learned.model, { threshold: 2 }),
    ).toThrow(SegmentOptionsError);
    expect(() =>
      learnAgglomeration(train.fragments, train.boundaries, train.gt.subarray(1), train.shape),
    ).toThrow(/ground truth/);
    expect(() =>
      learnAgglomeration(train.fragments, train.boundaries, new Uint32Array(train.gt.length), train.shape),
    ).toThrow(/no training examples/);
    expect(edgeFeatures(train.fragments, train.boundaries, train.shape).edges).toBe(
      learned.model.provenance.edges,
    );
  });
});

/** Gala train's two halves along z (z 0–24, 25–49), with gala's own train-ws fragments. */
async function galaHalves() {
  const [ws, p1, gt, image] = await Promise.all(
    ["train-ws", "train-p1", "train-gt", "train-image"].map((name) => galaVolume(name)),
  );
  const n = 25 * 100 * 200;
  const shape: [number, number, number] = [25, 100, 200];
  const half = (k: number) => ({
    shape,
    fragments: Uint32Array.from(ws.data.subarray(k * n, (k + 1) * n) as Int32Array),
    boundaries: Float32Array.from(p1.data.subarray(k * n, (k + 1) * n) as Float32Array),
    gt: Uint32Array.from(gt.data.subarray(k * n, (k + 1) * n) as Int32Array),
    raw: Uint8Array.from(image.data.subarray(k * n, (k + 1) * n) as Uint8Array),
  });
  return [half(0), half(1)];
}

describe.skipIf(!gala.available)("learned agglomeration on gala train halves (z 0–24 / 25–49)", () => {
  it("at 0.5 scores as well as mean affinity at the threshold chosen on the other half", async () => {
    const halves = await galaHalves();
    const shape = halves[0].shape;
    for (const [a, b] of SPLITS) {
      const { chosen, mean } = meanAtChosenThreshold(halves[a], halves[b]);
      const { model } = learnAgglomeration(halves[a].fragments, halves[a].boundaries, halves[a].gt, shape, {
        raw: halves[a].raw,
        date: "x",
      });
      const agg = agglomerateWithModel(halves[b].fragments, halves[b].boundaries, shape, model, {
        raw: halves[b].raw,
      });
      const ours = evaluateSegmentation(
        applyAgglomeration(halves[b].fragments, agg, 0) as Uint32Array,
        halves[b].gt,
      );
      console.log(
        `gala ${a}→${b}: mean affinity @${THRESHOLDS[chosen].toFixed(2)} CREMI ${mean.cremiScore.toFixed(4)}, learned @0.5 ${ours.cremiScore.toFixed(4)}`,
      );
      // train-ws halves are small (≈ 600 examples): the learned score is not clearly better here
      // (see the README), but it must not be worse than the tuned baseline
      expect(ours.cremiScore).toBeLessThan(mean.cremiScore + 0.005);
      // and far better than the fragments themselves (CREMI ≈ 0.6)
      expect(ours.cremiScore).toBeLessThan(0.1);
    }
  });

  it("with the default pipeline's fragments: far better on z 25–49, as good on z 0–24, best threshold near 0.5 on both", async () => {
    const halves = (await galaHalves()).map((h) => ({
      ...h,
      fragments: Uint32Array.from(
        fragmentsFromBoundaries(h.boundaries, h.shape, fragmentsOptionsSchema.parse({})).fragments,
      ),
    }));
    const shape = halves[0].shape;
    const results: string[] = [];
    for (const [a, b] of SPLITS) {
      const { chosen, mean } = meanAtChosenThreshold(halves[a], halves[b]);
      const { model } = learnAgglomeration(halves[a].fragments, halves[a].boundaries, halves[a].gt, shape, {
        date: "x",
      });
      const warnings: string[] = [];
      const sweep = agglomerateWithModel(halves[b].fragments, halves[b].boundaries, shape, model, {
        thresholds: THRESHOLDS,
        onWarning: (message) => warnings.push(message),
      });
      // the other half of the same map: nothing to warn about
      expect(warnings).toEqual([]);
      // sweep.thresholds descend
      const curve = sweep.thresholds.map((_, t) =>
        evaluateSegmentation(applyAgglomeration(halves[b].fragments, sweep, t) as Uint32Array, halves[b].gt),
      );
      const at05 = curve[sweep.thresholds.findIndex((p) => Math.abs(p - 0.5) < 1e-9)];
      const best = Math.min(...curve.map((s) => s.cremiScore));
      const tied = sweep.thresholds.filter((_, t) => curve[t].cremiScore <= best + 1e-12);
      results.push(
        `gala ${a}→${b}, default fragments: mean affinity @${THRESHOLDS[chosen].toFixed(2)} ${mean.cremiScore.toFixed(4)}, learned @0.5 ${at05.cremiScore.toFixed(4)}, best ${best.toFixed(4)} at ${Math.min(...tied).toFixed(2)}–${Math.max(...tied).toFixed(2)}`,
      );
      if (b === 1) expect(at05.cremiScore).toBeLessThan(mean.cremiScore - 0.02);
      else expect(at05.cremiScore).toBeLessThanOrEqual(mean.cremiScore + 1e-9);
      // calibration: a threshold within 0.1 of 0.5 scores the best on the held-out half
      expect(tied.some((p) => Math.abs(p - 0.5) <= 0.1 + 1e-9)).toBe(true);
    }
    console.log(results.join("\n"));
  });
});
