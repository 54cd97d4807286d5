import { descqaPath } from "./reference-data.js";
import { readNumericTable } from "./table.js";

/** Names of the stellar mass function references. */
export type SmfReferenceName = "li-white-2009" | "moustakas-2013";

/**
 * A reference stellar mass function in its own conventions: bins in `log10 M*` with the paper's h
 * scaling (`hExponent`: x = log10(M* h^hExponent) for h = `hRef`, or h-scaled when `hRef` is null),
 * φ and its error per `volumeUnit` per dex.
 */
export interface SmfReference {
  name: SmfReferenceName;
  citation: string;
  path: string;
  binLo: Float64Array;
  binHi: Float64Array;
  phi: Float64Array;
  phiError: Float64Array;
  /** How x relates to the catalog's M* [M☉ for the catalog's h]. */
  massConvention: string;
  /** "h³ Mpc⁻³ dex⁻¹" (Li & White) or "Mpc⁻³ dex⁻¹ (h = 0.7)" (Moustakas). */
  phiUnit: string;
  /** Convert the catalog's log10 M* [M☉] to the reference's x, given the catalog's h. */
  toX(log10MstarMsun: number, h: number): number;
  /** Volume of a box of side L Mpc/h in the reference's volume unit. */
  volume(boxMpcH: number, h: number): number;
}

/**
 * Li & White 2009 SDSS SMF (`SMF/liwhite_2009/Li_White_2009_GSMF.txt`): 0.1-dex bins of
 * log10(M* h²/M☉), φ in h³ Mpc⁻³ dex⁻¹ with its error (data README § 8). x = log10 M* + 2 log10 h.
 */
export function liWhite2009(dataDir: string): SmfReference {
  const path = descqaPath(dataDir, "SMF/liwhite_2009/Li_White_2009_GSMF.txt");
  const rows = readNumericTable(path, 0, 5);
  return {
    name: "li-white-2009",
    citation: "Li & White 2009 (MNRAS 398, 2177), SDSS DR4",
    path,
    binLo: Float64Array.from(rows, (r) => r[0]),
    binHi: Float64Array.from(rows, (r) => r[1]),
    phi: Float64Array.from(rows, (r) => r[3]),
    phiError: Float64Array.from(rows, (r) => r[4]),
    massConvention: "log10(M* h² / M☉)",
    phiUnit: "h³ Mpc⁻³ dex⁻¹",
    toX: (lm, h) => lm + 2 * Math.log10(h),
    volume: (L) => L * L * L,
  };
}

/** The h of Moustakas et al. 2013 (H0 = 70 km/s/Mpc). */
export const MOUSTAKAS13_H = 0.7;

/**
 * Moustakas et al. 2013 PRIMUS/SDSS-GALEX z ≈ 0.01–0.2 SMF, all galaxies (`Table3.txt`, columns
 * 0–3): log10(M* / M☉) for h = 0.7 (bins ±0.05 around the listed centres), log10 Φ [Mpc⁻³ dex⁻¹] with
 * +/− errors in dex; φ error = φ ln 10 · (σ₊ + σ₋)/2. The catalog's M* (for its own h) is rescaled
 * as M* ∝ h⁻² and its volume as (L/0.7)³ Mpc³.
 */
export function moustakas2013(dataDir: string): SmfReference {
  const path = descqaPath(dataDir, "SMF/moustakas_et_al_2013/Table3.txt");
  const rows = readNumericTable(path, 0, 4);
  return {
    name: "moustakas-2013",
    citation: "Moustakas et al. 2013 (ApJ 767, 50), Table 3, all galaxies",
    path,
    binLo: Float64Array.from(rows, (r) => r[0] - 0.05),
    binHi: Float64Array.from(rows, (r) => r[0] + 0.05),
    phi: Float64Array.from(rows, (r) => 10 ** r[1]),
    phiError: Float64Array.from(
      rows,
      (r) => 10 ** r[1] * Math.LN10 * 0.5 * (Math.abs(r[2]) + Math.abs(r[3])),
    ),
    massConvention: "log10(M* / M☉) for h = 0.7",
    phiUnit: "Mpc⁻³ dex⁻¹ (h = 0.7)",
    toX: (lm, h) => lm + 2 * Math.log10(h / MOUSTAKAS13_H),
    volume: (L) => (L / MOUSTAKAS13_H) ** 3,
  };
}

/** The reference called `name`. */
export function smfReference(name: SmfReferenceName, dataDir: string): SmfReference {
  return name === "li-white-2009" ? liWhite2009(dataDir) : moustakas2013(dataDir);
}
