import { describe, expect, it } from "vitest";
import { centralStellarMasses } from "./central-masses.js";
import { MockGalaxyError } from "./errors.js";

const N = 100_000;
const ids = BigInt64Array.from({ length: N }, (_, i) => BigInt(i) * 7919n + 1_000_000_000_000n);

describe("centralStellarMasses", () => {
  it("converts M☉/h to M☉ with h before the relation (python: Moster z=0 at log10(1e12/0.7) → 10.626077754459972)", () => {
    const m = centralStellarMasses(new Float64Array([1]), new Float64Array([1e12]), {
      relation: "moster13",
      redshift: 0,
      h: 0.7,
      scatterDex: 0,
    });
    expect(Math.log10(m[0])).toBeCloseTo(10.626077754459972, 10);
  });

  it("has the requested log-normal scatter (measured dex on 100,000 halos of one mass) around the relation", () => {
    const mass = new Float64Array(N).fill(1e12);
    for (const sigma of [0.15, 0.3]) {
      const ms = centralStellarMasses(ids, mass, {
        relation: "behroozi13",
        redshift: 0.5,
        h: 0.71,
        scatterDex: sigma,
        seed: 3,
      });
      const mean0 = Math.log10(
        centralStellarMasses(ids.subarray(0, 1), mass.subarray(0, 1), {
          relation: "behroozi13",
          redshift: 0.5,
          h: 0.71,
          scatterDex: 0,
        })[0],
      );
      let s = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < N; i++) {
        const d = Math.log10(ms[i]) - mean0;
        s += d;
        s2 += d * d;
        s3 += d * d * d;
      }
      const mean = s / N;
      const sd = Math.sqrt(s2 / N - mean * mean);
      // standard errors: σ/√N = 0.0005 (mean), σ/√(2N) = 0.00034 (sd) at σ = 0.15
      expect(Math.abs(mean)).toBeLessThan(5 * (sigma / Math.sqrt(N)));
      expect(Math.abs(sd - sigma)).toBeLessThan(5 * (sigma / Math.sqrt(2 * N)));
      expect(Math.abs(s3 / N / sigma ** 3)).toBeLessThan(0.05); // symmetric in log (log-normal)
    }
  });

  it("gives a halo the same stellar mass whatever the order or subset, and for BigInt or number ids", () => {
    const n = 5000;
    const id = ids.subarray(0, n);
    const mass = Float64Array.from({ length: n }, (_, i) => 10 ** (10.5 + (4 * i) / n));
    const opts = { relation: "moster13" as const, redshift: 0, h: 0.7, scatterDex: 0.2, seed: 11 };
    const all = centralStellarMasses(id, mass, opts);
    // reversed every-third subset
    const pick = Array.from({ length: Math.floor(n / 3) }, (_, k) => n - 1 - 3 * k);
    const sub = centralStellarMasses(
      BigInt64Array.from(pick.map((i) => id[i])),
      Float64Array.from(pick.map((i) => mass[i])),
      opts,
    );
    pick.forEach((i, k) => {
      expect(sub[k]).toBe(all[i]);
    });
    const asNumbers = centralStellarMasses(Float64Array.from(id, Number), mass, opts);
    expect(asNumbers).toEqual(all);
    const otherSeed = centralStellarMasses(id, mass, { ...opts, seed: 12 });
    let same = 0;
    for (let i = 0; i < n; i++) if (otherSeed[i] === all[i]) same++;
    expect(same).toBe(0);
  });

  it("returns NaN for halos without a positive mass and rejects bad options naming them", () => {
    const m = centralStellarMasses(new Float64Array([1, 2]), new Float64Array([0, Number.NaN]), {
      relation: "moster13",
      redshift: 0,
      h: 0.7,
    });
    expect(Array.from(m).every(Number.isNaN)).toBe(true);
    const bad = (o: object) => () =>
      centralStellarMasses(new Float64Array([1]), new Float64Array([1e12]), {
        relation: "moster13",
        redshift: 0,
        h: 0.7,
        ...o,
      });
    expect(bad({ scatterDex: -0.1 })).toThrow(/field: scatterDex/);
    expect(bad({ seed: 1.5 })).toThrow(MockGalaxyError);
    expect(bad({ h: 0 })).toThrow(/field: cosmology.h/);
  });
});
