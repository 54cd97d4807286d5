/** Stellar masses of central galaxies from a stellar-to-halo-mass relation with seeded log-normal scatter. */
import { checkNumber, checkSeed } from "./columns.js";
import { type IdColumn, IdHalves, IdRandom, STREAM } from "./random.js";
import { type ShmrName, type ShmrParameters, stellarMassRelation } from "./shmr.js";

/** Options of {@link centralStellarMasses}. */
export interface CentralStellarMassOptions {
  /** The relation (`moster13` or `behroozi13`). */
  relation: ShmrName;
  /** Redshift of the catalog. */
  redshift: number;
  /** Hubble parameter h of the simulation: halo masses M☉/h → M☉ by dividing by it. */
  h: number;
  /** Log-normal scatter of log10 M* at fixed halo mass, dex (default 0.15; 0 = none). */
  scatterDex?: number;
  /** Seed, an integer in [0, 2³²) (default 0). */
  seed?: number;
  /** Overrides of the published parameters. */
  parameters?: ShmrParameters;
}

/**
 * Stellar mass [M☉] of the central galaxy of each halo: log10 M* = SHMR(log10(M/h)) + σ·g, with
 * g a standard normal drawn from the halo's own stream (hash of its id and the seed), so a halo
 * gets the same galaxy in any subset or order of the catalog. Halo masses are in M☉/h (HACC);
 * masses that are not finite or ≤ 0 give NaN.
 */
export function centralStellarMasses(
  ids: IdColumn,
  haloMassesMsunH: ArrayLike<number>,
  options: CentralStellarMassOptions,
): Float64Array {
  const h = checkNumber(options.h, "cosmology.h", 0.01, 10);
  const sigma = checkNumber(options.scatterDex ?? 0.15, "scatterDex", 0, 5);
  const seed = checkSeed(options.seed ?? 0);
  const relation = stellarMassRelation(options.relation, options.redshift, options.parameters);
  const logH = Math.log10(h);
  const out = new Float64Array(haloMassesMsunH.length);
  const idh = new IdHalves(ids);
  const rng = new IdRandom();
  for (let i = 0; i < out.length; i++) {
    const m = haloMassesMsunH[i];
    if (!(m > 0 && Number.isFinite(m))) {
      out[i] = Number.NaN;
      continue;
    }
    let logMs = relation(Math.log10(m) - logH);
    if (sigma > 0) {
      idh.read(i);
      logMs += sigma * rng.reset(idh.hi, idh.lo, seed, STREAM.centralScatter).normal();
    }
    out[i] = 10 ** logMs;
  }
  return out;
}
