import { DELTA_C } from "./constants.js";
import { CosmologyParameterError } from "./errors.js";
import type { LinearPower } from "./power.js";

/** The fitting functions f(σ) of {@link massFunction}. */
export type MassFunctionName =
  | "press74"
  | "sheth99"
  | "jenkins01"
  | "warren06"
  | "tinker08"
  | "angulo12"
  | "bhattacharya11";

/** Options of {@link massFunction}. */
export interface MassFunctionOptions {
  /** Overdensity Δ of the halo definition (Tinker 2008 only; 200 to 3200 × the reference; default 200). */
  delta?: number;
  /** Δ relative to the mean matter density (default) or to the critical density (Tinker 2008 only). */
  reference?: "mean" | "critical";
}

/** Tinker et al. 2008, Table 2: Δ (× mean) and the parameters A, a, b, c at z = 0. */
const TINKER08 = {
  delta: [200, 300, 400, 600, 800, 1200, 1600, 2400, 3200],
  A: [0.186, 0.2, 0.212, 0.218, 0.248, 0.255, 0.26, 0.26, 0.26],
  a: [1.47, 1.52, 1.56, 1.61, 1.87, 2.13, 2.3, 2.53, 2.66],
  b: [2.57, 2.25, 2.05, 1.87, 1.59, 1.51, 1.46, 1.44, 1.41],
  c: [1.19, 1.27, 1.34, 1.45, 1.58, 1.8, 1.97, 2.24, 2.44],
};

/** Natural cubic spline through (x, y), evaluated at t. */
function spline(x: number[], y: number[], t: number): number {
  const n = x.length;
  const m = new Float64Array(n); // second derivatives
  const u = new Float64Array(n);
  for (let i = 1; i < n - 1; i++) {
    const sig = (x[i] - x[i - 1]) / (x[i + 1] - x[i - 1]);
    const p = sig * m[i - 1] + 2;
    m[i] = (sig - 1) / p;
    u[i] =
      (6 * ((y[i + 1] - y[i]) / (x[i + 1] - x[i]) - (y[i] - y[i - 1]) / (x[i] - x[i - 1]))) /
        (x[i + 1] - x[i - 1]) -
      (sig * u[i - 1]) / p;
  }
  m[n - 1] = 0;
  for (let k = n - 2; k >= 0; k--) m[k] = m[k] * m[k + 1] + u[k];
  let lo = 0;
  while (lo < n - 2 && t > x[lo + 1]) lo++;
  const h = x[lo + 1] - x[lo];
  const a = (x[lo + 1] - t) / h;
  const b = (t - x[lo]) / h;
  return a * y[lo] + b * y[lo + 1] + (((a * a * a - a) * m[lo] + (b * b * b - b) * m[lo + 1]) * (h * h)) / 6;
}

/** Tinker 2008 parameters at Δ (× mean) and z: spline in log10 Δ of Table 2, then the redshift terms (eqs. 5–8). */
export function tinker08Parameters(
  deltaMean: number,
  z: number,
): { A: number; a: number; b: number; c: number } {
  if (!(deltaMean >= 200 && deltaMean <= 3200)) {
    throw new CosmologyParameterError("Tinker 2008 is calibrated for 200 <= Δ <= 3200 (× mean density)", {
      field: "delta",
      expected: "200 to 3200 times the mean density",
      found: String(deltaMean),
    });
  }
  const lx = TINKER08.delta.map(Math.log10);
  const t = Math.log10(deltaMean);
  const A0 = spline(lx, TINKER08.A, t);
  const a0 = spline(lx, TINKER08.a, t);
  const b0 = spline(lx, TINKER08.b, t);
  const c = spline(lx, TINKER08.c, t);
  const alpha = 10 ** -((0.75 / Math.log10(deltaMean / 75)) ** 1.2);
  return { A: A0 * (1 + z) ** -0.14, a: a0 * (1 + z) ** -0.06, b: b0 * (1 + z) ** -alpha, c };
}

/**
 * The multiplicity function f(σ) of a fit at redshift z (Δ × mean for Tinker 2008), with the fit's
 * redshift- and Δ-dependent parameters worked out once: call the result for each σ.
 */
export function multiplicityAt(
  name: MassFunctionName,
  z: number,
  deltaMean = 200,
): (sigma: number) => number {
  switch (name) {
    case "press74":
      return (sigma) => {
        const nu = DELTA_C / sigma;
        return Math.sqrt(2 / Math.PI) * nu * Math.exp(-0.5 * nu * nu);
      };
    case "sheth99": {
      const A = 0.3222;
      // biome-ignore lint/suspicious/noApproximativeNumericConstant: Sheth & Tormen's fitted a, not 1/√2
      const a = 0.707;
      const p = 0.3;
      return (sigma) => {
        const nu = DELTA_C / sigma;
        const anu2 = a * nu * nu;
        return A * Math.sqrt((2 * a) / Math.PI) * (1 + anu2 ** -p) * nu * Math.exp(-0.5 * anu2);
      };
    }
    case "jenkins01":
      return (sigma) => 0.315 * Math.exp(-(Math.abs(Math.log(1 / sigma) + 0.61) ** 3.8));
    case "warren06":
      return (sigma) => 0.7234 * (sigma ** -1.625 + 0.2538) * Math.exp(-1.1982 / (sigma * sigma));
    case "tinker08": {
      const { A, a, b, c } = tinker08Parameters(deltaMean, z);
      return (sigma) => A * ((sigma / b) ** -a + 1) * Math.exp(-c / (sigma * sigma));
    }
    case "angulo12":
      return (sigma) => 0.201 * ((2.08 / sigma) ** 1.7 + 1) * Math.exp(-1.172 / (sigma * sigma));
    case "bhattacharya11": {
      const A = 0.333 * (1 + z) ** -0.11;
      const a = 0.788 * (1 + z) ** -0.01;
      const p = 0.807;
      const q = 1.795;
      return (sigma) => {
        const nu = 1.686 / sigma;
        const anu2 = a * nu * nu;
        return (
          A * Math.sqrt(2 / Math.PI) * Math.exp(-0.5 * anu2) * (1 + anu2 ** -p) * (nu * Math.sqrt(a)) ** q
        );
      };
    }
    default:
      throw new CosmologyParameterError("unknown mass function", {
        field: "massFunction",
        expected: "press74, sheth99, jenkins01, warren06, tinker08, angulo12 or bhattacharya11",
        found: String(name),
      });
  }
}

/** The multiplicity function f(σ) of a fit at redshift z (Δ × mean for Tinker 2008). */
export function multiplicity(name: MassFunctionName, sigma: number, z: number, deltaMean = 200): number {
  return multiplicityAt(name, z, deltaMean)(sigma);
}

/**
 * Halo mass function dn/dlog10 M (comoving, Mpc⁻³ per dex) at masses M in M☉ and redshift z:
 * f(σ) ρ̄m/M · ln 10 · |d ln σ/d ln M|, with σ(M, z) = σ(M) D(z)/D(0). Press–Schechter and
 * Sheth–Tormen use δc = 1.68647 (as CCL); Jenkins 2001, Angulo 2012 and Bhattacharya 2011 are FOF
 * (b = 0.2) fits; Tinker 2008 takes Δ relative to the mean or the critical density (Δ_m = Δ_c/Ωm(z)).
 * For catalogs in h units convert with {@link msunHToMsun} and {@link perMpc3ToPerMpcH3}.
 */
export function massFunction(
  power: LinearPower,
  name: MassFunctionName,
  massesMsun: ArrayLike<number>,
  z = 0,
  options: MassFunctionOptions = {},
): Float64Array {
  const cosmo = power.cosmology;
  const delta = options.delta ?? 200;
  const deltaMean =
    (options.reference ?? "mean") === "mean" ? delta : delta / (cosmo.omegaMatter(z) as number);
  const growth = cosmo.growthFactor(z) as number;
  const rho = cosmo.meanMatterDensityMsunMpc3;
  const f = multiplicityAt(name, z, deltaMean);
  const out = new Float64Array(massesMsun.length);
  for (let i = 0; i < massesMsun.length; i++) {
    const m = massesMsun[i];
    const { sigma, dlnSigmaDlnM } = power.sigmaMAndSlope(m);
    out[i] = ((f(sigma * growth) * rho) / m) * Math.LN10 * Math.abs(dlnSigmaDlnM);
  }
  return out;
}

/** dn/dlog10 M → dn/d ln M (divide by ln 10). */
export function perDexToPerLnM(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values, (v) => v / Math.LN10);
}

/** Masses in M☉/h to M☉. */
export function msunHToMsun(masses: ArrayLike<number>, h: number): Float64Array {
  return Float64Array.from(masses, (m) => m / h);
}

/** Masses in M☉ to M☉/h. */
export function msunToMsunH(masses: ArrayLike<number>, h: number): Float64Array {
  return Float64Array.from(masses, (m) => m * h);
}

/** Number densities per Mpc³ to per (Mpc/h)³ (divide by h³). */
export function perMpc3ToPerMpcH3(values: ArrayLike<number>, h: number): Float64Array {
  return Float64Array.from(values, (v) => v / (h * h * h));
}
