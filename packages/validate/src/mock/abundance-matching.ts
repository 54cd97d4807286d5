/**
 * Abundance matching: stellar masses from a target stellar mass function (SMF) assigned to halos by
 * rank, with scatter put in by "scatter then rank" (no deconvolution needed).
 */
import { checkNumber, checkSeed } from "./columns.js";
import { MockGalaxyError } from "./errors.js";
import { type IdColumn, IdHalves, IdRandom, STREAM } from "./random.js";

/** A stellar mass function as a table: interpolated linearly in log10 φ between its rows. */
export interface StellarMassFunctionTable {
  /** log10 stellar mass [M☉], strictly increasing (at least 2 rows). */
  log10Mass: ArrayLike<number>;
  /** dn/dlog10 M* at those masses, Mpc⁻³ dex⁻¹ (> 0). */
  phiPerMpc3PerDex: ArrayLike<number>;
}

/** Cumulative number density N(>M*) of a table, on a fine grid. */
export interface CumulativeSmf {
  /** log10 M* [M☉], increasing. */
  log10Mass: Float64Array;
  /** N(> M*) [Mpc⁻³], decreasing to 0 at the last row. */
  numberDensity: Float64Array;
}

const SUBSTEPS = 32;

/**
 * N(>M*) = ∫ φ dlog10 M* from M* to the table's top (zero above it), by the trapezoid rule on
 * 32 sub-steps per table interval of the log-linear interpolant.
 * @throws MockGalaxyError for a table that is too short, not increasing, or has φ ≤ 0.
 */
export function cumulativeSmf(smf: StellarMassFunctionTable): CumulativeSmf {
  const x = smf?.log10Mass;
  const y = smf?.phiPerMpc3PerDex;
  if (!x || !y || x.length < 2 || x.length !== y.length) {
    throw new MockGalaxyError("a stellar mass function table needs two equally long columns", {
      field: "smf",
      expected: "log10Mass and phiPerMpc3PerDex, at least 2 rows each",
      found: `${x?.length ?? "no"} and ${y?.length ?? "no"} rows`,
    });
  }
  for (let i = 0; i < x.length; i++) {
    if (!(Number.isFinite(x[i]) && (i === 0 || x[i] > x[i - 1]))) {
      throw new MockGalaxyError("the stellar masses of an SMF table must increase", {
        field: `smf.log10Mass[${i}]`,
        expected: "finite, strictly increasing log10 masses",
        found: String(x[i]),
      });
    }
    if (!(y[i] > 0 && Number.isFinite(y[i]))) {
      throw new MockGalaxyError("SMF values must be positive", {
        field: `smf.phiPerMpc3PerDex[${i}]`,
        expected: "a finite φ > 0 (Mpc^-3 dex^-1)",
        found: String(y[i]),
      });
    }
  }
  const n = (x.length - 1) * SUBSTEPS + 1;
  const lm = new Float64Array(n);
  const phi = new Float64Array(n);
  for (let i = 0; i < x.length - 1; i++) {
    const l0 = Math.log10(y[i]);
    const l1 = Math.log10(y[i + 1]);
    for (let k = 0; k < SUBSTEPS; k++) {
      const t = k / SUBSTEPS;
      lm[i * SUBSTEPS + k] = x[i] + t * (x[i + 1] - x[i]);
      phi[i * SUBSTEPS + k] = 10 ** (l0 + t * (l1 - l0));
    }
  }
  lm[n - 1] = x[x.length - 1];
  phi[n - 1] = y[y.length - 1];
  const cum = new Float64Array(n);
  for (let j = n - 2; j >= 0; j--) cum[j] = cum[j + 1] + 0.5 * (phi[j] + phi[j + 1]) * (lm[j + 1] - lm[j]);
  return { log10Mass: lm, numberDensity: cum };
}

/**
 * log10 M* at which N(>M*) = `density` [Mpc⁻³] (log-linear in N between grid rows); NaN when the
 * density exceeds the table's total (so many halos are denser than the SMF's low-mass end allows).
 */
export function massAtNumberDensity(cum: CumulativeSmf, density: number): number {
  const { log10Mass: lm, numberDensity: nd } = cum;
  if (!(density > 0) || density > nd[0]) return Number.NaN;
  // nd decreases with index: find j with nd[j] >= density > nd[j + 1]
  let lo = 0;
  let hi = nd.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (nd[mid] >= density) lo = mid;
    else hi = mid;
  }
  const a = nd[lo];
  const b = nd[hi];
  const t = b > 0 ? Math.log(a / density) / Math.log(a / b) : (a - density) / a;
  return lm[lo] + t * (lm[hi] - lm[lo]);
}

/** Options of {@link abundanceMatch}. */
export interface AbundanceMatchOptions {
  /** The target SMF (M☉, Mpc⁻³ dex⁻¹). */
  smf: StellarMassFunctionTable;
  /** Comoving volume of the halo catalog, Mpc³ (a box of L Mpc/h: (L/h)³). */
  volumeMpc3: number;
  /** Scatter of the ranking proxy log10 M_halo, dex (default 0.15; 0 = exact rank order). */
  scatterDex?: number;
  /** Seed, an integer in [0, 2³²) (default 0). */
  seed?: number;
}

/**
 * Abundance matching by "scatter then rank": each halo's proxy log10 M + σ·g (g from its id's
 * stream) is ranked, and the halo of rank r (0 = largest proxy) gets the M* with
 * N(>M*) = (r + ½)/V. The catalog's SMF then equals the target by construction (to the rank
 * discreteness), with no deconvolution; the scatter of log M* at fixed halo mass is σ times the
 * local slope d(log M*)/d(log M_h), not σ itself. Unlike {@link centralStellarMasses}, a halo's mass
 * depends on the whole catalog (ranks), so subsets do not keep their galaxies. Halos beyond the
 * SMF's low-mass end, or without a positive mass, get NaN.
 */
export function abundanceMatch(
  ids: IdColumn,
  haloMasses: ArrayLike<number>,
  options: AbundanceMatchOptions,
): Float64Array {
  const volume = checkNumber(
    options.volumeMpc3,
    "volumeMpc3",
    Number.MIN_VALUE,
    Number.MAX_VALUE,
    "a volume > 0 (Mpc^3)",
  );
  const sigma = checkNumber(options.scatterDex ?? 0.15, "scatterDex", 0, 5);
  const seed = checkSeed(options.seed ?? 0);
  const cum = cumulativeSmf(options.smf);
  const n = haloMasses.length;
  const proxy = new Float64Array(n);
  const idh = new IdHalves(ids);
  const rng = new IdRandom();
  let valid = 0;
  for (let i = 0; i < n; i++) {
    const m = haloMasses[i];
    if (!(m > 0 && Number.isFinite(m))) {
      proxy[i] = Number.NaN;
      continue;
    }
    valid++;
    let p = Math.log10(m);
    if (sigma > 0) {
      idh.read(i);
      p += sigma * rng.reset(idh.hi, idh.lo, seed, STREAM.abundanceScatter).normal();
    }
    proxy[i] = p;
  }
  const order = new Uint32Array(valid);
  for (let i = 0, k = 0; i < n; i++) if (!Number.isNaN(proxy[i])) order[k++] = i;
  order.sort((a, b) => proxy[b] - proxy[a] || a - b);
  const out = new Float64Array(n).fill(Number.NaN);
  for (let r = 0; r < valid; r++) {
    const lm = massAtNumberDensity(cum, (r + 0.5) / volume);
    out[order[r]] = Number.isNaN(lm) ? Number.NaN : 10 ** lm;
  }
  return out;
}
