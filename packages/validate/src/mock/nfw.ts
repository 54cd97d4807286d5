/**
 * NFW profiles for placing satellites: enclosed-mass fraction, its inverse, the Duffy et al. 2008
 * concentration–mass relation and R200c from a mass.
 */
import { RHO_CRITICAL_MSUN_MPC3_H2 } from "@tessera/cosmology";

/** μ(x) = ln(1 + x) − x/(1 + x): NFW mass within x = r/r_s, in units of 4π ρ_s r_s³. */
export function nfwMu(x: number): number {
  // series for small x avoids cancellation: μ = x²/2 − 2x³/3 + 3x⁴/4 − …
  if (x < 1e-4) return x * x * (0.5 - (2 / 3) * x + 0.75 * x * x);
  return Math.log1p(x) - x / (1 + x);
}

/** Fraction of the NFW mass within r of a halo truncated at R = c r_s: μ(c r/R)/μ(c), r ≤ R. */
export function nfwEnclosedFraction(rOverR: number, concentration: number): number {
  if (rOverR <= 0) return 0;
  if (rOverR >= 1) return 1;
  return nfwMu(concentration * rOverR) / nfwMu(concentration);
}

/**
 * r/R at which the NFW enclosed fraction (truncated at R = c r_s) equals `fraction` in [0, 1]:
 * Newton steps on μ(x) = fraction · μ(c), kept inside a bisection bracket (|Δx| < 1e-12 x).
 */
export function nfwRadiusAtFraction(fraction: number, concentration: number): number {
  if (fraction <= 0) return 0;
  if (fraction >= 1) return 1;
  const c = concentration;
  const target = fraction * nfwMu(c);
  let lo = 0;
  let hi = c;
  let x = Math.min(Math.sqrt(2 * target), c / 2); // μ ≈ x²/2 for small x
  for (let it = 0; it < 100; it++) {
    const f = nfwMu(x) - target;
    if (f > 0) hi = x;
    else lo = x;
    const d = x / ((1 + x) * (1 + x)); // μ′(x)
    let next = x - f / d;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - x) <= 1e-12 * x) {
      x = next;
      break;
    }
    x = next;
  }
  return x / c;
}

/** Halo mass definitions of {@link duffy08Concentration} (Duffy et al. 2008, Table 1, NFW, full sample, z = 0–2). */
export type Duffy08Definition = "200c" | "vir" | "200m";

const DUFFY08: Record<Duffy08Definition, { a: number; b: number; c: number }> = {
  "200c": { a: 5.71, b: -0.084, c: -0.47 },
  vir: { a: 7.85, b: -0.081, c: -0.71 },
  "200m": { a: 10.14, b: -0.081, c: -1.01 },
};

/**
 * Duffy et al. 2008 (MNRAS 390, L64), Table 1, full sample: c = A (M / 2×10¹² M☉/h)^B (1 + z)^C,
 * M in M☉/h (200c: A 5.71, B −0.084, C −0.47; vir: 7.85, −0.081, −0.71; 200m: 10.14, −0.081, −1.01).
 */
export function duffy08Concentration(
  massMsunH: number,
  z: number,
  definition: Duffy08Definition = "200c",
): number {
  const p = DUFFY08[definition];
  return p.a * (massMsunH / 2e12) ** p.b * (1 + z) ** p.c;
}

/**
 * Comoving R200c in Mpc/h of a halo of mass M200c [M☉/h] at redshift z with E(z) = H(z)/H0:
 * M = (4π/3) 200 ρ_c(z) R³ in physical units, ρ_c(z) = ρ_c,0 E², times (1 + z) for comoving.
 */
export function r200cComovingMpcH(massMsunH: number, z: number, eOfZ: number): number {
  const rhoC = RHO_CRITICAL_MSUN_MPC3_H2 * eOfZ * eOfZ; // (M☉/h)/(Mpc/h)³
  return Math.cbrt((3 * massMsunH) / (4 * Math.PI * 200 * rhoC)) * (1 + z);
}
