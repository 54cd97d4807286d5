import { cosmology, linearPower, massFunction, OUTER_RIM } from "@tessera/cosmology";
/** Seeded random numbers for the tests (mulberry32) and Poisson / Gaussian draws. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Gaussian draw (Box–Muller). */
export function gauss(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** A Poisson draw: Knuth below λ = 30, a rounded Gaussian above. */
export function poisson(u: () => number, lambda: number): number {
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gauss(u)));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = u();
  while (p > l) {
    k++;
    p *= u();
  }
  return k;
}

/**
 * Halo masses [M☉/h] drawn from Tinker 2008 dn/dlog10M (Outer Rim) in a periodic box of side `box`
 * [Mpc/h] at redshift `z`: Poisson counts per `step`-dex slice of [log10Min, log10Max), each mass
 * uniform in log within its slice. Draws from `u` in slice order (callers draw positions after).
 */
export function tinkerHaloMasses(
  u: () => number,
  o: { box: number; z: number; log10Min: number; log10Max: number; step: number },
): number[] {
  const cosmo = cosmology(OUTER_RIM);
  const h = cosmo.params.h;
  const n0 = Math.round((o.log10Max - o.log10Min) / o.step);
  const mids = Array.from({ length: n0 }, (_, i) => o.log10Min + (i + 0.5) * o.step);
  const dn = massFunction(
    linearPower(cosmo),
    "tinker08",
    mids.map((l) => 10 ** l / h),
    o.z,
  );
  const mass: number[] = [];
  for (let i = 0; i < n0; i++) {
    const k = poisson(u, (dn[i] / h ** 3) * o.step * o.box ** 3);
    for (let j = 0; j < k; j++) mass.push(10 ** (mids[i] - o.step / 2 + u() * o.step));
  }
  return mass;
}
