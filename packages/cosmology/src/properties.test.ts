import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Cosmology } from "./cosmology.js";
import { type MassFunctionName, massFunction } from "./mass-function.js";
import { CCL_MODEL1, OUTER_RIM, PLANCK18 } from "./params.js";
import { LinearPower, linearPower } from "./power.js";

/** Random cosmologies in and around the Mira-Titan ranges (w0–wa, curvature, with radiation). */
const anyCosmology = fc
  .record({
    omegaC: fc.double({ min: 0.15, max: 0.35, noNaN: true }),
    omegaB: fc.double({ min: 0.02, max: 0.06, noNaN: true }),
    h: fc.double({ min: 0.55, max: 0.85, noNaN: true }),
    nS: fc.double({ min: 0.85, max: 1.05, noNaN: true }),
    sigma8: fc.double({ min: 0.6, max: 1.0, noNaN: true }),
    omegaK: fc.double({ min: -0.05, max: 0.05, noNaN: true }),
    w0: fc.double({ min: -1.3, max: -0.7, noNaN: true }),
    wa: fc.double({ min: -1.0, max: 0.5, noNaN: true }),
  })
  // no early dark energy: w(a → 0) = w0 + wa <= −0.6 (else D is not ∝ a even at z = 1000)
  .map((c) => ({ ...c, wa: Math.min(c.wa, -0.6 - c.w0) }));

describe("properties over random w0–wa, curved cosmologies", () => {
  it("distances and times increase with z; the inverse returns z", () => {
    fc.assert(
      fc.property(anyCosmology, (input) => {
        const c = new Cosmology(input);
        const z = Float64Array.from({ length: 60 }, (_, i) => 0.05 * i * (1 + 0.1 * i));
        const chi = c.comovingRadialDistanceMpc(z);
        const look = c.lookbackTimeGyr(z);
        const age = c.ageGyr(z);
        for (let i = 1; i < z.length; i++) {
          expect(chi[i]).toBeGreaterThan(chi[i - 1]);
          expect(look[i]).toBeGreaterThan(look[i - 1]);
          expect(age[i]).toBeLessThan(age[i - 1]);
        }
        // age today = lookback to (almost) the big bang
        expect(Math.abs((c.lookbackTimeGyr(1e4) as number) / (age[0] as number) - 1)).toBeLessThan(1e-3);
        for (let i = 1; i < z.length; i += 7)
          expect(c.redshiftAtComovingDistanceMpc(chi[i]) as number).toBeCloseTo(z[i], 9);
      }),
      { numRuns: 25 },
    );
  });

  it("D(a) → a as a → 0 in matter domination; f → 1 there; σ(M) decreases; mass functions are positive", () => {
    fc.assert(
      fc.property(anyCosmology, (input) => {
        const c = new Cosmology({ ...input, omegaG: 0, nEff: 0 });
        for (const z of [1e3, 1e4]) {
          expect(Math.abs((c.growthFactorUnnormalised(z) as number) * (1 + z) - 1)).toBeLessThan(2e-3);
          expect(Math.abs((c.growthRate(z) as number) - 1)).toBeLessThan(2e-3);
        }
        const pk = linearPower(c);
        const masses = Float64Array.from({ length: 50 }, (_, i) => 10 ** (8 + 0.16 * i));
        const sigma = pk.sigmaMArray(masses);
        for (let i = 1; i < masses.length; i++) expect(sigma[i]).toBeLessThan(sigma[i - 1]);
        for (const name of [
          "press74",
          "sheth99",
          "jenkins01",
          "warren06",
          "tinker08",
          "angulo12",
          "bhattacharya11",
        ] as MassFunctionName[]) {
          for (const v of massFunction(pk, name, masses, 0.5)) expect(v).toBeGreaterThan(0);
        }
      }),
      { numRuns: 10 },
    );
  });
});

describe("ΛCDM limits, checked against closed forms", () => {
  it("w0 = −1, wa = 0, flat, no radiation: the age is (2/3H0√ΩΛ) asinh √(ΩΛ/Ωm) and D follows Heath's integral", () => {
    const c = new Cosmology({ ...CCL_MODEL1, omegaG: 0, w0: -1, wa: 0 });
    const { omegaM, omegaDE } = c.params;
    const age = (2 / (3 * Math.sqrt(omegaDE))) * Math.asinh(Math.sqrt(omegaDE / omegaM)) * c.hubbleTimeGyr;
    expect(Math.abs((c.ageGyr(0) as number) / age - 1)).toBeLessThan(1e-9);
    // Heath 1977: D(a) = (5Ωm/2) E(a) ∫₀^a da'/(a' E(a'))³ (→ a early), by a fine midpoint sum
    const heath = (a: number) => {
      const n = 200_000;
      let s = 0;
      for (let i = 0; i < n; i++) {
        const x = ((i + 0.5) / n) * a;
        const e = Math.sqrt(omegaM / x ** 3 + omegaDE);
        s += 1 / (x * e) ** 3;
      }
      return 2.5 * omegaM * Math.sqrt(omegaM / a ** 3 + omegaDE) * s * (a / n);
    };
    for (const z of [0, 0.5, 1, 3]) {
      expect(Math.abs((c.growthFactorUnnormalised(z) as number) / heath(1 / (1 + z)) - 1)).toBeLessThan(2e-6);
    }
  });

  it("a w0–wa model with w0 = −1, wa = 0 gives the ΛCDM numbers exactly", () => {
    const lcdm = new Cosmology({ omegaC: 0.26, omegaB: 0.05, h: 0.68, nS: 0.96, sigma8: 0.8 });
    const w = new Cosmology({ omegaC: 0.26, omegaB: 0.05, h: 0.68, nS: 0.96, sigma8: 0.8, w0: -1, wa: 0 });
    const z = [0.3, 1, 5];
    expect(Array.from(w.comovingRadialDistanceMpc(z))).toEqual(Array.from(lcdm.comovingRadialDistanceMpc(z)));
    expect(Array.from(w.growthFactor(z))).toEqual(Array.from(lcdm.growthFactor(z)));
  });
});

describe("σ integration", () => {
  it("σ8 equals the parameter it was normalised to; halving the ln k panels changes σ by < 1e-11; the table is within 1e-8 of the direct sums", () => {
    const c = new Cosmology(PLANCK18);
    const pk = linearPower(c);
    expect(pk.sigma8).toBeCloseTo(0.8102, 12);
    const fine = new LinearPower(c, "eisenstein-hu", 0.005);
    for (const r of [0.01, 0.5, 8, 40])
      expect(Math.abs(fine.sigmaR(r) / pk.sigmaR(r) - 1)).toBeLessThan(1e-11);
    for (const m of [3.3e8, 1e11, 7.7e13, 2e15]) {
      const direct = pk.sigmaDirect(m);
      expect(Math.abs(pk.sigmaM(m) / direct.sigma - 1)).toBeLessThan(1e-8);
      expect(Math.abs(pk.dlnSigmaDlnM(m) / direct.dlnSigmaDlnM - 1)).toBeLessThan(1e-5);
    }
  });

  it("normalising by A_s gives σ8 near Planck's for Planck's A_s (2.105e-9)", () => {
    const { sigma8: _, ...rest } = PLANCK18;
    const pk = linearPower(new Cosmology({ ...rest, aS: 2.105e-9 }));
    // EH98 without massive neutrinos: within 3 % of Planck's 0.8102
    expect(Math.abs(pk.sigma8 / 0.8102 - 1)).toBeLessThan(0.03);
  });

  it("the Outer Rim preset matches the amf reference σ(M) at 1e12 M☉/h to 1 % (EH transfer; amf uses a different k range)", () => {
    const c = new Cosmology(OUTER_RIM);
    const pk = linearPower(c);
    // amf golden row (data README): OuterRim z = 0, M = 1e12 M☉/h → σ = 1.950843
    expect(Math.abs(pk.sigmaM(1e12 / c.params.h) / 1.950843 - 1)).toBeLessThan(0.01);
  });
});
