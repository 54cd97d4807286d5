/**
 * DESCQA v1 compatibility: the analytic mass functions of DESCQA v1's Fortran `amf` (Lukic et al.
 * 2007), rebuilt on `@tessera/cosmology` with amf's conventions and quirks (see the README section
 * "DESCQA-v1 compatibility mode").
 */
import { cosmology, LinearPower } from "@tessera/cosmology";
import { ValidationConfigError } from "./errors.js";
import { readNumericTable } from "./table.js";

/** amf's fits: Tinker 2008 (Δ-fit formulas), Sheth–Tormen, Press–Schechter, Jenkins 2001. */
export type AmfFit = "TINK" | "ST" | "PS" | "JEN";

/** amf's `input.par` (Ωm, Ωb, h, σ8, n, transfer, fit, z, Δ); w0 = −1, wa = 0, δc = 1.686 as in every shipped run. */
export interface AmfParameters {
  omegaM: number;
  omegaB: number;
  h: number;
  sigma8: number;
  nS: number;
  /** `EH` (Eisenstein–Hu, no wiggles here) or `BBKS` (Γ = Ωm h, no baryon correction). */
  transfer: "EH" | "BBKS";
  fit: AmfFit;
  z: number;
  /** Overdensity × mean (TINK only; default 200). */
  delta?: number;
}

/** ρ_c that amf uses, h² M☉ Mpc⁻³, back-solved from its files' own σ, f and dn/dlog10M columns (7 digits on rows 2–99). */
export const AMF_RHO_CRITICAL = 2.775195e11;
/** amf's δc. */
export const AMF_DELTA_C = 1.686;
/**
 * amf's BBKS σ(M) is this factor below a σ8-normalised BBKS with Γ = Ωm h, at every mass (measured on
 * the four model-1 files: 1.0164 ± 1e-4 on 99 of 100 rows). An amplitude offset whose cause in the
 * Fortran is not identified; replicated as a constant.
 */
export const AMF_BBKS_SIGMA_FACTOR = 1.01636;
/** The CMB temperature amf's Eisenstein–Hu uses (2.728 K matches its σ(M) best: ≤ 0.7 % over 1e10–1e16). */
export const AMF_T_CMB_K = 2.728;

/** One row of an amf output: σ(M, z), f(σ), M [M☉/h], dn/dlog10M [h³ Mpc⁻³ dex⁻¹]. */
export interface AmfTable {
  sigma: Float64Array;
  f: Float64Array;
  massMsunH: Float64Array;
  dndlog10m: Float64Array;
}

/** Read an `amf_*.dat` file (two `#` header lines, four columns). */
export function readAmfFile(path: string): AmfTable {
  const rows = readNumericTable(path, 0, 4);
  return {
    sigma: Float64Array.from(rows, (r) => r[0]),
    f: Float64Array.from(rows, (r) => r[1]),
    massMsunH: Float64Array.from(rows, (r) => r[2]),
    dndlog10m: Float64Array.from(rows, (r) => r[3]),
  };
}

/** amf's multiplicity f(σ) at redshift z. */
export function amfMultiplicity(fit: AmfFit, z: number, delta = 200): (sigma: number) => number {
  switch (fit) {
    case "TINK": {
      const ld = Math.log10(delta);
      const alpha = 10 ** -((0.75 / Math.log10(delta / 75)) ** 1.2);
      // Δ-fit formulas of Tinker 2008 (not Table 2), and A ∝ (1+z)^−0.26 (the paper has −0.14)
      const A = (0.1 * ld - 0.05) * (1 + z) ** -0.26;
      const a = (1.43 + (ld - 2.3) ** 1.5) * (1 + z) ** -0.06;
      const b = (1 + (ld - 1.6) ** -1.5) * (1 + z) ** -alpha;
      const c = 1.2 + Math.abs(ld - 2.35) ** 1.6;
      return (s) => A * ((s / b) ** -a + 1) * Math.exp(-c / (s * s));
    }
    case "ST":
      return (s) => {
        // biome-ignore lint/suspicious/noApproximativeNumericConstant: Sheth & Tormen's fitted a, not 1/√2
        const anu2 = (0.707 * AMF_DELTA_C * AMF_DELTA_C) / (s * s);
        return 0.3222 * Math.sqrt((2 * anu2) / Math.PI) * (1 + anu2 ** -0.3) * Math.exp(-0.5 * anu2);
      };
    case "PS":
      return (s) => {
        const nu = AMF_DELTA_C / s;
        return Math.sqrt(2 / Math.PI) * nu * Math.exp(-0.5 * nu * nu);
      };
    case "JEN":
      return (s) => 0.315 * Math.exp(-(Math.abs(Math.log(1 / s) + 0.61) ** 3.8));
    default:
      throw new ValidationConfigError("unknown amf fit", {
        field: "fit",
        expected: "TINK, ST, PS or JEN",
        found: String(fit),
      });
  }
}

/**
 * amf's mass function on a log-spaced mass grid [M☉/h]: σ(M, z) from `@tessera/cosmology` with amf's
 * transfer conventions, f(σ) with its fit quirks, and dn/dlog10M = f ρ0/M · dln σ⁻¹/dlog10M by a
 * central difference on the grid itself (one-sided at the two ends, where amf differs: compare rows
 * 2…n−1).
 */
export function amfMassFunction(params: AmfParameters, massMsunH: ArrayLike<number>): AmfTable {
  const { h } = params;
  const bbks = params.transfer === "BBKS";
  // BBKS with Γ = Ωm h: @tessera/cosmology's BBKS has Sugiyama's Γ, which is Ωm h when Ωb = 0 (and Ωb
  // enters nothing else of the BBKS σ: growth and ρ̄ depend on Ωm only)
  const cosmo = cosmology({
    omegaC: bbks ? params.omegaM : params.omegaM - params.omegaB,
    omegaB: bbks ? 0 : params.omegaB,
    h,
    nS: params.nS,
    sigma8: params.sigma8,
    nEff: 0,
    omegaG: 0,
    tCmbK: AMF_T_CMB_K,
  });
  const power = new LinearPower(cosmo, bbks ? "bbks" : "eisenstein-hu-nowiggle");
  const growth = params.z === 0 ? 1 : (cosmo.growthFactor(params.z) as number);
  const factor = bbks ? AMF_BBKS_SIGMA_FACTOR : 1;
  const n = massMsunH.length;
  const sigma = Float64Array.from(massMsunH, (m) => (power.sigmaM(m / h) * growth) / factor);
  const f = Float64Array.from(sigma, amfMultiplicity(params.fit, params.z, params.delta ?? 200));
  const rho0 = AMF_RHO_CRITICAL * params.omegaM;
  const dndlog10m = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - 1);
    const hi = Math.min(n - 1, i + 1);
    const slope =
      -(Math.log(sigma[hi]) - Math.log(sigma[lo])) / (Math.log10(massMsunH[hi]) - Math.log10(massMsunH[lo]));
    dndlog10m[i] = ((f[i] * rho0) / massMsunH[i]) * slope;
  }
  return { sigma, f, massMsunH: Float64Array.from(massMsunH), dndlog10m };
}

/** The parameters of the six shipped `amf_*.dat` files (../shared/data/cosmo/hmf, README § 7). */
export const AMF_REFERENCE_RUNS: Record<string, AmfParameters> = (() => {
  const outerRim = {
    omegaM: 0.26479,
    omegaB: 0.04479,
    h: 0.71,
    sigma8: 0.8,
    nS: 0.963,
    transfer: "EH" as const,
  };
  const model1 = { omegaM: 0.3, omegaB: 0.05, h: 0.7, sigma8: 0.8, nS: 0.96, transfer: "BBKS" as const };
  return {
    "amf_OuterRim-cosmo_EH_TINK_z0.0_D200m.dat": { ...outerRim, fit: "TINK", z: 0, delta: 200 },
    "amf_OuterRim-cosmo_EH_TINK_z1.006_D200m.dat": { ...outerRim, fit: "TINK", z: 1.006, delta: 200 },
    "amf_ccl-model1-cosmo_BBKS-GammaOmh_TINK_z0_D200m.dat": { ...model1, fit: "TINK", z: 0, delta: 200 },
    "amf_ccl-model1-cosmo_BBKS-GammaOmh_ST_z0_D200m.dat": { ...model1, fit: "ST", z: 0 },
    "amf_ccl-model1-cosmo_BBKS-GammaOmh_PS_z0_D200m.dat": { ...model1, fit: "PS", z: 0 },
    "amf_ccl-model1-cosmo_BBKS-GammaOmh_JEN_z0_D200m.dat": { ...model1, fit: "JEN", z: 0 },
  };
})();
