import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { HaloError } from "../errors.js";
import { ReduceError, UnknownColumnError } from "./catalog.js";
import { downsample, downsampleIndices, downsampleMask, hashId64 } from "./downsample.js";

const hasPython = pythonHas("numpy");
const tmp = tempDir("tessera-downsample-");
afterAll(() => tmp.cleanup());

/** splitmix64 on Python integers, written from the reference (Vigna's splitmix64.c). */
const ORACLE = `
import sys, numpy as np
M = (1 << 64) - 1
ids = np.fromfile(sys.argv[1], dtype=np.int64)
seed, fraction = int(sys.argv[2]), float(sys.argv[3])
T = int(np.floor(fraction * 2.0 ** 64))
out = []
for i in ids.tolist():
    z = ((i & M) + (seed + 1) * 0x9E3779B97F4A7C15) & M
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    z ^= z >> 31
    out.append("%d %d" % (z, 1 if z < T else 0))
print("\\n".join(out))
`;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random 64-bit ids over the whole signed range, plus edge values. */
function randomIds(n: number, seed: number): BigInt64Array {
  const r = rng(seed);
  const ids = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const hi = BigInt(Math.floor(r() * 4294967296));
    const lo = BigInt(Math.floor(r() * 4294967296));
    ids[i] = BigInt.asIntN(64, (hi << 32n) | lo);
  }
  ids.set([0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 4294967295n, 4294967296n], 0);
  return ids;
}

describe("hashId64 / downsampleMask", () => {
  it("is splitmix64: hashId64(0, 0) = 0xE220A8397B1DCDAF (its first output from state 0)", () => {
    expect(hashId64(0n, 0)).toBe(0xe220a8397b1dcdafn);
    // second splitmix64 output from state 0 = state γ, seed 0 → hash of id γ
    expect(hashId64(0x9e3779b97f4a7c15n, 0)).toBe(0x6e789e6aa1b965f4n);
  });

  it.skipIf(!hasPython)("matches a python splitmix64 on 3,000 ids across the int64 range (3 seeds)", () => {
    const ids = randomIds(3000, 7);
    const f = join(tmp.path, "ids.i64");
    writeFileSync(f, ids);
    for (const [seed, fraction] of [
      [0, 0.1],
      [12345, 0.5],
      [4294967295, 0.003],
    ] as const) {
      const lines = runPython(ORACLE, [f, String(seed), String(fraction)])
        .trim()
        .split("\n");
      const mask = downsampleMask(ids, { fraction, seed });
      let kept = 0;
      for (let i = 0; i < ids.length; i++) {
        const [h, k] = lines[i].split(" ");
        expect(hashId64(ids[i], seed), `hash of ids[${i}]`).toBe(BigInt(h));
        expect(mask[i], `mask[${i}] seed ${seed}`).toBe(Number(k));
        kept += mask[i];
      }
      console.log(`python oracle seed ${seed} fraction ${fraction}: ${kept}/${ids.length} kept, all equal`);
    }
  });

  it("keeps the target fraction within binomial error on 1e6 ids, nested across fractions", () => {
    const n = 1_000_000;
    const ids = new BigInt64Array(n);
    for (let i = 0; i < n; i++) ids[i] = BigInt(i) * 7919n + 1000000007n;
    const t0 = performance.now();
    const m10 = downsampleMask(ids, { fraction: 0.1, seed: 3 });
    const ms = performance.now() - t0;
    const m01 = downsampleMask(ids, { fraction: 0.01, seed: 3 });
    let k10 = 0;
    let k01 = 0;
    let nested = true;
    for (let i = 0; i < n; i++) {
      k10 += m10[i];
      k01 += m01[i];
      if (m01[i] && !m10[i]) nested = false;
    }
    expect(nested).toBe(true);
    for (const [k, f] of [
      [k10, 0.1],
      [k01, 0.01],
    ]) {
      const sigma = Math.sqrt(n * f * (1 - f));
      expect(Math.abs(k - n * f)).toBeLessThan(4 * sigma);
    }
    console.log(
      `1e6 ids: kept ${k10} at 0.1 (σ ${Math.sqrt(n * 0.09).toFixed(0)}), ${k01} at 0.01 (σ ${Math.sqrt(n * 0.0099).toFixed(0)}); mask of 1e6 BigInt64 ids in ${ms.toFixed(1)} ms`,
    );
    // a different seed keeps a nearly independent subset: overlap ≈ f² n
    const other = downsampleMask(ids, { fraction: 0.1, seed: 4 });
    let both = 0;
    for (let i = 0; i < n; i++) both += m10[i] & other[i];
    expect(Math.abs(both - 0.01 * n)).toBeLessThan(4 * Math.sqrt(0.01 * n));
  });

  it("keeps the same ids whatever the order, blocking and array type (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 1, max: 50 }),
        (list, fraction, seed, block) => {
          const ids = BigInt64Array.from(list);
          const mask = downsampleMask(ids, { fraction, seed });
          const kept = new Set<bigint>();
          for (let i = 0; i < ids.length; i++) if (mask[i]) kept.add(ids[i]);
          // reversed and cut into blocks of `block` ids (subarrays at odd offsets)
          const rev = BigInt64Array.from(list).reverse();
          for (let s = 0; s < rev.length; s += block) {
            const part = rev.subarray(s, s + block);
            const pm = downsampleMask(part, { fraction, seed });
            for (let i = 0; i < part.length; i++) if (kept.has(part[i]) !== (pm[i] === 1)) return false;
          }
          // the same values as BigUint64Array, and as Float64Array / Int32Array where they fit
          const u = downsampleMask(BigUint64Array.from(list.map((v) => BigInt.asUintN(64, v))), {
            fraction,
            seed,
          });
          if (u.some((v, i) => v !== mask[i])) return false;
          const safe = list.map((v) => BigInt.asIntN(32, v));
          const m32 = downsampleMask(Int32Array.from(safe, Number), { fraction, seed });
          const m64 = downsampleMask(Float64Array.from(safe, Number), { fraction, seed });
          const mb = downsampleMask(BigInt64Array.from(safe), { fraction, seed });
          return m32.every((v, i) => v === mb[i]) && m64.every((v, i) => v === mb[i]);
        },
      ),
      { numRuns: 200, seed: 42 },
    );
  });

  it("keeps nothing at fraction 0 and everything at 1; Uint32 ids equal their BigInt values", () => {
    const ids = new Uint32Array([0, 1, 4294967295, 77]);
    expect([...downsampleMask(ids, { fraction: 0 })]).toEqual([0, 0, 0, 0]);
    expect([...downsampleMask(ids, { fraction: 1 })]).toEqual([1, 1, 1, 1]);
    const big = BigInt64Array.from([0n, 1n, 4294967295n, 77n]);
    for (const f of [0.2, 0.5, 0.9]) {
      expect([...downsampleMask(ids, { fraction: f, seed: 9 })]).toEqual([
        ...downsampleMask(big, { fraction: f, seed: 9 }),
      ]);
    }
  });
});

describe("downsample over a catalog", () => {
  it("keeps aligned rows of the kept ids", () => {
    const id = BigInt64Array.from({ length: 1000 }, (_, i) => BigInt(i) * 1000003n);
    const x = Float32Array.from({ length: 1000 }, (_, i) => i / 4);
    const out = downsample({ id, x }, { fraction: 0.3, seed: 1 });
    const idx = downsampleIndices(id, { fraction: 0.3, seed: 1 });
    expect(out.id.length).toBe(idx.length);
    expect(idx.length).toBeGreaterThan(200);
    for (let k = 0; k < idx.length; k++) {
      expect(out.id[k]).toBe(id[idx[k]]);
      expect(out.x[k]).toBe(x[idx[k]]);
      expect(hashId64(out.id[k] as bigint, 1) < BigInt(Math.floor(0.3 * 2 ** 64))).toBe(true);
    }
  });

  it("rejects bad input with typed errors naming the field", () => {
    const ids = new BigInt64Array(3);
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(HaloError);
        return [(e as ReduceError).constructor.name, (e as ReduceError).field];
      }
      return "no error";
    };
    expect(field(() => downsampleMask(ids, { fraction: 1.5 }))).toEqual(["ReduceError", "fraction"]);
    expect(field(() => downsampleMask(ids, { fraction: Number.NaN }))).toEqual(["ReduceError", "fraction"]);
    expect(field(() => downsampleMask(ids, { fraction: 0.5, seed: -1 }))).toEqual(["ReduceError", "seed"]);
    expect(field(() => downsampleMask(new Float64Array([1, 2.5]), { fraction: 0.5 }))).toEqual([
      "ReduceError",
      "ids[1]",
    ]);
    expect(field(() => downsampleMask(new Float32Array(2) as never, { fraction: 0.5 }))).toEqual([
      "ReduceError",
      "ids",
    ]);
    expect(field(() => downsample({ pid: ids }, { fraction: 0.5 }))).toEqual([
      "UnknownColumnError",
      "idColumn",
    ]);
    expect(UnknownColumnError.prototype).toBeInstanceOf(ReduceError);
  });
});
