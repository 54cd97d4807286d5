import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { gala, galaVolume } from "../../test/data.js";
import { affinitiesFromBoundaries } from "../affinities.js";
import { affinityWatershed } from "../affinity-watershed.js";
import { SegmentOptionsError, SegmentValueError } from "../errors.js";
import { WATERSHED_WASM_SOURCE_SHA256 } from "./watershed-wasm-binary.js";

function lcg(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * zwatershed as its papers describe it, written plainly: direction bits of the maximal edges (and
 * edges ≥ high) when the maximum exceeds low; plateaus divided breadth-first from their exits in
 * direction order −z, −y, −x, +z, +y, +x (the last exit wins); basins by following the pointers from
 * every voxel in C order, a closed set taking the next id.
 */
function referenceWatershed(aff: Float32Array, [Z, Y, X]: number[], low: number, high: number): Uint32Array {
  const n = Z * Y * X;
  const coord = (i: number) => [Math.floor(i / (X * Y)), Math.floor(i / X) % Y, i % X];
  const offsets = [
    [-1, 0, 0],
    [0, -1, 0],
    [0, 0, -1],
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  const neighbour = (i: number, k: number) => {
    const c = coord(i).map((v, a) => v + offsets[k][a]);
    if (c[0] < 0 || c[1] < 0 || c[2] < 0 || c[0] >= Z || c[1] >= Y || c[2] >= X) return -1;
    return (c[0] * Y + c[1]) * X + c[2];
  };
  const edge = (i: number, k: number) => {
    const j = neighbour(i, k);
    if (j < 0) return Number.NEGATIVE_INFINITY;
    const axis = k % 3;
    return aff[axis * n + (k < 3 ? i : j)];
  };
  const dirs = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    const values = [0, 1, 2, 3, 4, 5].map((k) => edge(i, k));
    const m = Math.max(...values);
    if (m > low) dirs[i] = values.reduce((d, v, k) => (v === m || v >= high ? d | (1 << k) : d), 0);
  }
  /** Does the neighbour of i along k point back to i? */
  const pointsBack = (i: number, k: number) => {
    const j = neighbour(i, k);
    return j >= 0 && (dirs[j] & (1 << ((k + 3) % 6))) !== 0;
  };
  const queue: number[] = [];
  const queued = new Array<boolean>(n).fill(false);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 6; k++) {
      if ((dirs[i] & (1 << k)) !== 0 && !pointsBack(i, k)) {
        queued[i] = true;
        queue.push(i);
        break;
      }
    }
  }
  for (let h = 0; h < queue.length; h++) {
    const i = queue[h];
    let toSet = 0;
    for (let k = 0; k < 6; k++) {
      if ((dirs[i] & (1 << k)) === 0) continue;
      const j = neighbour(i, k);
      if (pointsBack(i, k)) {
        if (!queued[j]) {
          queued[j] = true;
          queue.push(j);
        }
      } else toSet = 1 << k;
    }
    dirs[i] = toSet;
  }
  const labels = new Uint32Array(n);
  const done = new Array<boolean>(n).fill(false);
  let next = 1;
  for (let start = 0; start < n; start++) {
    if (done[start] || dirs[start] === 0) continue;
    const seen = [start];
    const inSearch = new Set([start]);
    let found = 0;
    for (let h = 0; h < seen.length && found === 0; h++) {
      for (let k = 0; k < 6 && found === 0; k++) {
        if ((dirs[seen[h]] & (1 << k)) === 0) continue;
        const j = neighbour(seen[h], k);
        if (done[j]) found = labels[j];
        else if (!inSearch.has(j)) {
          inSearch.add(j);
          seen.push(j);
        }
      }
    }
    const id = found || next++;
    for (const i of seen) {
      labels[i] = id;
      done[i] = true;
    }
  }
  return labels;
}

/** Affinities with few distinct values (so plateaus are everywhere), some ≥ high, some ≤ low. */
function quantisedAffinities(shape: number[], levels: number, seed: number): Float32Array {
  const random = lcg(seed);
  const n = shape[0] * shape[1] * shape[2];
  return Float32Array.from({ length: 3 * n }, () => Math.floor(random() * levels) / (levels - 1));
}

describe("the WebAssembly watershed kernel", () => {
  it("was built from the current wasm/watershed.c (rerun wasm/build.sh after changing it)", () => {
    const source = readFileSync(new URL("../../wasm/watershed.c", import.meta.url));
    expect(createHash("sha256").update(source).digest("hex")).toBe(WATERSHED_WASM_SOURCE_SHA256);
  });

  it("gives the fragments of a plain zwatershed, as the TypeScript steps do (random plateaus)", () => {
    const shapes = [
      [4, 5, 6],
      [1, 9, 7],
      [3, 1, 8],
      [6, 6, 1],
      [1, 1, 1],
      [7, 8, 9],
    ];
    shapes.forEach((shape, s) => {
      for (const levels of [2, 3, 5]) {
        const aff = quantisedAffinities(shape, levels, 17 * s + levels);
        const expected = referenceWatershed(aff, shape, Math.fround(0.0001), Math.fround(0.9999));
        const wasm = affinityWatershed(aff, shape, { kernel: "wasm" });
        const js = affinityWatershed(aff, shape, { kernel: "js" });
        const context = `shape ${shape} levels ${levels}`;
        expect([...wasm.fragments], context).toEqual([...expected]);
        expect([...js.fragments], context).toEqual([...expected]);
        expect(wasm.count, context).toBe(Math.max(0, ...expected));
        expect(js.count, context).toBe(wasm.count);
      }
    });
  });

  it("compares low and high in float32, as waterz does", () => {
    // an edge of exactly float32(0.9999) (just below 0.9999) counts as ≥ high: both edges of the
    // middle voxel are followed, so the three voxels form one fragment
    const shape = [1, 1, 3];
    const aff = new Float32Array(9);
    aff[7] = Math.fround(0.9999);
    aff[8] = 0.5;
    const expected = referenceWatershed(aff, shape, Math.fround(0.0001), Math.fround(0.9999));
    expect([...expected]).toEqual([1, 1, 1]);
    for (const kernel of ["wasm", "js"] as const) {
      expect([...affinityWatershed(aff, shape, { kernel }).fragments]).toEqual([1, 1, 1]);
    }
  });

  it.skipIf(!gala.available)(
    "gives the same fragments as the TypeScript steps on gala train-p1",
    async () => {
      const p1 = await galaVolume("train-p1");
      const aff = affinitiesFromBoundaries(p1.data as Float32Array, p1.shape);
      const wasm = affinityWatershed(aff, p1.shape, { kernel: "wasm" });
      const js = affinityWatershed(aff, p1.shape, { kernel: "js" });
      expect(wasm.count).toBe(js.count);
      let differing = 0;
      for (let i = 0; i < js.fragments.length; i++) if (wasm.fragments[i] !== js.fragments[i]) differing++;
      expect(differing).toBe(0);
    },
  );

  it("reports non-finite affinities and unknown kernels with typed errors", () => {
    const aff = quantisedAffinities([3, 3, 3], 3, 5);
    aff[40] = Number.POSITIVE_INFINITY;
    for (const kernel of ["wasm", "js"] as const) {
      expect(() => affinityWatershed(aff, [3, 3, 3], { kernel })).toThrow(SegmentValueError);
      expect(() => affinityWatershed(aff, [3, 3, 3], { kernel })).toThrow(/Infinity at flat index 40/);
    }
    expect(() => affinityWatershed(aff, [3, 3, 3], { kernel: "gpu" as never })).toThrow(SegmentOptionsError);
  });
});
