import { describe, expect, it } from "vitest";
import { abundanceMatch, cumulativeSmf } from "./abundance-matching.js";
import { mockGalaxies } from "./mock-galaxies.js";

/** Schechter dn/dlog10 M: ln10 φ* x^(α+1) e^(−x), x = M/M*. */
const schechter = (lm: number) => {
  const x = 10 ** (lm - 10.7);
  return Math.LN10 * 0.004 * x ** (1 - 1.2) * Math.exp(-x);
};
const grid = Array.from({ length: 41 }, (_, i) => 8.5 + 0.1 * i); // 8.5 … 12.5
const SMF = { log10Mass: grid, phiPerMpc3PerDex: grid.map(schechter) };

/** Halo masses from dN/dlog M ∝ M^−0.9 between 1e10.5 and 1e15 (inverse CDF, own LCG for independence). */
function randomHalos(n: number): { ids: Float64Array; mass: Float64Array } {
  let s = 12345;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  const a = 10 ** (-0.9 * 10.5);
  const b = 10 ** (-0.9 * 15);
  const mass = Float64Array.from({ length: n }, () => (a - u() * (a - b)) ** (-1 / 0.9));
  return { ids: Float64Array.from({ length: n }, (_, i) => i * 3 + 1), mass };
}

/** Expected galaxies in [lo, hi) dex for the Schechter SMF: fine midpoint sum. */
function expectedCount(lo: number, hi: number, volume: number): number {
  let s = 0;
  const steps = 400;
  for (let k = 0; k < steps; k++) s += schechter(lo + ((k + 0.5) * (hi - lo)) / steps) * ((hi - lo) / steps);
  return s * volume;
}

describe("abundance matching", () => {
  it("integrates the SMF table: exact for a power law, 0.3% for a Schechter sampled every 0.1 dex", () => {
    // φ = 1e-3 · 10^(−0.7 (lm − 9)) is log-linear, so the interpolant is exact: N(>lm) analytic
    const xs = [8, 9, 10.5, 12];
    const pl = (lm: number) => 1e-3 * 10 ** (-0.7 * (lm - 9));
    const cumPl = cumulativeSmf({ log10Mass: xs, phiPerMpc3PerDex: xs.map(pl) });
    const exact = (lm: number) => (pl(lm) - pl(12)) / (0.7 * Math.LN10);
    for (const [k, lm] of [
      [0, 8],
      [32, 9],
      [48, 9.75],
    ] as const) {
      expect(cumPl.log10Mass[k]).toBeCloseTo(lm, 12);
      expect(cumPl.numberDensity[k] / exact(lm)).toBeCloseTo(1, 3); // trapezoid on 32 sub-steps
    }
    const cum = cumulativeSmf(SMF);
    const at = (lm: number) => cum.numberDensity[Math.round((lm - 8.5) * 320)];
    expect(Math.abs(at(10) / expectedCount(10, 12.5, 1) - 1)).toBeLessThan(0.004); // measured 0.0027
    expect(at(12.5)).toBe(0);
  });

  it("reproduces the target SMF on a random halo catalog, with and without scatter (Poisson-level)", () => {
    const n = 60_000;
    const { ids, mass } = randomHalos(n);
    const volume = n / (expectedCount(8.5, 12.5, 1) * 1.05); // ~5% of the halos lie beyond the SMF's low end
    for (const scatterDex of [0, 0.3]) {
      const ms = abundanceMatch(ids, mass, { smf: SMF, volumeMpc3: volume, scatterDex, seed: 2 });
      for (let lo = 9.2; lo < 11.6; lo += 0.2) {
        let count = 0;
        for (const m of ms) if (m >= 10 ** lo && m < 10 ** (lo + 0.2)) count++;
        const want = expectedCount(lo, lo + 0.2, volume);
        // by construction the counts follow the target to ±1 (rank discreteness); allow 2σ Poisson
        expect(Math.abs(count - want)).toBeLessThan(Math.max(2, 2 * Math.sqrt(want)));
      }
      let nan = 0;
      for (const m of ms) if (Number.isNaN(m)) nan++;
      expect(nan).toBeGreaterThan(0); // the ~5% of halos beyond the SMF's low end
      expect(nan).toBeLessThan(0.1 * n);
      // rank order: exact without scatter, broken with it
      let inversions = 0;
      const order = Array.from(mass.keys()).sort((i, j) => mass[j] - mass[i]);
      for (let k = 1; k < 2000; k++) if (ms[order[k]] > ms[order[k - 1]]) inversions++;
      if (scatterDex === 0) expect(inversions).toBe(0);
      else expect(inversions).toBeGreaterThan(500);
    }
  });

  it("works through mockGalaxies with the box volume (L/h)³", () => {
    const n = 2000;
    const { ids, mass } = randomHalos(n);
    const box = 50;
    const halos = {
      fof_halo_tag: ids,
      fof_halo_mass: mass,
      fof_halo_center_x: new Float64Array(n),
      fof_halo_center_y: new Float64Array(n),
      fof_halo_center_z: new Float64Array(n),
    };
    const cosmology = { omegaC: 0.25, omegaB: 0.05, h: 0.5, nS: 0.96, sigma8: 0.8 };
    const { galaxies, provenance } = mockGalaxies(halos, {
      relation: "abundance-matching",
      redshift: 0,
      cosmology,
      smf: SMF,
      boxSize: box,
      scatterDex: 0,
    });
    const direct = abundanceMatch(ids, mass, { smf: SMF, volumeMpc3: (box / 0.5) ** 3, scatterDex: 0 });
    expect(galaxies.stellar_mass).toEqual(direct);
    expect(provenance.parameters.relation).toBe("abundance-matching");
    expect(() =>
      mockGalaxies(halos, { relation: "abundance-matching", redshift: 0, cosmology, smf: SMF }),
    ).toThrow(/field: boxSize/);
  });
});
