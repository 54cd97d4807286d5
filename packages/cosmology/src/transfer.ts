import type { CosmologyParams } from "./params.js";

/** Transfer functions: full Eisenstein & Hu 1998, its no-wiggle form, BBKS with Sugiyama's Γ. */
export type TransferName = "eisenstein-hu" | "eisenstein-hu-nowiggle" | "bbks";

/** T(k) for k in Mpc⁻¹. */
export type TransferFunction = (kMpc: number) => number;

/**
 * Eisenstein & Hu 1998 (ApJ 496, 605) transfer function with baryon acoustic oscillations
 * (eqs. 2–24) or its zero-baryon-oscillation form (eqs. 26–31). Θ2.7 = T_CMB/2.7. As CCL (whose
 * benchmark tables the tests use) evaluates it: the baryon-to-photon ratio at the drag epoch uses
 * 1 + z_d, and y = z_eq/(1 + z_d) in G(y).
 */
export function eisensteinHu(p: CosmologyParams, wiggles: boolean): TransferFunction {
  const { h } = p;
  const omh2 = p.omegaM * h * h;
  const obh2 = p.omegaB * h * h;
  const fb = p.omegaB / p.omegaM;
  const fc = p.omegaC / p.omegaM;
  const theta = p.tCmbK / 2.7;
  const theta2 = theta * theta;
  if (!wiggles) {
    const alphaGamma = 1 - 0.328 * Math.log(431 * omh2) * fb + 0.38 * Math.log(22.3 * omh2) * fb * fb;
    // sound horizon, eq. 26, in Mpc
    const s = (44.5 * Math.log(9.83 / omh2)) / Math.sqrt(1 + 10 * obh2 ** 0.75);
    return (kMpc) => {
      const gammaEff = p.omegaM * h * (alphaGamma + (1 - alphaGamma) / (1 + (0.43 * kMpc * s) ** 4));
      const q = ((kMpc / h) * theta2) / gammaEff;
      const l0 = Math.log(2 * Math.E + 1.8 * q);
      const c0 = 14.2 + 731 / (1 + 62.5 * q);
      return l0 / (l0 + c0 * q * q);
    };
  }
  const zEq = (2.5e4 * omh2) / (theta2 * theta2);
  const kEq = (0.0746 * omh2) / theta2; // Mpc⁻¹
  const b1 = 0.313 * omh2 ** -0.419 * (1 + 0.607 * omh2 ** 0.674);
  const b2 = 0.238 * omh2 ** 0.223;
  const zDrag = ((1291 * omh2 ** 0.251) / (1 + 0.659 * omh2 ** 0.828)) * (1 + b1 * obh2 ** b2);
  const rEq = (31.5 * obh2 * 1000) / (zEq * theta2 * theta2);
  const rDrag = (31.5 * obh2 * 1000) / ((1 + zDrag) * theta2 * theta2);
  const s =
    (2 / (3 * kEq)) *
    Math.sqrt(6 / rEq) *
    Math.log((Math.sqrt(1 + rDrag) + Math.sqrt(rDrag + rEq)) / (1 + Math.sqrt(rEq)));
  const kSilk = 1.6 * obh2 ** 0.52 * omh2 ** 0.73 * (1 + (10.4 * omh2) ** -0.95);
  const a1 = (46.9 * omh2) ** 0.67 * (1 + (32.1 * omh2) ** -0.532);
  const a2 = (12.0 * omh2) ** 0.424 * (1 + (45.0 * omh2) ** -0.582);
  const alphaC = a1 ** -fb * a2 ** -(fb * fb * fb);
  const bb1 = 0.944 / (1 + (458 * omh2) ** -0.708);
  const bb2 = (0.395 * omh2) ** -0.0266;
  const betaC = 1 / (1 + bb1 * (fc ** bb2 - 1));
  const y = zEq / (1 + zDrag);
  const sy = Math.sqrt(1 + y);
  const gy = y * (-6 * sy + (2 + 3 * y) * Math.log((sy + 1) / (sy - 1)));
  const alphaB = 2.07 * kEq * s * (1 + rDrag) ** -0.75 * gy;
  const betaB = 0.5 + fb + (3 - 2 * fb) * Math.sqrt((17.2 * omh2) ** 2 + 1);
  const betaNode = 8.41 * omh2 ** 0.435;
  const t0 = (k: number, alpha: number, beta: number) => {
    const q = k / (13.41 * kEq);
    const c = 14.2 / alpha + 386 / (1 + 69.9 * q ** 1.08);
    const l = Math.log(Math.E + 1.8 * beta * q);
    return l / (l + c * q * q);
  };
  return (k) => {
    const ks = k * s;
    const f = 1 / (1 + (ks / 5.4) ** 4);
    const tc = f * t0(k, 1, betaC) + (1 - f) * t0(k, alphaC, betaC);
    const sTilde = k === 0 ? 0 : ks / Math.cbrt(1 + (betaNode / ks) ** 3);
    const j0 =
      sTilde * sTilde < 1e-4
        ? 1 - (sTilde * sTilde * (1 - (sTilde * sTilde) / 20)) / 6
        : Math.sin(sTilde) / sTilde;
    const envelope = k === 0 ? 0 : (alphaB / (1 + (betaB / ks) ** 3)) * Math.exp(-((k / kSilk) ** 1.4));
    const tb = (t0(k, 1, 1) / (1 + (ks / 5.2) ** 2) + envelope) * j0;
    return fb * tb + fc * tc;
  };
}

/**
 * Bardeen, Bond, Kaiser & Szalay 1986 transfer function with Sugiyama's 1995 shape parameter
 * Γ = Ωm h exp(−Ωb (1 + √(2h)/Ωm)): q = k / (Γ h) with k in Mpc⁻¹.
 */
export function bbks(p: CosmologyParams): TransferFunction {
  const gamma = p.omegaM * p.h * Math.exp(-p.omegaB * (1 + Math.sqrt(2 * p.h) / p.omegaM));
  return (k) => {
    const q = k / (gamma * p.h);
    if (q === 0) return 1;
    const x = 2.34 * q;
    return (
      (Math.log1p(x) / x) * (1 + 3.89 * q + (16.1 * q) ** 2 + (5.46 * q) ** 3 + (6.71 * q) ** 4) ** -0.25
    );
  };
}

/** The transfer function called `name`. */
export function transferFunction(p: CosmologyParams, name: TransferName): TransferFunction {
  if (name === "bbks") return bbks(p);
  return eisensteinHu(p, name === "eisenstein-hu");
}
