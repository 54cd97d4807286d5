/**
 * Halo occupation distribution of Zheng et al. 2007 (ApJ 667, 760): mean numbers of central and
 * satellite galaxies per halo. Masses in M☉/h, as the catalog and the published fits use.
 */
import { checkNumber } from "./columns.js";

/** Parameters of the Zheng 2007 HOD (log10 masses in M☉/h). */
export interface Zheng07Parameters {
  /** log10 of the mass at which half the halos host a central. */
  logMmin: number;
  /** Width σ_logM of the central step (in log10 M, > 0). */
  sigmaLogM: number;
  /** log10 M0: satellites only above M0. */
  logM0: number;
  /** log10 M1′: the satellite normalisation mass. */
  logM1: number;
  /** Slope α of the satellite power law. */
  alpha: number;
  /** Multiply ⟨N_sat⟩ by ⟨N_cen⟩ (as written in the issue; default true). */
  modulateWithCentrals?: boolean;
}

/**
 * An example: the Zheng 2007 fit to SDSS galaxies brighter than M_r − 5 log h = −20 (the defaults of
 * halotools' `zheng07` model: log Mmin 12.02, σ 0.26, log M0 11.38, log M1′ 13.31, α 1.06).
 */
export const ZHENG07_MR20: Readonly<Zheng07Parameters> = Object.freeze({
  logMmin: 12.02,
  sigmaLogM: 0.26,
  logM0: 11.38,
  logM1: 13.31,
  alpha: 1.06,
  modulateWithCentrals: true,
});

/** erf(x) (Abramowitz & Stegun 7.1.26; |error| < 1.5e-7). */
export function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return s * (1 - poly * Math.exp(-a * a));
}

/** ⟨N_cen⟩(M) = ½ [1 + erf((log10 M − log10 Mmin)/σ_logM)], M in M☉/h. */
export function zheng07MeanCentrals(massMsunH: number, p: Zheng07Parameters): number {
  if (!(massMsunH > 0)) return 0;
  return 0.5 * (1 + erf((Math.log10(massMsunH) - p.logMmin) / p.sigmaLogM));
}

/** ⟨N_sat⟩(M) = [⟨N_cen⟩(M)] ((M − M0)/M1′)^α for M > M0, else 0; M in M☉/h. */
export function zheng07MeanSatellites(massMsunH: number, p: Zheng07Parameters): number {
  const m0 = 10 ** p.logM0;
  if (!(massMsunH > m0)) return 0;
  const n = ((massMsunH - m0) / 10 ** p.logM1) ** p.alpha;
  return p.modulateWithCentrals === false ? n : n * zheng07MeanCentrals(massMsunH, p);
}

/** Checks HOD parameters, naming the bad one. */
export function checkZheng07(p: Zheng07Parameters, field = "hod"): Zheng07Parameters {
  checkNumber(p?.logMmin, `${field}.logMmin`, 0, 20);
  checkNumber(p.sigmaLogM, `${field}.sigmaLogM`, 1e-6, 10, "a width > 0 (dex)");
  checkNumber(p.logM0, `${field}.logM0`, 0, 20);
  checkNumber(p.logM1, `${field}.logM1`, 0, 20);
  checkNumber(p.alpha, `${field}.alpha`, 0, 5);
  return p;
}
