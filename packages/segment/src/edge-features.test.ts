// Edge features against a brute-force scan of the faces (JS arrays, sorting), and merged features
// (accumulators merged along a random agglomeration) against a direct scan of the merged volume.
import { describe, expect, it } from "vitest";
import {
  contactQuantile,
  EDGE_FEATURE_QUANTILES,
  edgeFeatureNames,
  featureVector,
  mergeEdgeFeatures,
  mergeRegionFeatures,
} from "./edge-feature-vector.js";
import { type EdgeFeatureTable, edgeFeatures } from "./edge-features.js";

const shape: [number, number, number] = [5, 9, 11];
const [Z, Y, X] = shape;
const n = Z * Y * X;
const BIG = 2 ** 40;

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Blocky fragments (ids 1…, one of them ≥ 2^40) with some background, a boundary map, a raw image. */
function synthetic(seed: number) {
  const rand = random(seed);
  const fragments = new Float64Array(n);
  const boundaries = new Float32Array(n);
  const raw = new Uint8Array(n);
  for (let z = 0; z < Z; z++)
    for (let y = 0; y < Y; y++)
      for (let x = 0; x < X; x++) {
        const i = (z * Y + y) * X + x;
        const id = 1 + ((Math.floor(x / 3) + 3 * Math.floor(y / 4) + (z > 2 ? 7 : 0)) % 9);
        fragments[i] = rand() < 0.08 ? 0 : id === 5 ? BIG + 5 : id;
        boundaries[i] = rand();
        raw[i] = Math.floor(rand() * 256);
      }
  return { fragments, boundaries, raw };
}

interface Brute {
  boundary: Map<string, number[]>;
  raw: Map<string, number[]>;
  voxels: Map<number, number>;
  surface: Map<number, number>;
}

/** Every face between two different labels, listed the slow way. */
function bruteForce(
  fragments: ArrayLike<number>,
  boundaries: ArrayLike<number>,
  raw: ArrayLike<number>,
): Brute {
  const out: Brute = { boundary: new Map(), raw: new Map(), voxels: new Map(), surface: new Map() };
  const bump = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
  for (let z = 0; z < Z; z++)
    for (let y = 0; y < Y; y++)
      for (let x = 0; x < X; x++) {
        const i = (z * Y + y) * X + x;
        const a = fragments[i];
        if (a !== 0) bump(out.voxels, a);
        const neighbours = [x > 0 ? i - 1 : -1, y > 0 ? i - X : -1, z > 0 ? i - X * Y : -1];
        for (const j of neighbours) {
          if (j < 0 || fragments[j] === a) continue;
          const b = fragments[j];
          if (a !== 0) bump(out.surface, a);
          if (b !== 0) bump(out.surface, b);
          if (a === 0 || b === 0) continue;
          const key = `${Math.min(a, b)},${Math.max(a, b)}`;
          if (!out.boundary.has(key)) {
            out.boundary.set(key, []);
            out.raw.set(key, []);
          }
          out.boundary.get(key)?.push(Math.max(boundaries[i], boundaries[j]));
          out.raw.get(key)?.push((raw[i] + raw[j]) / 2);
        }
      }
  return out;
}

/** The statistics the feature vector holds, computed from a list of values. */
function expectedStats(values: number[], bins: number, lo: number, hi: number): number[] {
  const count = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / count;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / count);
  const sorted = [...values].sort((a, b) => a - b);
  const bin = (v: number) => Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins));
  const centre = (b: number) => lo + ((b + 0.5) / bins) * (hi - lo);
  const quantiles = EDGE_FEATURE_QUANTILES.map((q) =>
    centre(bin(sorted[Math.max(1, Math.ceil(q * count)) - 1])),
  );
  const histogram = new Array(bins).fill(0);
  for (const v of values) histogram[bin(v)]++;
  return [mean, std, sorted[0], sorted[count - 1], ...quantiles, ...histogram.map((h) => h / count)];
}

/** The expected feature vector of the edge `key` from a brute-force scan. */
function expectedVector(brute: Brute, key: string, bins: number): number[] {
  const [a, b] = key.split(",").map(Number);
  const values = brute.boundary.get(key) as number[];
  const va = brute.voxels.get(a) as number;
  const vb = brute.voxels.get(b) as number;
  const sa = brute.surface.get(a) as number;
  const sb = brute.surface.get(b) as number;
  return [
    values.length,
    ...expectedStats(values, bins, 0, 1),
    Math.min(va, vb),
    Math.max(va, vb),
    values.length / Math.min(sa, sb),
    ...expectedStats(brute.raw.get(key) as number[], bins, 0, 255),
  ];
}

const keyOf = (t: EdgeFeatureTable, e: number) => {
  const a = t.regionIds[t.u[e]];
  const b = t.regionIds[t.v[e]];
  return `${Math.min(a, b)},${Math.max(a, b)}`;
};

function expectClose(actual: Float64Array, expected: number[], names: string[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  expected.forEach((value, k) => {
    expect(actual[k], `${what} ${names[k]}`).toBeCloseTo(value, 9);
  });
}

describe("edgeFeatures", () => {
  it("counts, mean, std, min, max, quantiles, histograms, sizes equal a brute-force scan", () => {
    const { fragments, boundaries, raw } = synthetic(7);
    const bins = 8;
    const table = edgeFeatures(fragments, boundaries, shape, { bins, raw });
    const brute = bruteForce(fragments, boundaries, raw);
    const names = edgeFeatureNames(table);
    expect(names.slice(0, 6)).toEqual([
      "contactFaces",
      "boundaryMean",
      "boundaryStd",
      "boundaryMin",
      "boundaryMax",
      "boundaryQ10",
    ]);
    expect(names).toContain("rawHist7");
    // the same edges (one with a 2^40 id), the same regions
    expect(Array.from({ length: table.edges }, (_, e) => keyOf(table, e)).sort()).toEqual(
      [...brute.boundary.keys()].sort(),
    );
    expect([...brute.boundary.keys()].some((k) => k.includes(String(BIG + 5)))).toBe(true);
    expect(table.edges).toBeGreaterThan(10);
    expect([...table.regionIds].sort((a, b) => a - b)).toEqual(
      [...brute.voxels.keys()].sort((a, b) => a - b),
    );
    for (let e = 0; e < table.edges; e++) {
      const key = keyOf(table, e);
      expectClose(featureVector(table, e), expectedVector(brute, key, bins), names, key);
    }
  });

  it("without a raw image the vector has only the boundary and region features", () => {
    const { fragments, boundaries } = synthetic(3);
    const table = edgeFeatures(fragments, boundaries, shape, { bins: 4 });
    expect(table.raw).toBeUndefined();
    const names = edgeFeatureNames(table);
    expect(names).toHaveLength(1 + 9 + 4 + 3);
    expect(featureVector(table, 0)).toHaveLength(names.length);
    expect(names.some((name) => name.startsWith("raw"))).toBe(false);
  });

  it("quantiles: the bin centre of the ⌈q·n⌉-th value, NaN for an empty contact", () => {
    const stats = {
      count: Float64Array.of(4, 0),
      sum: new Float64Array(2),
      sumSq: new Float64Array(2),
      min: new Float64Array(2),
      max: new Float64Array(2),
      // edge 0: values in bins 0, 2, 2, 3 of 4
      histogram: Uint32Array.of(1, 0, 2, 1, 0, 0, 0, 0),
    };
    const q = (p: number, e = 0) => contactQuantile(stats, e, 4, [0, 1], p);
    expect([q(0), q(0.25), q(0.26), q(0.5), q(0.75), q(0.76), q(1)]).toEqual([
      0.125, 0.125, 0.625, 0.625, 0.625, 0.875, 0.875,
    ]);
    expect(q(0.5, 1)).toBeNaN();
  });

  it("feature vectors hold the same quantiles as contactQuantile, on sparse random histograms", () => {
    const bins = 7;
    const edges = 200;
    const rand = random(5);
    const histogram = new Uint32Array(edges * bins);
    const count = new Float64Array(edges);
    for (let e = 0; e < edges; e++) {
      // mostly empty bins, sometimes everything in the last one, sometimes an empty contact (e % 50 = 0)
      for (let b = 0; b < bins; b++) {
        const h =
          e % 50 === 0
            ? 0
            : e % 7 === 0
              ? b === bins - 1
                ? 3
                : 0
              : rand() < 0.3
                ? Math.floor(rand() * 5)
                : 0;
        histogram[e * bins + b] = h;
        count[e] += h;
      }
    }
    const stats = {
      count,
      sum: new Float64Array(edges),
      sumSq: new Float64Array(edges),
      min: new Float64Array(edges),
      max: new Float64Array(edges),
      histogram,
    };
    const table: EdgeFeatureTable = {
      bins,
      boundaryRange: [0, 1],
      rawRange: [0, 255],
      regions: 2,
      regionIds: Float64Array.of(1, 2),
      regionVoxels: Float64Array.of(10, 20),
      regionSurface: Float64Array.of(10, 20),
      edges,
      u: new Int32Array(edges),
      v: new Int32Array(edges).fill(1),
      boundary: stats,
      raw: stats,
    };
    const names = edgeFeatureNames(table);
    for (let e = 0; e < edges; e++) {
      const vector = featureVector(table, e);
      for (const [prefix, range] of [
        ["boundary", [0, 1]],
        ["raw", [0, 255]],
      ] as const) {
        for (const q of EDGE_FEATURE_QUANTILES) {
          const expected = contactQuantile(stats, e, bins, range, q);
          const actual = vector[names.indexOf(`${prefix}Q${q * 100}`)];
          if (Number.isNaN(expected)) expect(actual, `edge ${e} q ${q}`).toBeNaN();
          else expect(actual, `edge ${e} ${prefix} q ${q}`).toBe(expected);
        }
      }
    }
  });

  it("merged accumulators along a random agglomeration equal a direct scan of the merged volume", () => {
    for (const seed of [1, 2, 3]) {
      const { fragments, boundaries, raw } = synthetic(seed);
      const bins = 6;
      const table = edgeFeatures(fragments, boundaries, shape, { bins, raw });
      const names = edgeFeatureNames(table);
      // live edges by region pair; representative fragment id of each region
      const pairKey = (a: number, b: number) => `${Math.min(a, b)},${Math.max(a, b)}`;
      const live = new Map<string, number>();
      for (let e = 0; e < table.edges; e++) live.set(pairKey(table.u[e], table.v[e]), e);
      const merged = Float64Array.from(fragments);
      const rand = random(seed * 31);
      for (let step = 0; step < 5; step++) {
        const keys = [...live.keys()];
        const [x, y] = keys[Math.floor(rand() * keys.length)].split(",").map(Number);
        // merge region y into region x: the region, then every edge of y
        const exy = live.get(pairKey(x, y)) as number;
        mergeRegionFeatures(table, x, y, table.boundary.count[exy]);
        live.delete(pairKey(x, y));
        for (const [key, e] of [...live]) {
          const [a, b] = key.split(",").map(Number);
          if (a !== y && b !== y) continue;
          const w = a === y ? b : a;
          live.delete(key);
          const existing = live.get(pairKey(x, w));
          if (existing === undefined) {
            table.u[e] = x;
            table.v[e] = w;
            live.set(pairKey(x, w), e);
          } else mergeEdgeFeatures(table, existing, e);
        }
        const idX = table.regionIds[x];
        const idY = table.regionIds[y];
        for (let i = 0; i < n; i++) if (merged[i] === idY) merged[i] = idX;
      }
      // the merged volume, scanned directly: same edges, same features
      const direct = edgeFeatures(merged, boundaries, shape, { bins, raw });
      const directEdges = new Map<string, number>();
      for (let e = 0; e < direct.edges; e++) directEdges.set(keyOf(direct, e), e);
      expect(live.size, `seed ${seed}`).toBe(direct.edges);
      for (const e of live.values()) {
        const key = keyOf(table, e);
        const d = directEdges.get(key);
        expect(d, key).toBeDefined();
        expectClose(
          featureVector(table, e),
          [...featureVector(direct, d as number)],
          names,
          `seed ${seed} ${key}`,
        );
      }
      // and both equal the brute force on the merged volume
      const brute = bruteForce(merged, boundaries, raw);
      for (const e of live.values()) {
        const key = keyOf(table, e);
        expectClose(featureVector(table, e), expectedVector(brute, key, bins), names, `brute ${key}`);
      }
    }
  });

  it("refuses arrays of another size and invalid bins, naming the field", () => {
    const { fragments, boundaries } = synthetic(1);
    expect(() => edgeFeatures(fragments, boundaries.subarray(1), shape)).toThrow(/boundaries do not match/);
    expect(() => edgeFeatures(fragments, boundaries, shape, { bins: 0 })).toThrow(/invalid histogram bins/);
  });
});
