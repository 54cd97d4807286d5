/** Halo mass functions dn/dlog10M from a catalog's masses in a periodic box. */
import { ReduceError } from "./catalog.js";

/** Options of {@link massFunction}: give `binEdges`, or `bins` (with `min` and `max`). */
export interface MassFunctionOptions {
  /** Side of the (cubic) box, Mpc/h: the volume is boxSize³ (Mpc/h)³. */
  boxSize: number;
  /** Bin edges in log10(M / (M☉/h)), strictly increasing, at least 2. */
  binEdges?: ArrayLike<number>;
  /** Number of equal bins in log10 M between `min` and `max`. */
  bins?: number;
  /** Lower edge of the first bin, log10(M / (M☉/h)). */
  min?: number;
  /** Upper edge of the last bin, log10(M / (M☉/h)). */
  max?: number;
}

/** A binned mass function; every array has one entry per bin except `edges` (bins + 1). */
export interface MassFunction {
  /** Bin edges, log10(M / (M☉/h)). */
  edges: Float64Array;
  /** Bin centres in log10 M (midpoints of the edges). */
  centres: Float64Array;
  /** Halos per bin. */
  counts: Float64Array;
  /** dn/dlog10M = count / (V Δlog10M), h³ Mpc⁻³ dex⁻¹. */
  dndlog10m: Float64Array;
  /** Poisson error sqrt(count) / (V Δlog10M), h³ Mpc⁻³ dex⁻¹. */
  error: Float64Array;
  /** Box volume V, (Mpc/h)³. */
  volume: number;
  /** Halos outside every bin (below, above, or with a mass that is not a positive number). */
  outside: number;
}

/**
 * Histogram of log10(mass) with numpy.histogram's rule: bin i holds edges[i] ≤ log10 M < edges[i+1],
 * the last bin also holds log10 M = its upper edge; masses ≤ 0 or NaN fall outside. With `bins`, the
 * edges are min + i (max − min)/bins (the last one exactly max).
 * @throws ReduceError naming the option: box size ≤ 0, edges not increasing or not finite, bins not
 *   a positive integer, neither edges nor bins given.
 */
export function massFunction(
  masses: ArrayLike<number> | BigInt64Array | BigUint64Array,
  options: MassFunctionOptions,
): MassFunction {
  const L = options?.boxSize;
  if (typeof L !== "number" || !Number.isFinite(L) || L <= 0) {
    throw new ReduceError("boxSize must be a finite number > 0", {
      field: "boxSize",
      expected: "a finite number > 0 (Mpc/h)",
      found: String(L),
    });
  }
  const edges = binEdges(options);
  const nb = edges.length - 1;
  const counts = new Float64Array(nb);
  const lo = edges[0];
  const hi = edges[nb];
  let outside = 0;
  const n = masses.length;
  for (let i = 0; i < n; i++) {
    const m = Number(masses[i]);
    const x = m > 0 ? Math.log10(m) : Number.NaN;
    if (!(x >= lo && x <= hi)) {
      outside++;
      continue;
    }
    // largest b with edges[b] ≤ x, clamped to the last bin (x = hi)
    let a = 0;
    let b = nb;
    while (b - a > 1) {
      const mid = (a + b) >> 1;
      if (edges[mid] <= x) a = mid;
      else b = mid;
    }
    counts[a]++;
  }
  const volume = L * L * L;
  const centres = new Float64Array(nb);
  const dndlog10m = new Float64Array(nb);
  const error = new Float64Array(nb);
  for (let k = 0; k < nb; k++) {
    const w = edges[k + 1] - edges[k];
    centres[k] = (edges[k] + edges[k + 1]) / 2;
    dndlog10m[k] = counts[k] / (volume * w);
    error[k] = Math.sqrt(counts[k]) / (volume * w);
  }
  return { edges, centres, counts, dndlog10m, error, volume, outside };
}

function binEdges(options: MassFunctionOptions): Float64Array {
  if (options.binEdges !== undefined) {
    const e = options.binEdges;
    if (e === null || typeof e !== "object" || !(e.length >= 2)) {
      throw new ReduceError("binEdges needs at least two edges", {
        field: "binEdges",
        expected: "≥ 2 increasing log10 masses",
        found: e === null || typeof e !== "object" ? String(e) : `${e.length} edges`,
      });
    }
    const edges = Float64Array.from(e);
    for (let k = 0; k < edges.length; k++) {
      if (!Number.isFinite(edges[k]) || (k > 0 && !(edges[k] > edges[k - 1]))) {
        throw new ReduceError("binEdges must be finite and strictly increasing", {
          field: `binEdges[${k}]`,
          expected: k > 0 ? `a finite number > ${edges[k - 1]}` : "a finite number",
          found: String(edges[k]),
        });
      }
    }
    return edges;
  }
  const { bins, min, max } = options;
  if (bins === undefined) {
    throw new ReduceError("give binEdges, or bins with min and max", {
      field: "bins",
      expected: "binEdges, or bins + min + max (log10 M)",
      found: "neither",
    });
  }
  if (!Number.isInteger(bins) || bins < 1) {
    throw new ReduceError("bins must be a positive integer", {
      field: "bins",
      expected: "an integer ≥ 1",
      found: String(bins),
    });
  }
  for (const [field, v] of [
    ["min", min],
    ["max", max],
  ] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ReduceError(`${field} (log10 M) must be a finite number with bins`, {
        field,
        expected: "a finite log10 mass",
        found: String(v),
      });
    }
  }
  if (!((max as number) > (min as number))) {
    throw new ReduceError("max must exceed min", { field: "max", expected: `> ${min}`, found: String(max) });
  }
  const a = min as number;
  const b = max as number;
  const edges = new Float64Array(bins + 1);
  for (let k = 0; k < bins; k++) edges[k] = a + (k * (b - a)) / bins;
  edges[bins] = b;
  return edges;
}
