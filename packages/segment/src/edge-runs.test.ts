import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { EdgeRunWriter, mergeEdgeRuns } from "./edge-runs.js";
import { pairOrder } from "./pair-order.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

function lcg(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe("pairOrder", () => {
  it("is the stable sort by (hi, lo), keys over all 32 bits", () => {
    const rand = lcg(3);
    const n = 5000;
    // few distinct values per digit so ties are common, plus values above 2^16 and 2^31
    const pick = () =>
      [0, 1, 70000, 2 ** 31 + 5, 2 ** 32 - 1][Math.floor(rand() * 5)] + Math.floor(rand() * 3);
    const hi = Uint32Array.from({ length: n }, pick);
    const lo = Uint32Array.from({ length: n }, pick);
    const expected = Array.from({ length: n }, (_, k) => k).sort(
      (a, b) => hi[a] - hi[b] || lo[a] - lo[b] || a - b,
    );
    expect([...pairOrder(hi, lo, n)]).toEqual(expected);
    // only the first `count` pairs are sorted
    expect([...pairOrder(hi, lo, 7)]).toEqual(
      [0, 1, 2, 3, 4, 5, 6].sort((a, b) => hi[a] - hi[b] || lo[a] - lo[b] || a - b),
    );
  });
});

describe("external edge sort", () => {
  type Rec = { u: number; v: number; sum: number; count: number; first: number; h: number[]; seq: number };

  /** Reference: sort all records by (u, v, input order) in memory, then fold each pair left to right. */
  function reference(records: Rec[], bins: number) {
    const sorted = [...records].sort((a, b) => a.u - b.u || a.v - b.v || a.seq - b.seq);
    const out: { u: number; v: number; sum: number; count: number; first: number; h: number[] }[] = [];
    for (const r of sorted) {
      const last = out[out.length - 1];
      if (last && last.u === r.u && last.v === r.v) {
        last.sum += r.sum;
        last.count += r.count;
        last.first = Math.min(last.first, r.first);
        for (let b = 0; b < bins; b++) last.h[b] += r.h[b];
      } else out.push({ u: r.u, v: r.v, sum: 0 + r.sum, count: r.count, first: r.first, h: [...r.h] });
    }
    return out;
  }

  for (const { bins, runEdges, fanIn } of [
    { bins: 0, runEdges: 37, fanIn: 3 }, // 55 runs: four merge passes
    { bins: 3, runEdges: 200, fanIn: 64 }, // odd bins (padded records), one pass
    { bins: 2, runEdges: 100_000, fanIn: 2 }, // everything in one run
  ]) {
    it(`merges runs into sums bit for bit equal to an in-memory fold (bins ${bins}, runs of ${runEdges}, fan-in ${fanIn})`, () => {
      const rand = lcg(11 + bins);
      const folder = join(tmp.path, `runs-${bins}-${runEdges}`);
      mkdirSync(folder, { recursive: true });
      const writer = new EdgeRunWriter(folder, bins, runEdges);
      const records: Rec[] = [];
      const histogram = new Uint32Array(bins);
      for (let seq = 0; seq < 2000; seq++) {
        const u = Math.floor(rand() * 30) + (rand() < 0.1 ? 2 ** 31 : 0);
        const v = u + 1 + Math.floor(rand() * 20);
        // affinity sums that round differently depending on the order of addition
        const sum = rand() * 10 + 1e-9 * rand();
        const count = 1 + Math.floor(rand() * 9);
        const first = Math.floor(rand() * 1e6);
        for (let b = 0; b < bins; b++) histogram[b] = Math.floor(rand() * 5);
        writer.add(u, v, sum, count, first, histogram, 0);
        records.push({ u, v, sum, count, first, h: [...histogram], seq });
      }
      writer.flush();
      expect(writer.records).toBe(2000);
      expect(writer.runs.length).toBe(Math.ceil(2000 / runEdges));
      const merged = mergeEdgeRuns(writer.runs, writer.records, { bins, fanIn });
      const expected = reference(records, bins);
      expect(merged.size).toBe(expected.length);
      for (let e = 0; e < merged.size; e++) {
        const r = expected[e];
        expect([
          merged.u[e] >>> 0,
          merged.v[e] >>> 0,
          merged.sum[e],
          merged.count[e],
          merged.first[e],
        ]).toEqual([r.u, r.v, r.sum, r.count, r.first]);
        for (let b = 0; b < bins; b++) expect(merged.histogram?.[e * bins + b]).toBe(r.h[b]);
      }
      // runs and intermediate runs are gone
      expect(readdirSync(folder)).toEqual([]);
    });
  }
});
