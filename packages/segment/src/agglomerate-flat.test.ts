import { describe, expect, it } from "vitest";
import { agglomerate } from "./agglomerate.js";
import { agglomerateFlat } from "./agglomerate-flat.js";
import { SegmentOptionsError, SegmentValueError } from "./errors.js";
import { allocateFlatEdges, type FlatEdges } from "./flat-edges.js";
import type { RegionGraph } from "./region-graph.js";

function lcg(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

type Edge = { a: number; b: number; sum: number; count: number; first: number; h: number[] };

/** Random edges between `nodes` nodes: quantised affinities (many equal scores), repeated pairs, self-edges. */
function randomEdges(rand: () => number, nodes: number, m: number, bins: number): Edge[] {
  const faces = Array.from({ length: 4 * m }, (_, k) => k).sort(() => rand() - 0.5);
  return Array.from({ length: m }, (_, e) => {
    const a = Math.floor(rand() * nodes);
    const b = rand() < 0.03 ? a : Math.floor(rand() * nodes);
    const count = 1 + Math.floor(rand() * 4);
    const h = Array.from({ length: bins }, () => 0);
    let sum = 0;
    for (let k = 0; k < count; k++) {
      const affinity = Math.floor(rand() * 4) / 4;
      sum += affinity;
      if (bins > 0) h[Math.min(bins - 1, Math.floor(affinity * bins))]++;
    }
    return { a, b, sum, count, first: faces[e], h };
  });
}

function flat(edges: Edge[], bins: number): FlatEdges {
  const f = allocateFlatEdges(edges.length + 5, bins);
  edges.forEach((e, k) => {
    f.u[k] = e.a;
    f.v[k] = e.b;
    f.sum[k] = e.sum;
    f.count[k] = e.count;
    f.first[k] = e.first;
    for (let b = 0; b < bins; b++) (f.histogram as Uint32Array)[k * bins + b] = e.h[b];
  });
  f.size = edges.length;
  return f;
}

/** The same edges as a RegionGraph over fragment ids node + 1 (agglomerate() treats id 0 as background). */
function graph(edges: Edge[], bins: number): RegionGraph {
  return {
    size: edges.length,
    u: Float64Array.from(edges, (e) => Math.min(e.a, e.b) + 1),
    v: Float64Array.from(edges, (e) => Math.max(e.a, e.b) + 1),
    sum: Float64Array.from(edges, (e) => e.sum),
    count: Float64Array.from(edges, (e) => e.count),
    firstFace: Float64Array.from(edges, (e) => e.first),
    bins,
    histogram: bins > 0 ? Uint32Array.from(edges.flatMap((e) => e.h)) : undefined,
  };
}

/** Independent reference: recompute every region pair's statistics from the input edges at each step. */
function naive(edges: Edge[], nodes: number, threshold: number): number[] {
  const region = Array.from({ length: nodes }, (_, k) => k);
  for (;;) {
    const stats = new Map<string, { lo: number; hi: number; sum: number; count: number; first: number }>();
    for (const e of edges) {
      const ra = region[e.a];
      const rb = region[e.b];
      if (ra === rb) continue;
      const lo = Math.min(ra, rb);
      const hi = Math.max(ra, rb);
      const s = stats.get(`${lo},${hi}`) ?? { lo, hi, sum: 0, count: 0, first: Number.POSITIVE_INFINITY };
      s.sum += e.sum;
      s.count += e.count;
      s.first = Math.min(s.first, e.first);
      stats.set(`${lo},${hi}`, s);
    }
    let best: { score: number; first: number; lo: number; hi: number } | undefined;
    for (const s of stats.values()) {
      const score = 1 - s.sum / s.count;
      if (score >= threshold) continue;
      if (!best || score < best.score || (score === best.score && s.first < best.first))
        best = { score, first: s.first, lo: s.lo, hi: s.hi };
    }
    if (!best) return region;
    const { lo, hi } = best;
    for (let k = 0; k < nodes; k++) if (region[k] === hi) region[k] = lo;
  }
}

/** Smallest node of each node's region, from a representative function. */
function smallest(nodes: number, find: (k: number) => number): number[] {
  const min = new Map<number, number>();
  for (let k = 0; k < nodes; k++) if (!min.has(find(k))) min.set(find(k), k);
  return Array.from({ length: nodes }, (_, k) => min.get(find(k)) as number);
}

describe("agglomerateFlat", () => {
  it("matches a naive re-computing agglomeration on random graphs with tied scores", () => {
    const rand = lcg(7);
    for (let trial = 0; trial < 15; trial++) {
      const nodes = 14;
      const edges = randomEdges(rand, nodes, 40, 0);
      const threshold = 0.3 + rand() * 0.5;
      let got: number[] = [];
      agglomerateFlat(nodes, flat(edges, 0), [threshold], {}, (_k, _t, find) => {
        got = smallest(nodes, find);
      });
      expect(got).toEqual(naive(edges, nodes, threshold));
    }
  });

  for (const scoring of ["mean", 0.5, 0.8] as const) {
    it(`gives agglomerate()'s partitions and merge counts at every threshold (scoring ${scoring})`, () => {
      const rand = lcg(typeof scoring === "number" ? 100 * scoring : 1);
      const bins = scoring === "mean" ? 0 : 8;
      for (let trial = 0; trial < 5; trial++) {
        const nodes = 300;
        const edges = randomEdges(rand, nodes, 1500, bins);
        const thresholds = [0.6, 0.2, 0.45, 0.9];
        const reference = agglomerate(graph(edges, bins), thresholds, {
          scoring,
          fragmentIds: Float64Array.from({ length: nodes }, (_, k) => k + 1),
        });
        const got: number[][] = [];
        const result = agglomerateFlat(nodes, flat(edges, bins), thresholds, { scoring }, (k, t, find) => {
          expect(t).toBe(reference.thresholds[k]);
          got.push(smallest(nodes, find));
        });
        expect(result.merges).toEqual(reference.merges);
        reference.segments.forEach((seg, k) => {
          // agglomerate() names each segment by its smallest fragment id (= node + 1)
          expect(got[k]).toEqual(Array.from(seg, (id) => id - 1));
        });
      }
    });
  }

  it("rejects bad thresholds, quantiles without histograms and nodes out of range", () => {
    const edges = flat([{ a: 0, b: 1, sum: 1, count: 1, first: 0, h: [] }], 0);
    expect(() => agglomerateFlat(2, edges, [Number.NaN], {}, () => {})).toThrow(SegmentOptionsError);
    expect(() => agglomerateFlat(2, edges, [0.5], { scoring: 0.5 }, () => {})).toThrow(SegmentOptionsError);
    expect(() => agglomerateFlat(1, edges, [0.5], {}, () => {})).toThrow(SegmentValueError);
  });
});
