import { describe, expect, it } from "vitest";
import { ValidateError } from "../errors.js";
import { chi2Covariance, hartlapFactor, jackknifeCovariance } from "./chi2.js";
import { rng } from "./test-helpers.js";

/** Poisson draw (Knuth) from a uniform generator. */
function poisson(u: () => number, lambda: number): number {
  const e = Math.exp(-lambda);
  let k = 0;
  for (let p = u(); p > e; p *= u()) k++;
  return k;
}

describe("jackknife χ² with the Hartlap factor", () => {
  it("is unbiased over Poisson catalogs drawn from the model (3³ regions, 6 bins): mean χ² ≈ dof", () => {
    // truth: counts per region and bin are Poisson with known means, so E[χ²] = dof for a correct test
    const u = rng(11);
    const regions = 27;
    const lambda = [40, 20, 10, 6, 4, 3];
    const p = lambda.length;
    const trials = 3000;
    let corrected = 0;
    let raw = 0;
    const f = hartlapFactor(regions, p);
    for (let t = 0; t < trials; t++) {
      const counts = Array.from({ length: regions }, () => lambda.map((l) => poisson(u, l)));
      const total = lambda.map((_, b) => counts.reduce((s, c) => s + c[b], 0));
      const samples = counts.map((c) =>
        Float64Array.from(total, (T, b) => ((T - c[b]) * regions) / (regions - 1)),
      );
      const residual = Float64Array.from(total, (T, b) => T - regions * lambda[b]);
      const chi2 = chi2Covariance(residual, jackknifeCovariance(samples));
      raw += chi2 / trials;
      corrected += (f * chi2) / trials;
    }
    console.log(
      `jackknife χ² over ${trials} Poisson catalogs, dof ${p}: raw mean ${raw.toFixed(2)}, Hartlap-corrected ${corrected.toFixed(2)}`,
    );
    expect(Math.abs(corrected - p)).toBeLessThan(0.1 * p);
    expect(raw).toBeGreaterThan(1.25 * p); // without the factor the test fails too often
  });

  it("needs more regions than bins + 2", () => {
    expect(hartlapFactor(27, 6)).toBeCloseTo(19 / 26, 15);
    expect(() => hartlapFactor(8, 6)).toThrow(ValidateError);
    expect(() => hartlapFactor(8, 6)).toThrow(/field: jackknifeDivisions/);
  });
});
