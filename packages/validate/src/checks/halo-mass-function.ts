import {
  type Cosmology,
  type LinearPower,
  linearPower,
  type MassFunctionName,
  massFunction,
} from "@tessera/cosmology";
import { z } from "zod";
import type { Catalog } from "../catalog/catalog.js";
import { type AmfFit, amfMassFunction } from "./amf.js";
import { catalogBoxSize, catalogCosmology, catalogRedshift } from "./catalog-info.js";
import { chi2Covariance, hartlapFactor, jackknifeCovariance } from "./chi2.js";
import { parseTestConfig } from "./config.js";
import { comparisonPlot } from "./plots.js";
import {
  errored,
  fmt,
  judged,
  type ValidationContext,
  type ValidationResult,
  type ValidationTest,
} from "./result.js";

/** Config of {@link HaloMassFunctionTest} (all keys optional; defaults documented in the README). */
export const HaloMassFunctionConfigSchema = z
  .object({
    /** Quantity holding the halo mass (M☉/h). */
    massQuantity: z.string().default("halo_mass"),
    /** Equal bins in log10(M / (M☉/h)). */
    bins: z
      .object({
        min: z.number().default(12.5),
        max: z.number().default(15),
        count: z.number().int().positive().default(10),
      })
      .strict()
      .refine((b) => b.max > b.min, { message: "bins.max > bins.min", path: ["max"] })
      .prefault({}),
    /** Analytic fit of `@tessera/cosmology`. */
    fit: z
      .enum(["press74", "sheth99", "jenkins01", "warren06", "tinker08", "angulo12", "bhattacharya11"])
      .default("tinker08"),
    /** Overdensity Δ and its reference density (Tinker 2008). */
    delta: z.number().positive().default(200),
    reference: z.enum(["mean", "critical"]).default("mean"),
    transfer: z.enum(["eisenstein-hu", "eisenstein-hu-nowiggle", "bbks"]).default("eisenstein-hu"),
    /** `descqa-v1`: the theory curve of DESCQA v1's amf, quirks included (TINK/ST/PS/JEN only). */
    mode: z.enum(["tessera", "descqa-v1"]).default("tessera"),
    /** Covariance of the measured dn/dlog10M: Poisson (diagonal) or jackknife over N³ sub-boxes. */
    covariance: z.enum(["poisson", "jackknife"]).default("poisson"),
    jackknifeDivisions: z.number().int().min(2).max(10).default(3),
    /** Pass when χ²/dof < threshold. */
    threshold: z.number().positive().default(2),
    /** Bins with fewer halos than this are not in χ². */
    minCount: z.number().int().min(1).default(10),
    /** Override the catalog's redshift. */
    redshift: z.number().min(0).optional(),
    chunkRows: z.number().int().positive().default(65536),
  })
  .strict();

/** Parsed config of {@link HaloMassFunctionTest}. */
export type HaloMassFunctionConfig = z.output<typeof HaloMassFunctionConfigSchema>;

const AMF_FITS: Partial<Record<MassFunctionName, AmfFit>> = {
  tinker08: "TINK",
  sheth99: "ST",
  press74: "PS",
  jenkins01: "JEN",
};
const SUB = 16;

/**
 * The bin-averaged analytic dn/dlog10M [h³ Mpc⁻³ dex⁻¹] for bins in log10(M/(M☉/h)): the mean of
 * 16 midpoint samples per bin, from `@tessera/cosmology` (M☉, Mpc⁻³ converted with h) or amf's quirks.
 */
export function binAveragedMassFunction(
  cosmo: Cosmology,
  edges: Float64Array,
  z0: number,
  cfg: Pick<HaloMassFunctionConfig, "fit" | "delta" | "reference" | "transfer" | "mode">,
  power?: LinearPower,
): Float64Array {
  const h = cosmo.params.h;
  const nb = edges.length - 1;
  const logM: number[] = [];
  for (let b = 0; b < nb; b++) {
    const w = (edges[b + 1] - edges[b]) / SUB;
    for (let s = 0; s < SUB; s++) logM.push(edges[b] + (s + 0.5) * w);
  }
  let values: Float64Array;
  if (cfg.mode === "descqa-v1") {
    const fit = AMF_FITS[cfg.fit as MassFunctionName];
    const p = cosmo.params;
    values = amfMassFunction(
      {
        omegaM: p.omegaM,
        omegaB: p.omegaB,
        h,
        sigma8: p.sigma8 ?? 0.8,
        nS: p.nS,
        transfer: cfg.transfer === "bbks" ? "BBKS" : "EH",
        fit: fit ?? ("?" as AmfFit),
        z: z0,
        delta: cfg.delta,
      },
      logM.map((l) => 10 ** l),
    ).dndlog10m;
  } else {
    const pw = power ?? linearPower(cosmo, { transfer: cfg.transfer });
    const perMpc3 = massFunction(
      pw,
      cfg.fit as MassFunctionName,
      logM.map((l) => 10 ** l / h),
      z0,
      { delta: cfg.delta, reference: cfg.reference },
    );
    values = Float64Array.from(perMpc3, (v) => v / (h * h * h));
  }
  const out = new Float64Array(nb);
  for (let b = 0; b < nb; b++) {
    let s = 0;
    for (let k = 0; k < SUB; k++) s += values[b * SUB + k];
    out[b] = s / SUB;
  }
  return out;
}

/**
 * Halo mass function vs an analytic fit: dn/dlog10M of the catalog in equal log10 M bins, streamed
 * chunk by chunk, against the bin-averaged fit at the catalog's redshift and cosmology; χ² with
 * Poisson errors or a jackknife covariance over N³ sub-boxes of the periodic box (its inverse scaled
 * by the Hartlap factor, see {@link hartlapFactor}). Criterion:
 * χ²/dof < `threshold` (default 2) over the bins with ≥ `minCount` halos.
 */
export class HaloMassFunctionTest implements ValidationTest<HaloMassFunctionConfig> {
  readonly name: string;
  readonly config: HaloMassFunctionConfig;

  /** @throws ValidationConfigError naming the config key. */
  constructor(config: unknown = {}, name = "halo_mass_function") {
    this.name = name;
    this.config = parseTestConfig(name, HaloMassFunctionConfigSchema, config);
    if (this.config.mode === "descqa-v1" && !AMF_FITS[this.config.fit]) {
      parseTestConfig(name, z.object({ fit: z.enum(["tinker08", "sheth99", "press74", "jenkins01"]) }), {
        fit: this.config.fit,
      });
    }
  }

  /** The criterion as stated in the result. */
  get criterion(): string {
    const c = this.config;
    return `χ²/dof < ${c.threshold} over the bins with ≥ ${c.minCount} halos (${c.covariance} covariance${c.covariance === "jackknife" ? `, ${c.jackknifeDivisions}³ sub-boxes, Hartlap-corrected inverse` : ""})`;
  }

  async run(catalog: Catalog, _context: ValidationContext = {}): Promise<ValidationResult> {
    try {
      return await this.#run(catalog);
    } catch (error) {
      return errored(this.name, this.criterion, error);
    }
  }

  async #run(catalog: Catalog): Promise<ValidationResult> {
    const c = this.config;
    const L = catalogBoxSize(catalog, this.name);
    const cosmo = catalogCosmology(catalog, this.name);
    const z0 = catalogRedshift(catalog, this.name, c.redshift);
    const nb = c.bins.count;
    const lo = c.bins.min;
    const width = (c.bins.max - lo) / nb;
    const edges = Float64Array.from({ length: nb + 1 }, (_, i) => (i === nb ? c.bins.max : lo + i * width));
    const jk = c.covariance === "jackknife";
    const N = jk ? c.jackknifeDivisions : 1;
    const regions = N * N * N;
    const counts = new Float64Array(regions * nb);
    const quantities = jk ? [c.massQuantity, "x", "y", "z"] : [c.massQuantity];
    let rows = 0;
    for await (const chunk of catalog.iterate({ quantities, chunkRows: c.chunkRows })) {
      const m = chunk[c.massQuantity] as Float64Array;
      const xs = chunk.x as Float64Array | undefined;
      const ys = chunk.y as Float64Array | undefined;
      const zs = chunk.z as Float64Array | undefined;
      rows += m.length;
      for (let i = 0; i < m.length; i++) {
        const lm = m[i] > 0 ? Math.log10(m[i]) : Number.NaN;
        if (!(lm >= lo && lm <= c.bins.max)) continue;
        const b = Math.min(nb - 1, Math.floor((lm - lo) / width));
        let r = 0;
        if (jk && xs && ys && zs) {
          const cell = (v: number) => Math.min(N - 1, Math.floor((((v % L) + L) % L) / (L / N)));
          r = cell(xs[i]) + N * (cell(ys[i]) + N * cell(zs[i]));
        }
        counts[r * nb + b]++;
      }
    }
    const V = L * L * L;
    const total = new Float64Array(nb);
    for (let r = 0; r < regions; r++) for (let b = 0; b < nb; b++) total[b] += counts[r * nb + b];
    const dn = Float64Array.from(total, (n) => n / (V * width));
    const model = binAveragedMassFunction(cosmo, edges, z0, c);
    const used = Array.from(total, (n) => n >= c.minCount);
    const idx = used.flatMap((u, i) => (u ? [i] : []));
    let cov: Float64Array;
    if (jk) {
      const samples: Float64Array[] = [];
      const vSub = V * (1 - 1 / regions);
      for (let r = 0; r < regions; r++) {
        samples.push(Float64Array.from(idx, (b) => (total[b] - counts[r * nb + b]) / (vSub * width)));
      }
      cov = jackknifeCovariance(samples);
    } else {
      cov = new Float64Array(idx.length * idx.length);
      idx.forEach((b, k) => {
        cov[k * idx.length + k] = total[b] / (V * width) ** 2;
      });
    }
    const errors = Array.from({ length: nb }, (_, b) => {
      const k = idx.indexOf(b);
      return k < 0 ? Math.sqrt(total[b]) / (V * width) : Math.sqrt(cov[k * idx.length + k]);
    });
    const dof = idx.length;
    const hartlap = jk && dof > 0 ? hartlapFactor(regions, dof) : 1;
    const chi2 =
      dof > 0
        ? hartlap *
          chi2Covariance(
            Float64Array.from(idx, (b) => dn[b] - model[b]),
            cov,
          )
        : Number.NaN;
    const score = chi2 / dof;
    const centres = Array.from({ length: nb }, (_, b) => 0.5 * (edges[b] + edges[b + 1]));
    const data = {
      binEdgesLog10MsunH: Array.from(edges),
      binCentresLog10MsunH: centres,
      counts: Array.from(total),
      dndlog10m: Array.from(dn),
      error: errors,
      model: Array.from(model),
      usedInChi2: used,
      chi2,
      dof,
      ...(jk ? { jackknifeRegions: regions, hartlapFactor: hartlap } : {}),
      rows,
      boxSizeMpcH: L,
      redshift: z0,
      fit: c.fit,
      mode: c.mode,
      units: { mass: "Msun/h", dndlog10m: "h^3 Mpc^-3 dex^-1" },
    };
    const plot = comparisonPlot(
      `Halo mass function vs ${c.fit} (${c.mode}) at z = ${z0}`,
      "log10 M [M☉/h]",
      "dn/dlog10M [h³ Mpc⁻³ dex⁻¹]",
      centres.map((x, b) => ({ x, catalog: dn[b], catalogError: errors[b], reference: model[b] })),
    );
    const summary =
      dof === 0
        ? `no bin has ≥ ${c.minCount} halos (${rows} rows read), so χ² cannot be formed`
        : `χ²/dof = ${fmt(chi2)}/${dof} = ${fmt(score)} vs ${c.fit} at z = ${z0} (${rows} halos read, box ${L} Mpc/h)`;
    return judged(this.name, score, c.threshold, this.criterion, summary, data, [plot]);
  }
}
