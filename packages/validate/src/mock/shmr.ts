/**
 * Stellar-to-halo-mass relations (SHMR) of central galaxies: Moster, Naab & White 2013 and
 * Behroozi, Wechsler & Conroy 2013. Both take halo masses in M☉ (no h) and return stellar masses in
 * M☉; convert HACC masses (M☉/h) with `M[M☉] = M[M☉/h] / h` before calling them.
 */
import { MockGalaxyError } from "./errors.js";

/**
 * Parameters of Moster, Naab & White 2013 (MNRAS 428, 3121), Table 1 best fit. The redshift
 * dependence is eqs. 11–14: p(z) = p10 + p11 · z/(1+z), with log10 M1 in M☉.
 */
export interface Moster13Parameters {
  m10: number;
  m11: number;
  n10: number;
  n11: number;
  beta10: number;
  beta11: number;
  gamma10: number;
  gamma11: number;
}

/**
 * Moster et al. 2013, Table 1. Halo masses there are M200c (200 × critical) of the Millennium
 * simulations rescaled to WMAP7 (h ≈ 0.70); stellar masses Chabrier IMF, in M☉.
 */
export const MOSTER13: Readonly<Moster13Parameters> = Object.freeze({
  m10: 11.59,
  m11: 1.195,
  n10: 0.0351,
  n11: -0.0247,
  beta10: 1.376,
  beta11: -0.826,
  gamma10: 0.608,
  gamma11: 0.329,
});

/**
 * Parameters of Behroozi, Wechsler & Conroy 2013 (ApJ 770, 57), section 5 best fit of eq. 4
 * (log10 M1 in M☉, log10 ε dimensionless).
 */
export interface Behroozi13Parameters {
  m1_0: number;
  m1_a: number;
  m1_z: number;
  eps_0: number;
  eps_a: number;
  eps_z: number;
  eps_a2: number;
  alpha_0: number;
  alpha_a: number;
  delta_0: number;
  delta_a: number;
  delta_z: number;
  gamma_0: number;
  gamma_a: number;
  gamma_z: number;
}

/**
 * Behroozi et al. 2013, section 5 (eq. 4 best fit). Halo masses there are Mvir (Bryan & Norman
 * 1998) with h = 0.7; stellar masses Chabrier IMF, in M☉.
 */
export const BEHROOZI13: Readonly<Behroozi13Parameters> = Object.freeze({
  m1_0: 11.514,
  m1_a: -1.793,
  m1_z: -0.251,
  eps_0: -1.777,
  eps_a: -0.006,
  eps_z: 0,
  eps_a2: -0.119,
  alpha_0: -1.412,
  alpha_a: 0.731,
  delta_0: 3.508,
  delta_a: 2.608,
  delta_z: -0.043,
  gamma_0: 0.316,
  gamma_a: 1.319,
  gamma_z: 0.279,
});

/** The relations {@link stellarMassRelation} knows. */
export type ShmrName = "moster13" | "behroozi13";

function checkRedshift(z: number): void {
  if (!(Number.isFinite(z) && z >= 0)) {
    throw new MockGalaxyError("the redshift of a stellar-to-halo-mass relation must be finite and >= 0", {
      field: "redshift",
      expected: "a finite z >= 0",
      found: String(z),
    });
  }
}

/**
 * Moster 2013 at redshift z as a function of log10 halo mass [M☉] → log10 stellar mass [M☉]:
 * m = 2 N M [(M/M1)^−β + (M/M1)^γ]^−1 (eq. 2) with N, M1, β, γ from eqs. 11–14.
 */
export function moster13(z: number, p: Moster13Parameters = MOSTER13): (log10HaloMass: number) => number {
  checkRedshift(z);
  const s = z / (1 + z);
  const logM1 = p.m10 + p.m11 * s;
  const n = p.n10 + p.n11 * s;
  const beta = p.beta10 + p.beta11 * s;
  const gamma = p.gamma10 + p.gamma11 * s;
  const log2n = Math.log10(2 * n);
  return (lm) => {
    const x = lm - logM1; // log10(M/M1)
    return log2n + lm - Math.log10(10 ** (-beta * x) + 10 ** (gamma * x));
  };
}

/** Behroozi 2013 eq. 3's f(x) = −log10(10^(αx) + 1) + δ (log10(1 + eˣ))^γ / (1 + exp(10^−x)). */
function behrooziF(x: number, alpha: number, delta: number, gamma: number): number {
  return (
    -Math.log10(10 ** (alpha * x) + 1) +
    (delta * Math.log10(1 + Math.exp(x)) ** gamma) / (1 + Math.exp(10 ** -x))
  );
}

/**
 * Behroozi 2013 at redshift z as a function of log10 halo mass [M☉] → log10 stellar mass [M☉]:
 * log10 M* = log10(ε M1) + f(log10(Mh/M1)) − f(0) (eq. 3), with a = 1/(1+z), ν = exp(−4a²) and
 * log10 M1 = M1,0 + (M1,a (a−1) + M1,z z) ν; log10 ε = ε0 + (εa (a−1) + εz z) ν + εa2 (a−1);
 * α = α0 + αa (a−1) ν; δ = δ0 + (δa (a−1) + δz z) ν; γ = γ0 + (γa (a−1) + γz z) ν (eq. 4).
 */
export function behroozi13(
  z: number,
  p: Behroozi13Parameters = BEHROOZI13,
): (log10HaloMass: number) => number {
  checkRedshift(z);
  const a = 1 / (1 + z);
  const nu = Math.exp(-4 * a * a);
  const logM1 = p.m1_0 + (p.m1_a * (a - 1) + p.m1_z * z) * nu;
  const logEps = p.eps_0 + (p.eps_a * (a - 1) + p.eps_z * z) * nu + p.eps_a2 * (a - 1);
  const alpha = p.alpha_0 + p.alpha_a * (a - 1) * nu;
  const delta = p.delta_0 + (p.delta_a * (a - 1) + p.delta_z * z) * nu;
  const gamma = p.gamma_0 + (p.gamma_a * (a - 1) + p.gamma_z * z) * nu;
  const f0 = behrooziF(0, alpha, delta, gamma);
  return (lm) => logEps + logM1 + behrooziF(lm - logM1, alpha, delta, gamma) - f0;
}

/** Parameters of either relation (a partial object overrides the published values). */
export type ShmrParameters = Partial<Moster13Parameters> | Partial<Behroozi13Parameters>;

/**
 * The named relation at redshift z: log10 halo mass [M☉] → mean log10 stellar mass [M☉] of the
 * central galaxy. `parameters` overrides single published values.
 * @throws MockGalaxyError for an unknown name or a bad redshift.
 */
export function stellarMassRelation(
  name: ShmrName,
  z: number,
  parameters: ShmrParameters = {},
): (log10HaloMass: number) => number {
  if (name === "moster13")
    return moster13(z, { ...MOSTER13, ...(parameters as Partial<Moster13Parameters>) });
  if (name === "behroozi13") {
    return behroozi13(z, { ...BEHROOZI13, ...(parameters as Partial<Behroozi13Parameters>) });
  }
  throw new MockGalaxyError("unknown stellar-to-halo-mass relation", {
    field: "relation",
    expected: "moster13 or behroozi13",
    found: String(name),
  });
}
