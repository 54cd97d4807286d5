import { join } from "node:path";
import { sharedDataRoot } from "@tessera/testkit";
import { describe, expect, it } from "vitest";
import { AMF_REFERENCE_RUNS, amfMassFunction, amfMultiplicity, readAmfFile } from "./amf.js";
import { hasSharedData } from "./reference-data.js";

const DIR = join(sharedDataRoot, "cosmo", "hmf");
const have = hasSharedData(sharedDataRoot);
if (!have) {
  console.warn(`!!! SKIPPING amf reproduction: ${DIR} is absent`);
  if (process.env.TESSERA_REQUIRE_DATA === "1") throw new Error(`shared data required: ${DIR}`);
}
/** Rows (0-based) of the model-1 BBKS files whose σ is amf's glitch (1.3–1.6 % high), and their neighbours for dn. */
const GLITCH = [67, 68, 70];
const GLITCH_DN = new Set([66, 67, 68, 69, 70, 71]);

describe.skipIf(!have)("DESCQA v1 amf reproduction", () => {
  it("reads the golden rows of the README", () => {
    const t = readAmfFile(join(DIR, "amf_OuterRim-cosmo_EH_TINK_z0.0_D200m.dat"));
    expect(t.massMsunH.length).toBe(100);
    expect(t.massMsunH[33]).toBeCloseTo(1e12, -3);
    expect([t.sigma[33], t.f[33], t.dndlog10m[33]]).toEqual([1.950843, 0.3402223, 8.20973e-3]);
    expect([t.sigma[66], t.f[66], t.dndlog10m[66]]).toEqual([0.8815291, 0.2270388, 8.024032e-5]);
  });

  for (const [file, params] of Object.entries(AMF_REFERENCE_RUNS)) {
    it(`reproduces ${file}`, () => {
      const ref = readAmfFile(join(DIR, file));
      const ours = amfMassFunction(params, ref.massMsunH);
      const f = amfMultiplicity(params.fit, params.z, params.delta);
      const bbks = params.transfer === "BBKS";
      let fErr = 0;
      let sErr = 0;
      let dErr = 0;
      for (let i = 1; i < 99; i++) {
        fErr = Math.max(fErr, Math.abs(f(ref.sigma[i]) / ref.f[i] - 1));
        if (bbks && GLITCH.includes(i)) {
          // documented glitch: amf's σ is 1.2–1.7 % above the smooth curve here
          expect(ours.sigma[i] / ref.sigma[i] - 1).toBeLessThan(-0.012);
          continue;
        }
        sErr = Math.max(sErr, Math.abs(ours.sigma[i] / ref.sigma[i] - 1));
        if (ref.sigma[i] >= 0.6 && !(bbks && GLITCH_DN.has(i))) {
          dErr = Math.max(dErr, Math.abs(ours.dndlog10m[i] / ref.dndlog10m[i] - 1));
        }
      }
      console.log(
        `${file}: max rel. f(σ_amf) ${fErr.toExponential(2)}, σ ${sErr.toExponential(2)}, dn/dlog10M ${dErr.toExponential(2)}`,
      );
      expect(fErr).toBeLessThan(1e-4); // the fit quirks, exactly
      expect(sErr).toBeLessThan(bbks ? 1e-4 : 1e-2);
      expect(dErr).toBeLessThan(bbks ? 1e-3 : 1.5e-2);
    });
  }

  it("golden model-1 rows within tolerance", () => {
    const g: [string, number, number][] = [
      ["TINK", 0.3328837, 9.541627e-3],
      ["PS", 0.4630507, 1.327267e-2],
      ["ST", 0.3126901, 8.962808e-3],
      ["JEN", 0.3148292, 9.024122e-3],
    ];
    for (const [fit, f12, dn12] of g) {
      const file = `amf_ccl-model1-cosmo_BBKS-GammaOmh_${fit}_z0_D200m.dat`;
      const ref = readAmfFile(join(DIR, file));
      const ours = amfMassFunction(AMF_REFERENCE_RUNS[file], ref.massMsunH);
      expect(Math.abs(ours.f[33] / f12 - 1)).toBeLessThan(1e-4);
      expect(Math.abs(ours.dndlog10m[33] / dn12 - 1)).toBeLessThan(1e-3);
    }
  });

  it("fails without the quirks (Tinker table values, −0.14 amplitude slope)", () => {
    const file = "amf_OuterRim-cosmo_EH_TINK_z1.006_D200m.dat";
    const ref = readAmfFile(join(DIR, file));
    // Tinker 2008 Table 2 at Δ = 200 with A ∝ (1+z)^−0.14: what @tessera/cosmology does
    const z = 1.006;
    const alpha = 10 ** -((0.75 / Math.log10(200 / 75)) ** 1.2);
    const paper = (s: number) =>
      0.186 *
      (1 + z) ** -0.14 *
      ((s / (2.57 * (1 + z) ** -alpha)) ** -(1.47 * (1 + z) ** -0.06) + 1) *
      Math.exp(-1.19 / (s * s));
    expect(Math.abs(paper(ref.sigma[33]) / ref.f[33] - 1)).toBeGreaterThan(0.05);
  });
});
