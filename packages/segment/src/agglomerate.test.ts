import { emPhantom } from "@tessera/phantom";
import { describe, expect, it } from "vitest";
import { gala, galaVolume, snemi, snemiStack } from "../test/data.js";
import { affinitiesFromBoundaries, affinitiesFromLabels } from "./affinities.js";
import { affinityWatershed } from "./affinity-watershed.js";
import { agglomerate, applyAgglomeration } from "./agglomerate.js";
import { connectedComponents } from "./connected-components.js";
import { SegmentDtypeError, SegmentOptionsError, SegmentShapeError, SegmentValueError } from "./errors.js";
import { evaluateSegmentation } from "./evaluate.js";
import { watershedFragments } from "./fragments.js";
import { adaptedRand, voi } from "./metrics.js";
import { segmentBoundaries } from "./pipeline.js";
import { buildRegionGraph, mergeRegionGraphs, type RegionGraph } from "./region-graph.js";

function lcg(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function graphOf(edges: [number, number, number, number][]): RegionGraph {
  return {
    size: edges.length,
    u: Float64Array.from(edges, (e) => Math.min(e[0], e[1])),
    v: Float64Array.from(edges, (e) => Math.max(e[0], e[1])),
    sum: Float64Array.from(edges, (e) => e[2]),
    count: Float64Array.from(edges, (e) => e[3]),
    bins: 0,
  };
}

/** Independent reference: recompute every region pair's mean affinity from the input edges at each step. */
function naiveAgglomerate(edges: [number, number, number, number][], threshold: number): Map<number, number> {
  const region = new Map<number, number>();
  for (const [a, b] of edges) {
    region.set(a, a);
    region.set(b, b);
  }
  for (;;) {
    const stats = new Map<string, [number, number, number, number]>();
    for (const [a, b, s, c] of edges) {
      const ra = region.get(a) as number;
      const rb = region.get(b) as number;
      if (ra === rb) continue;
      const key = `${Math.min(ra, rb)},${Math.max(ra, rb)}`;
      const cur = stats.get(key) ?? [Math.min(ra, rb), Math.max(ra, rb), 0, 0];
      cur[2] += s;
      cur[3] += c;
      stats.set(key, cur);
    }
    let best: [number, number, number] | undefined;
    for (const [lo, hi, s, c] of stats.values()) {
      const score = 1 - s / c;
      if (score >= threshold) continue;
      if (
        !best ||
        score < best[0] ||
        (score === best[0] && (lo < best[1] || (lo === best[1] && hi < best[2])))
      )
        best = [score, lo, hi];
    }
    if (!best) return region;
    const [, lo, hi] = best;
    for (const [k, r] of region) if (r === hi) region.set(k, lo);
  }
}

describe("agglomerate", () => {
  it("merges by mean affinity, one segmentation per threshold in one pass", () => {
    // 1-2 strong (0.9), 2-3 medium (0.6), 3-4 weak (0.2)
    const g = graphOf([
      [1, 2, 9, 10],
      [2, 3, 6, 10],
      [3, 4, 2, 10],
    ]);
    const result = agglomerate(g, [0.5, 0.05, 0.95]);
    expect(result.thresholds).toEqual([0.05, 0.5, 0.95]);
    expect([...result.fragmentIds]).toEqual([1, 2, 3, 4]);
    expect([...result.segments[0]]).toEqual([1, 2, 3, 4]);
    expect([...result.segments[1]]).toEqual([1, 1, 1, 4]);
    expect([...result.segments[2]]).toEqual([1, 1, 1, 1]);
    expect(result.merges).toEqual([0, 2, 3]);
  });

  it("matches a naive re-computing agglomeration on random graphs, whatever the edge order", () => {
    const rand = lcg(5);
    for (let trial = 0; trial < 20; trial++) {
      const nodes = 12;
      const edges: [number, number, number, number][] = [];
      for (let a = 1; a <= nodes; a++)
        for (let b = a + 1; b <= nodes; b++) {
          if (rand() < 0.35) {
            const count = 1 + Math.floor(rand() * 5);
            edges.push([a, b, Math.round(rand() * 4 * count) / 4, count]);
          }
        }
      const threshold = 0.3 + rand() * 0.5;
      const reference = naiveAgglomerate(edges, threshold);
      const shuffled = [...edges]
        .sort(() => rand() - 0.5)
        .map((e) => (rand() < 0.5 ? e : ([e[1], e[0], e[2], e[3]] as typeof e)));
      for (const list of [edges, shuffled]) {
        const result = agglomerate(graphOf(list), [threshold]);
        result.fragmentIds.forEach((id, k) => {
          expect(result.segments[0][k]).toBe(reference.get(id));
        });
      }
    }
  });

  it("gives the same partition whatever the fragment ids, when the graph carries face positions", () => {
    // random fragments on a small volume, then the same fragments under a random permutation of ids
    const rand = lcg(21);
    const shape: [number, number, number] = [6, 10, 12];
    const n = 6 * 10 * 12;
    const fragments = Uint32Array.from({ length: n }, () => 1 + Math.floor(rand() * 30));
    // quantised affinities: many equal mean affinities, so ties decide merges
    const aff = Float32Array.from({ length: 3 * n }, () => Math.floor(rand() * 4) / 4);
    const permutation = Array.from({ length: 31 }, (_, k) => k);
    for (let k = 30; k > 1; k--) {
      const j = 1 + Math.floor(rand() * k);
      [permutation[k], permutation[j]] = [permutation[j], permutation[k]];
    }
    const renamed = Uint32Array.from(fragments, (f) => permutation[f]);
    for (const threshold of [0.3, 0.5, 0.7]) {
      const a = agglomerate(buildRegionGraph(fragments, shape, aff), [threshold]);
      const b = agglomerate(buildRegionGraph(renamed, shape, aff), [threshold]);
      const segA = applyAgglomeration(fragments, a, 0) as Uint32Array;
      const segB = applyAgglomeration(renamed, b, 0) as Uint32Array;
      expect(voi(segA, segB, { ignoreGt: [] })).toEqual({ split: 0, merge: 0 });
    }
  });

  it("scores by a histogram quantile when asked, and refuses quantiles without histograms", () => {
    const labels = new Uint32Array([1, 1, 2, 2]);
    const aff = new Float32Array(12);
    aff[8 + 2] = 0.95; // x-edge between voxel 1 and 2
    const g = buildRegionGraph(labels, [1, 1, 4], aff, { histogramBins: 10 });
    expect(g.size).toBe(1);
    expect(Array.from(g.histogram as Uint32Array)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect([...agglomerate(g, [0.1], { scoring: 0.5 }).segments[0]]).toEqual([1, 1]);
    expect(() => agglomerate(buildRegionGraph(labels, [1, 1, 4], aff), [0.1], { scoring: 0.5 })).toThrow(
      SegmentOptionsError,
    );
  });
});

describe("buildRegionGraph", () => {
  it("sums affinities and contact area per fragment pair (brute force), and merges graphs", () => {
    const rand = lcg(9);
    const shape: [number, number, number] = [3, 4, 5];
    const n = 60;
    const labels = Uint32Array.from({ length: n }, () => Math.floor(rand() * 4));
    const aff = Float32Array.from({ length: 3 * n }, () => rand());
    const g = buildRegionGraph(labels, shape, aff, { resolutionNm: [40, 4, 4] });
    const expected = new Map<string, [number, number, number]>();
    for (let i = 0; i < n; i++) {
      const [z, y, x] = [Math.floor(i / 20), Math.floor(i / 5) % 4, i % 5];
      const neighbours: [boolean, number, number][] = [
        [z > 0, i - 20, 0],
        [y > 0, i - 5, 1],
        [x > 0, i - 1, 2],
      ];
      for (const [ok, j, c] of neighbours) {
        if (!ok || labels[i] === labels[j] || labels[i] === 0 || labels[j] === 0) continue;
        const key = `${Math.min(labels[i], labels[j])},${Math.max(labels[i], labels[j])}`;
        const cur = expected.get(key) ?? [0, 0, 0];
        cur[0] += aff[c * n + i];
        cur[1] += 1;
        cur[2] += c === 0 ? 16 : 160;
        expected.set(key, cur);
      }
    }
    expect(g.size).toBe(expected.size);
    for (let e = 0; e < g.size; e++) {
      const [sum, count, area] = expected.get(`${g.u[e]},${g.v[e]}`) as [number, number, number];
      expect(g.sum[e]).toBeCloseTo(sum, 5);
      expect(g.count[e]).toBe(count);
      expect((g.areaNm2 as Float64Array)[e]).toBe(area);
    }
    const doubled = mergeRegionGraphs([g, g]);
    expect(doubled.size).toBe(g.size);
    expect(doubled.count[0]).toBe(2 * g.count[0]);
  });

  it("rejects affinities with the wrong channel count or dtype", () => {
    const labels = new Uint32Array(8);
    expect(() => buildRegionGraph(labels, [2, 2, 2], new Float32Array(16))).toThrow(SegmentShapeError);
    expect(() => buildRegionGraph(labels, [2, 2, 2], new Float32Array(16))).toThrow(/2 channels/);
    expect(() => affinityWatershed(new Float64Array(24) as never, [2, 2, 2])).toThrow(SegmentDtypeError);
    const nan = new Float32Array(24);
    nan[5] = Number.NaN;
    expect(() => affinityWatershed(nan, [2, 2, 2])).toThrow(SegmentValueError);
  });
});

describe("phantom: boundary ground truth gives the labels back exactly", () => {
  const phantom = emPhantom({ shape: [12, 96, 96], resolutionNm: [40, 8, 8], seed: 4 });
  const shape = phantom.shape;

  it("affinity watershed on ground-truth affinities recovers every cell", () => {
    const aff = affinitiesFromLabels(phantom.labels, shape);
    const { fragments, count } = affinityWatershed(aff, shape, { low: 0.5, high: 0.9 });
    const sizes = new Map<number, number>();
    for (const l of phantom.labels) sizes.set(l, (sizes.get(l) ?? 0) + 1);
    const singletons = [...sizes.values()].filter((s) => s === 1).length;
    // a one-voxel cell has no edge above low: background, as in zwatershed
    expect(count).toBe(phantom.cellCount - singletons);
    expect(fragments.filter((f) => f === 0).length).toBe(singletons);
    expect(voi(fragments, phantom.labels)).toEqual({ split: 0, merge: 0 });
    expect(adaptedRand(fragments, phantom.labels).are).toBeLessThan(1e-6);
  });

  it("2-D fragments of the membrane map + agglomeration recover the cells' interiors", () => {
    // interior = not membrane; truth = the 6-connected pieces of each cell's interior
    const interior = Uint8Array.from(phantom.boundaries, (b) => 1 - b);
    const truthLabels = Uint32Array.from(phantom.labels, (l, i) => (interior[i] ? l : 0));
    const truth = connectedComponents(truthLabels, shape, { connectivity: 6 }).labels;
    const { fragments } = watershedFragments(phantom.boundaries, shape, {
      mode: "2d",
      threshold: 0.5,
      minSeedDistance: 3,
      mask: interior,
    });
    // fragments never straddle two cells
    const inside = (a: Uint32Array) => a.filter((_, i) => interior[i] === 1);
    expect(voi(inside(fragments), inside(truth)).merge).toBe(0);
    // agglomerating with ground-truth affinities joins exactly the fragments of one cell piece
    const graph = buildRegionGraph(fragments, shape, affinitiesFromLabels(truthLabels, shape));
    const result = agglomerate(graph, [0.5]);
    const seg = applyAgglomeration(fragments, result, 0) as Uint32Array;
    expect(voi(inside(seg), inside(truth))).toEqual({ split: 0, merge: 0 });
  });
});

const report: string[] = [];
function line(name: string, s: ReturnType<typeof evaluateSegmentation>) {
  report.push(
    `${name.padEnd(34)} VOI split ${s.voiSplit.toFixed(4)} merge ${s.voiMerge.toFixed(4)} ARE ${s.are.toFixed(4)} CREMI ${s.cremiScore.toFixed(4)}`,
  );
}

describe.skipIf(!gala.available)(
  "gala train-p1: our fragments and agglomeration vs train-gt, next to gala's train-ws",
  () => {
    it("agglomeration improves on our fragments and on gala's train-ws", async () => {
      const [p1, gt, ws] = await Promise.all([
        galaVolume("train-p1"),
        galaVolume("train-gt"),
        galaVolume("train-ws"),
      ]);
      const gtData = gt.data as Int32Array;
      const wsScores = evaluateSegmentation(ws.data as Int32Array, gtData);
      const result = segmentBoundaries(p1.data as Float32Array, p1.shape, {
        fragments: { seeds: "minima", minSize: 50 },
        agglomerate: { thresholds: [0.3, 0.5, 0.7] },
      });
      const fragmentScores = evaluateSegmentation(result.fragments, gtData);
      line("gala train-ws (gala's fragments)", wsScores);
      line("gala our fragments", fragmentScores);
      const scores = result.segmentations.map((s) => evaluateSegmentation(s, gtData));
      scores.forEach((s, k) => {
        line(`gala our agglomeration t=${result.agglomeration.thresholds[k]}`, s);
      });
      console.log(`\n${report.join("\n")}\n`);
      const best = scores.reduce((a, b) => (b.cremiScore < a.cremiScore ? b : a));
      expect(best.are).toBeLessThan(fragmentScores.are);
      expect(best.voiSplit + best.voiMerge).toBeLessThan(fragmentScores.voiSplit + fragmentScores.voiMerge);
      expect(best.cremiScore).toBeLessThan(wsScores.cremiScore);
      // the boundary map agrees: affinity watershed fragments improve too
      const aff = affinitiesFromBoundaries(p1.data as Float32Array, p1.shape);
      const aw = affinityWatershed(aff, p1.shape);
      const awSeg = applyAgglomeration(
        aw.fragments,
        agglomerate(buildRegionGraph(aw.fragments, p1.shape, aff), [0.5]),
        0,
      );
      expect(adaptedRand(awSeg as Uint32Array, gtData).are).toBeLessThan(
        adaptedRand(aw.fragments, gtData).are,
      );
    });
  },
);

describe.skipIf(!snemi.available)(
  "gala-snemi-mini: fragments and agglomeration vs labels, next to gala's fragments",
  () => {
    it("agglomeration improves on our fragments and on gala's 2-D superpixels", async () => {
      const [probabilities, labels, given] = await Promise.all([
        snemiStack("train-probabilities"),
        snemiStack("train-labels"),
        snemiStack("train-fragments"),
      ]);
      const givenScores = evaluateSegmentation(given.data, labels.data);
      // high inside cells: invert to a boundary map
      const result = segmentBoundaries(probabilities.data, probabilities.shape, {
        boundary: { invert: true },
        fragments: { mode: "2d", minSeedDistance: 5 },
        agglomerate: { thresholds: [0.2, 0.3, 0.4] },
      });
      const fragmentScores = evaluateSegmentation(result.fragments, labels.data);
      line("snemi-mini gala train-fragments", givenScores);
      line("snemi-mini our 2-D fragments", fragmentScores);
      const scores = result.segmentations.map((s) => evaluateSegmentation(s, labels.data));
      scores.forEach((s, k) => {
        line(`snemi-mini our agglomeration t=${result.agglomeration.thresholds[k]}`, s);
      });
      console.log(`\n${report.join("\n")}\n`);
      const best = scores.reduce((a, b) => (b.cremiScore < a.cremiScore ? b : a));
      expect(best.are).toBeLessThan(fragmentScores.are);
      expect(best.cremiScore).toBeLessThan(fragmentScores.cremiScore);
      expect(best.cremiScore).toBeLessThan(givenScores.cremiScore);
    });
  },
);
