import { describe, expect, it } from "vitest";
import { Cosmology, cosmology } from "./cosmology.js";
import { CosmologyParameterError, OutOfDomainError } from "./errors.js";
import { massFunction } from "./mass-function.js";
import { CCL_MODEL1 } from "./params.js";
import { linearPower } from "./power.js";

describe("unphysical parameters give typed errors naming the parameter and the allowed range", () => {
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["Ωm <= 0", { omegaC: 0, omegaB: 0 }, "omegaM", /omegaC \+ omegaB > 0/],
    ["negative h", { h: -0.7 }, "h", /0 < h < 10/],
    ["σ8 <= 0", { sigma8: 0 }, "sigma8", /sigma8 > 0/],
    ["negative Ωb", { omegaB: -0.01 }, "omegaB", /omegaB >= 0/],
    ["σ8 and A_s both", { aS: 2e-9 }, "sigma8", /sigma8 or aS, not both/],
    ["a string for h", { h: "0.7" }, "h", /number/],
    ["an unknown field", { omega_c: 0.25 }, "(parameters)", /omega_c|Unrecognized/],
  ];
  it.each(cases)("%s", (_name, change, field, expected) => {
    let error: unknown;
    try {
      cosmology({ ...CCL_MODEL1, ...change } as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CosmologyParameterError);
    expect((error as CosmologyParameterError).field).toBe(field);
    expect((error as Error).message).toMatch(expected);
  });
});

describe("quantities with no real value", () => {
  it("a closed universe: distances past the antipode are an OutOfDomainError naming the limit", () => {
    // strongly closed (Ωk = −0.8, ΩΛ = 1.5): the antipode χ = π c/(H0 √0.8) lies at a finite redshift
    const c = new Cosmology({
      omegaC: 0.25,
      omegaB: 0.05,
      h: 0.7,
      nS: 0.96,
      sigma8: 0.8,
      omegaK: -0.8,
      omegaG: 0,
      nEff: 0,
    });
    const limitMpc = (Math.PI / Math.sqrt(0.8)) * c.hubbleDistanceMpc;
    let z = 0.1;
    while ((c.comovingRadialDistanceMpc(z) as number) < limitMpc) z *= 1.5;
    expect(() => c.angularDiameterDistanceMpc(z)).toThrow(OutOfDomainError);
    expect(() => c.angularDiameterDistanceMpc(z)).toThrow(/antipode/);
    expect(c.angularDiameterDistanceMpc(0.1)).toBeGreaterThan(0);
  });

  it("negative or non-finite redshifts, masses outside the σ table, Tinker's Δ outside 200–3200", () => {
    const c = new Cosmology(CCL_MODEL1);
    expect(() => c.comovingRadialDistanceMpc(-0.5)).toThrow(OutOfDomainError);
    expect(() => c.growthFactor(Number.NaN)).toThrow(/finite z >= 0/);
    const pk = linearPower(c);
    expect(() => pk.sigmaM(1e20)).toThrow(/1e2 to 1e18/);
    expect(() => massFunction(pk, "tinker08", [1e13], 0, { delta: 100 })).toThrow(CosmologyParameterError);
    expect(() => massFunction(pk, "tinker08", [1e13], 0, { delta: 5000 })).toThrow(/200 to 3200/);
  });
});
