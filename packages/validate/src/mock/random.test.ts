import { hashId64 } from "@tessera/halo";
import { describe, expect, it } from "vitest";
import { IdHalves, IdRandom } from "./random.js";

// Independent reference: splitmix64 written with BigInt, following the scheme in random.ts's TSDoc.
const M = (1n << 64n) - 1n;
const G = 0x9e3779b97f4a7c15n;
function mix(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
  return z ^ (z >> 31n);
}
function referenceStream(id: bigint, seed: number, stream: number, n: number): bigint[] {
  const key = mix((BigInt.asUintN(64, id) + BigInt(seed + 1) * G) & M);
  let s = mix(key ^ ((BigInt(stream) << 32n) | 0x632be5abn));
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    s = (s + G) & M;
    out.push(mix(s));
  }
  return out;
}

describe("IdRandom", () => {
  it("reproduces a BigInt splitmix64 reference for ids across the 64-bit range", () => {
    const ids = [0n, 1n, 42n, -1n, -123456789012345n, 2n ** 62n + 12345n, 9007199254740993n];
    const rng = new IdRandom();
    for (const id of ids) {
      for (const [seed, stream] of [
        [0, 0],
        [7, 3],
        [4294967295, 5],
      ]) {
        const u = BigInt.asUintN(64, id);
        rng.reset(Number(u >> 32n), Number(u & 0xffffffffn), seed, stream);
        for (const want of referenceStream(id, seed, stream, 5)) {
          rng.next64();
          expect((BigInt(rng.outHi) << 32n) | BigInt(rng.outLo)).toBe(want);
        }
      }
    }
  });

  it("keys its streams on the same id hash as @tessera/halo's hashId64", () => {
    // mix64(id + (seed+1)γ) is hashId64; check our first mix through the reference above
    const id = 987654321987n;
    expect(mix((id + 3n * G) & M)).toBe(hashId64(id, 2));
  });

  it("gives uniforms with the right moments and normals with unit variance", () => {
    const rng = new IdRandom().reset(0, 12345, 1, 1);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    let g = 0;
    let g2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      if (!(u >= 0 && u < 1)) outside++;
      s += u;
      s2 += u * u;
      const x = rng.normal();
      g += x;
      g2 += x * x;
    }
    expect(outside).toBe(0);
    expect(Math.abs(s / n - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(s2 / n - 1 / 3)).toBeLessThan(0.003);
    expect(Math.abs(g / n)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(g2 / n - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
  });

  it("draws Poisson counts with mean and variance equal to the mean (also above the 500 split)", () => {
    const rng = new IdRandom();
    for (const mean of [0.3, 4, 700]) {
      const n = mean > 100 ? 4000 : 50_000;
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const k = rng.reset(0, i, 9, 2).poisson(mean);
        s += k;
        s2 += k * k;
      }
      const m = s / n;
      const v = s2 / n - m * m;
      expect(Math.abs(m - mean)).toBeLessThan(4 * Math.sqrt(mean / n));
      expect(Math.abs(v / mean - 1)).toBeLessThan(0.1);
    }
  });
});

describe("IdHalves", () => {
  it("reads BigInt64Array and Float64Array ids to the same halves, negatives as two's complement", () => {
    const values = [0, 5, -1, -4294967297, 2 ** 52 + 3, 123456789012];
    const big = new IdHalves(BigInt64Array.from(values.map(BigInt)));
    const num = new IdHalves(Float64Array.from(values));
    values.forEach((v, i) => {
      big.read(i);
      num.read(i);
      const u = BigInt.asUintN(64, BigInt(v));
      expect([num.hi, num.lo]).toEqual([Number(u >> 32n), Number(u & 0xffffffffn)]);
      expect([big.hi, big.lo]).toEqual([num.hi, num.lo]);
    });
  });
});
