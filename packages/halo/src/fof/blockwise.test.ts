import { plantedHalos } from "@tessera/phantom";
import { describe, expect, it } from "vitest";
import {
  blockwiseFriendsOfFriends,
  type FofBlockParticles,
  type FofBlockPlan,
  type FofBlockResult,
  type FofBlockSpec,
  fofOwnerBlock,
  fofRegionContains,
  mergeFofBlocks,
  planFofBlocks,
  runFofBlock,
} from "./blockwise.js";
import { FofMergeError, FofOptionError, ParticleOutsideBoxError } from "./errors.js";
import { friendsOfFriends } from "./fof.js";

/** A reader over an in-memory particle set: the particles of the block's region, ids = indices. */
function regionReader(positions: Float32Array, plan: () => FofBlockPlan) {
  return (spec: FofBlockSpec): FofBlockParticles => {
    const p = plan();
    const ids: number[] = [];
    for (let i = 0; i < positions.length / 3; i++) {
      if (fofRegionContains(p, spec, positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]))
        ids.push(i);
    }
    const pos = new Float32Array(3 * ids.length);
    for (let k = 0; k < ids.length; k++) pos.set(positions.subarray(3 * ids[k], 3 * ids[k] + 3), 3 * k);
    return { positions: pos, ids: Float64Array.from(ids) };
  };
}

/** Monolithic groups as (smallest member index, size) per particle. */
function monolithic(positions: Float32Array, L: number, ell: number) {
  const fof = friendsOfFriends(positions, { boxSize: L, linkingLength: ell, minMembers: 1 });
  const first = new Float64Array(fof.groupCount).fill(-1);
  for (let i = 0; i < fof.groupId.length; i++) if (first[fof.groupId[i]] < 0) first[fof.groupId[i]] = i;
  const minId = Float64Array.from(fof.groupId, (g) => first[g]);
  const size = Int32Array.from(fof.groupId, (g) => fof.groupSize[g]);
  return { fof, minId, size };
}

async function expectSameAsMonolithic(
  positions: Float32Array,
  L: number,
  ell: number,
  blocks: number | [number, number, number],
  minMembers = 5,
  overload?: number,
) {
  const mono = monolithic(positions, L, ell);
  const opts = { boxSize: L, linkingLength: ell, blocks, minMembers, overload, keepMemberships: true };
  const plan = planFofBlocks(opts);
  const res = await blockwiseFriendsOfFriends(
    opts,
    regionReader(positions, () => plan),
  );
  const n = positions.length / 3;
  const mem = res.memberships!;
  expect(mem.ids.length).toBe(n); // every particle owned by exactly one block
  const got = new Float64Array(n).fill(-2);
  const gotSize = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    got[mem.ids[p]] = mem.groupMinId[p];
    gotSize[mem.ids[p]] = mem.groupSize[p];
  }
  expect(got).toEqual(mono.minId);
  expect(gotSize).toEqual(mono.size);
  // halos: the monolithic groups with ≥ minMembers, by smallest id
  const want = [...new Set(mono.minId)].filter((id) => mono.size[id] >= minMembers).sort((a, b) => a - b);
  expect(Array.from(res.halos.minId)).toEqual(want);
  expect(Array.from(res.halos.size)).toEqual(want.map((id) => mono.size[id]));
  return { res, mono };
}

function uniform(n: number, L: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const pos = new Float32Array(3 * n);
  for (let i = 0; i < 3 * n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const v = Math.fround(((s >>> 0) / 4294967296) * L);
    pos[i] = v >= L ? 0 : v;
  }
  return pos;
}

describe("blockwise == monolithic (same partition)", () => {
  const splits: (number | [number, number, number])[] = [1, 2, 3, [2, 3, 4], [1, 1, 5], [4, 1, 2]];
  it("uniform box, 12 000 particles, b = 0.6 (groups of all sizes) for several block splits", async () => {
    const L = 30;
    const n = 12_000;
    const pos = uniform(n, L, 5);
    const ell = (0.6 * L) / Math.cbrt(n);
    for (const blocks of splits) {
      const { mono } = await expectSameAsMonolithic(pos, L, ell, blocks);
      expect(mono.fof.halos.count).toBeGreaterThan(10);
    }
  });
  it("planted halos (clustered, halos cut by block faces and the periodic boundary)", async () => {
    const ph = plantedHalos({
      seed: 4,
      haloCount: 25,
      particlesPerHalo: [30, 600],
      backgroundParticles: 3000,
    });
    const ell = 1.2 * ph.linkingLength;
    for (const blocks of splits) await expectSameAsMonolithic(ph.positions, ph.boxSize, ell, blocks);
  });
  it("coordinates equal to L are the point at 0: groups across the boundary, owned by block 0", async () => {
    // L = 10, ℓ = 0.6: a chain (10, 5, 5)–(0.5, 5, 5)–(9.5, 5, 5) wraps through x = 0 (truth: one
    // group of 3); a corner particle at (10, 10, 10) links with (0.3, 0.3, 0.3); (5, 5, 5) is alone
    const L = 10;
    const pos = new Float32Array([10, 5, 5, 0.5, 5, 5, 9.5, 5, 5, 10, 10, 10, 0.3, 0.3, 0.3, 5, 5, 5]);
    for (const blocks of splits) {
      const { res, mono } = await expectSameAsMonolithic(pos, L, 0.6, blocks, 1);
      expect(Array.from(mono.minId)).toEqual([0, 0, 0, 3, 3, 5]);
      expect(Array.from(res.halos.size)).toEqual([3, 2, 1]);
    }
    const plan = planFofBlocks({ boxSize: L, linkingLength: 0.6, blocks: 2 });
    expect(fofOwnerBlock(plan, 10, 10, 10)).toBe(0);
    expect(fofOwnerBlock(plan, 10, 0, 9.99)).toBe(1);
  });
  it("a lattice whose planes lie exactly on the block faces (ℓ just above the spacing: one group)", async () => {
    const n = 12;
    const L = 12;
    const pos = new Float32Array(3 * n ** 3);
    let p = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) pos.set([i, j, k], 3 * p++);
    for (const blocks of [2, 3, 4, [2, 3, 6]] as (number | [number, number, number])[]) {
      const { res } = await expectSameAsMonolithic(pos, L, 1.01, blocks);
      expect(res.halos.count).toBe(1);
      expect(res.halos.size[0]).toBe(n ** 3);
      const { res: single } = await expectSameAsMonolithic(pos, L, 0.99, blocks, 1);
      expect(single.halos.count).toBe(n ** 3);
    }
  });
  it("chains along the box edges and across the periodic corner, with a large overload", async () => {
    const L = 10;
    const pts: number[] = [];
    for (let t = 0; t < 60; t++) pts.push((t * 0.3 + 9) % L, 0.05, 9.98); // along x, through the wrap
    for (let t = 0; t < 40; t++) pts.push(5, (t * 0.25 + 7.5) % L, 5); // along y, crossing faces
    pts.push(9.9, 9.9, 9.9, 0.1, 0.1, 0.1); // a corner pair across the periodic corner
    const pos = new Float32Array(pts);
    for (const blocks of [2, 3, 5, [5, 2, 1]] as (number | [number, number, number])[]) {
      await expectSameAsMonolithic(pos, L, 0.36, blocks, 2);
      await expectSameAsMonolithic(pos, L, 0.36, blocks, 2, 2.5);
    }
  });
});

describe("blockwise protocol", () => {
  it("block results hold only open groups' records and closed halos (bounded output without memberships)", async () => {
    const ph = plantedHalos({ seed: 6, haloCount: 10, backgroundParticles: 2000 });
    const plan = planFofBlocks({
      boxSize: ph.boxSize,
      linkingLength: 1.2 * ph.linkingLength,
      blocks: 2,
      minMembers: 5,
    });
    const read = regionReader(ph.positions, () => plan);
    const results: FofBlockResult[] = plan.specs.map((s) => runFofBlock(plan, s.index, read(s)));
    for (const r of results) {
      expect(r.memberships).toBeUndefined();
      expect(r.open.size.length).toBeLessThan(r.ownedCount);
    }
    const merge = mergeFofBlocks(plan, results);
    expect(merge.halos.count).toBe(10);
    expect(Array.from(merge.halos.size).sort((a, b) => a - b)).toEqual(
      ph.halos.map((h) => h.particleCount).sort((a, b) => a - b),
    );
    // in any order
    expect(mergeFofBlocks(plan, [...results].reverse()).halos).toEqual(merge.halos);
    expect(() => mergeFofBlocks(plan, results.slice(1))).toThrow(FofMergeError);
    expect(() => mergeFofBlocks(plan, [...results, results[0]])).toThrow(FofMergeError);
  });
  it("bad plans and readers that return particles outside the region are typed errors", () => {
    expect(() => planFofBlocks({ boxSize: 10, linkingLength: 0.5, blocks: 0 })).toThrow(FofOptionError);
    expect(() => planFofBlocks({ boxSize: 10, linkingLength: 0.5, blocks: 2, overload: 0.4 })).toThrow(
      /field: overload/,
    );
    expect(() => planFofBlocks({ boxSize: 10, linkingLength: -1, blocks: 2 })).toThrow(
      /field: linkingLength/,
    );
    expect(() => planFofBlocks({ boxSize: 10, linkingParameter: 0.2, blocks: 2 })).toThrow(/particleCount/);
    const plan = planFofBlocks({ boxSize: 10, linkingLength: 0.5, blocks: 4 });
    const positions = new Float32Array([1, 1, 1, 8, 8, 8]);
    try {
      runFofBlock(plan, 0, { positions, ids: new Float64Array([0, 1]) });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ParticleOutsideBoxError);
      expect((e as ParticleOutsideBoxError).block).toBe(0);
      expect((e as ParticleOutsideBoxError).particle).toBe(1);
    }
    expect(() => runFofBlock(plan, 0, { positions, ids: new Float64Array([0]) })).toThrow(/field: ids/);
  });
});
