// The agglomerator's merged accumulators and merge order against a slow truth that rescans the
// voxels: after every merge the volume is relabelled and its edge features computed from scratch.
import { describe, expect, it } from "vitest";
import { edgeFeatureNames, featureVector } from "./edge-feature-vector.js";
import { type EdgeFeatureTable, edgeFeatures } from "./edge-features.js";
import { FeatureAgglomerator } from "./feature-agglomerator.js";
import { SeededRandom } from "./seeded-random.js";

const shape: [number, number, number] = [4, 10, 12];
const n = shape[0] * shape[1] * shape[2];

function volume(seed: number) {
  const r = new SeededRandom(seed);
  const fragments = new Float64Array(n);
  const boundaries = new Float32Array(n);
  const raw = new Uint8Array(n);
  for (let z = 0; z < shape[0]; z++)
    for (let y = 0; y < shape[1]; y++)
      for (let x = 0; x < shape[2]; x++) {
        const i = (z * shape[1] + y) * shape[2] + x;
        fragments[i] = r.next() < 0.05 ? 0 : 1 + Math.floor(x / 3) + 4 * Math.floor(y / 3) + 16 * (z >> 1);
        boundaries[i] = r.next();
        raw[i] = r.int(256);
      }
  return { fragments, boundaries, raw };
}

const mean = (t: EdgeFeatureTable, e: number) => t.boundary.sum[e] / t.boundary.count[e];

/** Features keyed by the lowest fragment ids of both regions. */
function byPair(
  t: EdgeFeatureTable,
  ids: (region: number) => number,
  live: (e: number) => boolean = () => true,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let e = 0; e < t.edges; e++) {
    if (!live(e)) continue;
    expect(out.has(`${Math.min(ids(t.u[e]), ids(t.v[e]))},${Math.max(ids(t.u[e]), ids(t.v[e]))}`)).toBe(
      false,
    );
    const a = ids(t.u[e]);
    const b = ids(t.v[e]);
    out.set(`${Math.min(a, b)},${Math.max(a, b)}`, Array.from(featureVector(t, e)));
  }
  return out;
}

describe("FeatureAgglomerator", () => {
  it("merges accumulators exactly as a rescan of the merged volume, in the same order", () => {
    const { fragments, boundaries, raw } = volume(3);
    const table = edgeFeatures(fragments, boundaries, shape, { raw, bins: 8 });
    const agg = new FeatureAgglomerator(table);
    agg.start((e) => mean(agg.table, e));
    // slow truth: relabel, rescan, merge the lowest-mean edge, repeat
    let labels = fragments.slice();
    const limit = 0.62;
    for (let step = 0; ; step++) {
      const slow = edgeFeatures(labels, boundaries, shape, { raw, bins: 8 });
      let best = -1;
      for (let e = 0; e < slow.edges; e++) if (best < 0 || mean(slow, e) < mean(slow, best)) best = e;
      if (best < 0 || mean(slow, best) > limit) break;
      const a = slow.regionIds[slow.u[best]];
      const b = slow.regionIds[slow.v[best]];
      const merged = agg.mergeUpTo(mean(slow, best) + 1e-12);
      expect(merged).toBe(1);
      const keepId = Math.min(a, b);
      labels = labels.map((id) => (id === a || id === b ? keepId : id));
      // every live edge of the agglomerator has the features of the rescanned volume
      const { fragmentIds, segments } = agg.segments();
      const segmentOf = new Map<number, number>();
      fragmentIds.forEach((id, k) => {
        segmentOf.set(id, segments[k]);
      });
      if (step % 4 === 0) {
        const fast = byPair(
          agg.table,
          (r) => segmentOf.get(agg.table.regionIds[r]) as number,
          (e) => agg.isLive(e),
        );
        const rescan = edgeFeatures(labels, boundaries, shape, { raw, bins: 8 });
        const truth = byPair(rescan, (r) => rescan.regionIds[r]);
        expect(fast.size).toBe(truth.size);
        for (const [key, f] of truth) {
          const got = fast.get(key) as number[];
          f.forEach((value, j) => {
            expect(got[j]).toBeCloseTo(value, 9);
          });
        }
      }
    }
    expect(agg.merges).toBeGreaterThan(10);
    expect(agg.mergeUpTo(limit)).toBe(0);
    expect(edgeFeatureNames(table).length).toBe(featureVector(table, 0).length);
  });

  it("re-queues a rejected edge only when its features change", () => {
    const { fragments, boundaries } = volume(5);
    const table = edgeFeatures(fragments, boundaries, shape);
    const agg = new FeatureAgglomerator(table);
    const popped: number[] = [];
    agg.start((e) => mean(agg.table, e));
    agg.mergeUpTo(Number.POSITIVE_INFINITY, (e) => {
      popped.push(e);
      return false;
    });
    // nothing merged: every edge popped exactly once
    expect(popped.length).toBe(table.edges);
    expect(new Set(popped).size).toBe(table.edges);
    expect(agg.segments().segments).toEqual(agg.segments().fragmentIds);
  });
});
