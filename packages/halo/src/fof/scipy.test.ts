import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { zeldovich } from "@tessera/phantom";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { friendsOfFriends } from "./fof.js";

/** The oracle: scipy's periodic k-d tree pairs within r, then connected components. */
const ORACLE = `
import sys, numpy as np
from scipy.spatial import cKDTree
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
src, dst, L, r = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
x = np.fromfile(src, dtype=np.float32).astype(np.float64).reshape(-1, 3)
n = len(x)
pairs = cKDTree(x, boxsize=L).query_pairs(r, output_type="ndarray")
g = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
_, labels = connected_components(g, directed=False)
labels.astype(np.int32).tofile(dst)
print(len(pairs))
`;

/** Labels renumbered 0.. in order of first appearance: equal arrays ⇔ equal partitions. */
function canonical(labels: ArrayLike<number>): Int32Array {
  const map = new Map<number, number>();
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    let v = map.get(labels[i]);
    if (v === undefined) {
      v = map.size;
      map.set(labels[i], v);
    }
    out[i] = v;
  }
  return out;
}

const hasScipy = pythonHas("numpy", "scipy");
const tmp = tempDir("tessera-fof-");
afterAll(() => tmp.cleanup());

function oracle(positions: Float32Array, L: number, r: number): { labels: Int32Array; pairs: number } {
  const src = join(tmp.path, "positions.f32");
  const dst = join(tmp.path, "labels.i32");
  writeFileSync(src, positions);
  const out = runPython(ORACLE, [src, dst, String(L), String(r)]);
  const buf = readFileSync(dst);
  return {
    labels: new Int32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4).slice(),
    pairs: Number(out.trim()),
  };
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

describe.skipIf(!hasScipy)("scipy oracle (cKDTree.query_pairs + connected_components, periodic)", () => {
  for (const [b, seed] of [
    [0.168, 1],
    [0.5, 2],
    [0.7, 3],
  ] as const) {
    it(`uniform box of 20 000 particles, b = ${b}: identical partition`, () => {
      const n = 20_000;
      const L = 50;
      const pos = uniform(n, L, seed);
      const ell = (b * L) / Math.cbrt(n);
      const fof = friendsOfFriends(pos, { boxSize: L, linkingLength: ell, minMembers: 1 });
      const ref = oracle(pos, L, ell);
      expect(ref.pairs).toBeGreaterThan(0);
      expect(fof.groupCount).toBe(new Set(ref.labels).size);
      expect(fof.groupId).toEqual(canonical(ref.labels));
    });
  }
  for (const b of [0.168, 0.4]) {
    it(`Zel'dovich box of 32³ particles, b = ${b}: identical partition`, () => {
      const L = 32;
      const sim = zeldovich({ gridSize: 32, boxSize: L, powerSpectrum: (k) => 30 * k ** -2, seed: 11 });
      const ell = (b * L) / 32;
      const fof = friendsOfFriends(sim.positions, { boxSize: L, linkingLength: ell, minMembers: 1 });
      const ref = oracle(sim.positions, L, ell);
      expect(fof.groupCount).toBeLessThan(32 ** 3);
      expect(fof.groupId).toEqual(canonical(ref.labels));
    });
  }
  it("a blob folded across the box corner (groups across the periodic faces): identical partition", () => {
    const n = 6000;
    const L = 20;
    const pos = uniform(n, 1.2, 9);
    // one blob of side 1.2 centred on the corner (0, 0, 0), folded into the box across all faces
    for (let i = 0; i < 3 * n; i++) {
      const v = pos[i] - 0.6;
      pos[i] = v < 0 ? (Math.fround(v + L) >= L ? 0 : Math.fround(v + L)) : v;
    }
    const fof = friendsOfFriends(pos, { boxSize: L, linkingLength: 0.08, minMembers: 1 });
    const ref = oracle(pos, L, 0.08);
    expect(fof.groupId).toEqual(canonical(ref.labels));
    expect(fof.groupSize[0]).toBeGreaterThan(100);
  });
});
