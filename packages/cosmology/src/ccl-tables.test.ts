// The benchmark tables CCL itself is tested on (../shared/data/cosmo/ccl and cosmo/hmf, see the data
// README for each file's cosmology), at CCL's tolerances. Each test prints its largest deviation.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedData } from "@tessera/testkit";
import { describe, expect, it } from "vitest";
import { Cosmology } from "./cosmology.js";
import { type MassFunctionName, massFunction } from "./mass-function.js";
import { linearPower } from "./power.js";

const ccl = sharedData("cosmo/ccl");
const hmf = sharedData("cosmo/hmf");

/** Numeric rows of a whitespace table, `#` lines and header lines skipped. */
function table(path: string): number[][] {
  return readFileSync(path, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => line.split(/\s+/).map(Number));
}

const report = (what: string, deviation: number) =>
  console.log(`max relative deviation from CCL, ${what}: ${deviation.toExponential(2)}`);

/** What every CCL benchmark cosmology here shares: Ωc 0.25, Ωb 0.05, h 0.7, ns 0.96, no radiation. */
const CCL_BASE = { omegaC: 0.25, omegaB: 0.05, h: 0.7, nS: 0.96, nEff: 0, omegaG: 0 };

/** CCL's five distance/growth models (A_s = 2.1e-9): curvature, w0, wa. */
const MODELS = [
  { omegaK: 0, w0: -1, wa: 0 },
  { omegaK: 0, w0: -0.9, wa: 0 },
  { omegaK: 0, w0: -0.9, wa: 0.1 },
  { omegaK: 0.05, w0: -0.9, wa: 0.1 },
  { omegaK: -0.05, w0: -0.9, wa: 0.1 },
].map((m) => new Cosmology({ ...CCL_BASE, aS: 2.1e-9, ...m }));

describe.skipIf(!ccl.available)(
  "distances and growth of the five CCL models (ΛCDM, w0, w0–wa, open, closed)",
  () => {
    it("comoving radial distance (Mpc/h) to 1e-4 relative", () => {
      let worst = 0;
      for (const row of table(join(ccl.path, "chi_model1-5.txt"))) {
        MODELS.forEach((c, m) => {
          const ours = c.comovingRadialDistanceMpcH(row[0]) as number;
          if (row[0] === 0) expect(ours).toBe(0);
          else worst = Math.max(worst, Math.abs(ours / row[m + 1] - 1));
        });
      }
      report("comoving radial distance, models 1–5", worst);
      expect(worst).toBeLessThan(1e-4);
    });

    it("unnormalised growth factor to 1e-4 relative", () => {
      let worst = 0;
      for (const row of table(join(ccl.path, "growth_model1-5.txt"))) {
        MODELS.forEach((c, m) => {
          worst = Math.max(worst, Math.abs((c.growthFactorUnnormalised(row[0]) as number) / row[m + 1] - 1));
        });
      }
      report("unnormalised growth, models 1–5", worst);
      expect(worst).toBeLessThan(1e-4);
    });
  },
);

describe.skipIf(!ccl.available)("Eisenstein & Hu linear power (σ8 = 0.8, T_CMB = 2.725)", () => {
  const eh = new Cosmology({ ...CCL_BASE, sigma8: 0.8, tCmbK: 2.725 });

  it("with wiggles at z = 0 to 1e-5", () => {
    const pk = linearPower(eh, { transfer: "eisenstein-hu" });
    let worst = 0;
    for (const [k, p] of table(join(ccl.path, "model1_pk_eh.txt")))
      worst = Math.max(worst, Math.abs(pk.powerMpcH3(k, 0) / p - 1));
    report("EH98 P(k), z = 0", worst);
    expect(worst).toBeLessThan(1e-5);
  });

  it("without wiggles at z = 0 to 1e-5 and at z = 1…5 to 1e-4", () => {
    const pk = linearPower(eh, { transfer: "eisenstein-hu-nowiggle" });
    const worst = [0, 0, 0, 0, 0, 0];
    for (const row of table(join(ccl.path, "model1_nowig_pk_eh.txt"))) {
      for (let z = 0; z <= 5; z++)
        worst[z] = Math.max(worst[z], Math.abs(pk.powerMpcH3(row[0], z) / row[z + 1] - 1));
    }
    report("EH98 no-wiggle P(k), z = 0", worst[0]);
    report("EH98 no-wiggle P(k), z = 1…5", Math.max(...worst.slice(1)));
    expect(worst[0]).toBeLessThan(1e-5);
    expect(Math.max(...worst.slice(1))).toBeLessThan(1e-4);
  });
});

describe.skipIf(!ccl.available)("halo mass functions (Eisenstein–Hu, σ8 = 0.8), z = 0, 0.5, 1", () => {
  const c = new Cosmology({ ...CCL_BASE, sigma8: 0.8, tCmbK: 2.7255 });
  const pk = linearPower(c, { transfer: "eisenstein-hu" });
  const fits: Array<[MassFunctionName, string]> = [
    ["press74", "hmf_press74.txt"],
    ["sheth99", "hmf_sheth99.txt"],
    ["jenkins01", "hmf_jenkins01.txt"],
    ["tinker08", "hmf_tinker08.txt"],
    ["angulo12", "hmf_angulo12.txt"],
  ];
  it.each(fits)(
    "%s (%s): dn/dlog10 M (Mpc⁻³, M in M☉) within 1 percent at every mass and redshift",
    (name, file) => {
      const rows = table(join(ccl.path, file));
      const masses = rows.map((r) => r[0]);
      let worst = 0;
      [0, 0.5, 1].forEach((z, j) => {
        const ours = massFunction(pk, name, masses, z, { delta: 200, reference: "mean" });
        rows.forEach((r, i) => {
          worst = Math.max(worst, Math.abs(ours[i] / r[j + 1] - 1));
        });
      });
      report(`${name} mass function`, worst);
      expect(worst).toBeLessThan(0.01);
    },
  );
});

describe.skipIf(!hmf.available)("CCL's Tinker 2008 benchmark with BBKS (model1_hmf.txt)", () => {
  it("σ(M) to 3e-5 relative, log10[M²/ρ̄ dn/dM] to 5e-5 relative", () => {
    const c = new Cosmology({ ...CCL_BASE, sigma8: 0.8, tCmbK: 2.7 });
    const pk = linearPower(c, { transfer: "bbks" });
    let worstSigma = 0;
    let worstHmf = 0;
    for (const [log10M, sigma, , column] of table(join(hmf.path, "model1_hmf.txt"))) {
      const m = 10 ** log10M;
      worstSigma = Math.max(worstSigma, Math.abs(pk.sigmaM(m) / sigma - 1));
      const dndlnM = massFunction(pk, "tinker08", [m], 0)[0] / Math.LN10;
      const ours = Math.log10(((m * m) / c.meanMatterDensityMsunMpc3) * (dndlnM / m));
      worstHmf = Math.max(worstHmf, Math.abs(ours / column - 1));
    }
    report("σ(M), BBKS", worstSigma);
    report("log10[M²/ρ̄ dn/dM], Tinker 2008 + BBKS", worstHmf);
    expect(worstSigma).toBeLessThan(3e-5);
    expect(worstHmf).toBeLessThan(5e-5);
  });
});
