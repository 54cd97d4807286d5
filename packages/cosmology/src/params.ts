import { z } from "zod";
import { NEUTRINO_PER_PHOTON, OMEGA_PHOTON_H2_PER_K4 } from "./constants.js";
import { CosmologyParameterError } from "./errors.js";

/**
 * Cosmological parameters. Densities are today's, relative to critical; `omegaK` is curvature
 * (positive: open). Dark energy is CPL, w(a) = w0 + wa(1 − a), with the density that closes the
 * budget. Normalise the power spectrum by `sigma8` or by `aS` (one of them).
 */
export const CosmologyParamsSchema = z
  .object({
    /** Cold dark matter density Ωc. */
    omegaC: z.number(),
    /** Baryon density Ωb. */
    omegaB: z.number(),
    /** Curvature density Ωk (default 0: flat). */
    omegaK: z.number().default(0),
    /** H0 / (100 km/s/Mpc). */
    h: z.number(),
    /** Scalar spectral index. */
    nS: z.number(),
    /** rms of linear density in 8 Mpc/h spheres today. */
    sigma8: z.number().optional(),
    /** Amplitude of the primordial curvature power at k = 0.05 Mpc⁻¹. */
    aS: z.number().optional(),
    /** Dark energy equation of state today. */
    w0: z.number().default(-1),
    /** Its CPL slope: w(a) = w0 + wa (1 − a). */
    wa: z.number().default(0),
    /** CMB temperature today, K (sets the photon density and the Eisenstein–Hu Θ2.7). */
    tCmbK: z.number().default(2.7255),
    /** Effective number of massless neutrino species (their density joins the radiation). */
    nEff: z.number().default(3.046),
    /** Photon density Ωγ; default from `tCmbK`. Set 0 for no radiation (as CCL's distance tables). */
    omegaG: z.number().optional(),
  })
  .strict();

/** Parameters as given (defaults optional). */
export type CosmologyParamsInput = z.input<typeof CosmologyParamsSchema>;

/** Parameters with defaults applied and the derived densities. */
export interface CosmologyParams {
  omegaC: number;
  omegaB: number;
  omegaK: number;
  h: number;
  nS: number;
  sigma8?: number;
  aS?: number;
  w0: number;
  wa: number;
  tCmbK: number;
  nEff: number;
  /** Matter Ωm = Ωc + Ωb. */
  omegaM: number;
  /** Photons Ωγ. */
  omegaG: number;
  /** Massless neutrinos. */
  omegaNuRel: number;
  /** Dark energy: 1 − Ωm − Ωγ − Ων − Ωk. */
  omegaDE: number;
}

function check(ok: boolean, field: string, expected: string, found: number | undefined): void {
  if (!ok) {
    throw new CosmologyParameterError(`cosmological parameter ${field} is out of range`, {
      field,
      expected,
      found: String(found),
    });
  }
}

/**
 * Validate parameters (zod schema, then physical ranges) and derive the densities. Throws
 * {@link CosmologyParameterError} naming the parameter and its allowed range.
 */
export function cosmologyParams(input: CosmologyParamsInput): CosmologyParams {
  const parsed = CosmologyParamsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CosmologyParameterError("invalid cosmological parameters", {
      field: issue.path.join(".") || "(parameters)",
      expected: issue.message,
      found: JSON.stringify(issue.path.reduce<unknown>((v, k) => (v as never)?.[k as never], input)),
    });
  }
  const p = parsed.data;
  check(p.h > 0 && p.h < 10, "h", "0 < h < 10", p.h);
  check(p.omegaC >= 0, "omegaC", "omegaC >= 0", p.omegaC);
  check(p.omegaB >= 0, "omegaB", "omegaB >= 0", p.omegaB);
  check(p.omegaC + p.omegaB > 0, "omegaM", "omegaC + omegaB > 0", p.omegaC + p.omegaB);
  check(Math.abs(p.omegaK) < 1, "omegaK", "-1 < omegaK < 1", p.omegaK);
  check(p.tCmbK >= 0 && p.tCmbK < 100, "tCmbK", "0 <= tCmbK < 100 K", p.tCmbK);
  check(p.nEff >= 0 && p.nEff < 20, "nEff", "0 <= nEff < 20", p.nEff);
  check(p.nS > 0 && p.nS < 3, "nS", "0 < nS < 3", p.nS);
  check(p.sigma8 === undefined || p.sigma8 > 0, "sigma8", "sigma8 > 0", p.sigma8);
  check(p.aS === undefined || p.aS > 0, "aS", "aS > 0", p.aS);
  check(!(p.sigma8 !== undefined && p.aS !== undefined), "sigma8", "sigma8 or aS, not both", p.sigma8);
  check(
    p.w0 + p.wa < 0,
    "w0",
    "w0 + wa < 0 (dark energy that dilutes slower than matter early on)",
    p.w0 + p.wa,
  );
  const omegaG = p.omegaG ?? (OMEGA_PHOTON_H2_PER_K4 * p.tCmbK ** 4) / (p.h * p.h);
  check(omegaG >= 0 && omegaG < 0.01, "omegaG", "0 <= omegaG < 0.01", omegaG);
  const omegaNuRel = p.nEff * NEUTRINO_PER_PHOTON * omegaG;
  const omegaM = p.omegaC + p.omegaB;
  const omegaDE = 1 - omegaM - omegaG - omegaNuRel - p.omegaK;
  return { ...p, omegaM, omegaG, omegaNuRel, omegaDE };
}

/** Planck 2018 (TT,TE,EE+lowE+lensing+BAO; Planck 2018 VI, Table 2): massless neutrinos here. */
export const PLANCK18: CosmologyParamsInput = {
  h: 0.6766,
  omegaB: 0.02242 / 0.6766 ** 2,
  omegaC: 0.11933 / 0.6766 ** 2,
  nS: 0.9665,
  sigma8: 0.8102,
  tCmbK: 2.7255,
  nEff: 3.046,
};

/** WMAP-7 as run by the Outer Rim simulation: ωc = 0.1109, ωb = 0.02258, h = 0.71, ns = 0.963, σ8 = 0.8. */
export const OUTER_RIM: CosmologyParamsInput = {
  h: 0.71,
  omegaB: 0.02258 / 0.71 ** 2,
  omegaC: 0.1109 / 0.71 ** 2,
  nS: 0.963,
  sigma8: 0.8,
  tCmbK: 2.725,
  nEff: 3.04,
};

/** CCL's benchmark model 1: Ωc 0.25, Ωb 0.05, h 0.7, ns 0.96, σ8 0.8, flat ΛCDM, no neutrinos. */
export const CCL_MODEL1: CosmologyParamsInput = {
  omegaC: 0.25,
  omegaB: 0.05,
  h: 0.7,
  nS: 0.96,
  sigma8: 0.8,
  nEff: 0,
  tCmbK: 2.7255,
};
