import { z } from "zod";
import type { Catalog } from "../catalog/catalog.js";
import { catalogBoxSize, catalogCosmology } from "./catalog-info.js";
import { parseTestConfig } from "./config.js";
import { comparisonPlot } from "./plots.js";
import { defaultDataDir } from "./reference-data.js";
import {
  errored,
  fmt,
  judged,
  type ValidationContext,
  type ValidationResult,
  type ValidationTest,
} from "./result.js";
import { smfReference } from "./smf-references.js";

/** Config of {@link StellarMassFunctionTest}. */
export const StellarMassFunctionConfigSchema = z
  .object({
    /** `li-white-2009` (x = log10(M* h²)) or `moustakas-2013` (x = log10 M* at h = 0.7). */
    reference: z.enum(["li-white-2009", "moustakas-2013"]).default("li-white-2009"),
    /** Quantity holding M* [M☉ for the catalog's h]. */
    massQuantity: z.string().default("stellar_mass"),
    /** Range of the reference's x whose bins enter χ² (bins wholly inside). */
    range: z
      .object({ min: z.number().default(9.5), max: z.number().default(11.3) })
      .strict()
      .refine((r) => r.max > r.min, { message: "range.max > range.min", path: ["max"] })
      .prefault({}),
    /** Add the catalog's Poisson variance to the reference's. */
    modelPoisson: z.boolean().default(true),
    /** A fractional systematic error of the model, added in quadrature (0 = none). */
    systematicFraction: z.number().min(0).default(0.2),
    /** Pass when χ²/dof < threshold. */
    threshold: z.number().positive().default(2),
    chunkRows: z.number().int().positive().default(65536),
  })
  .strict();

/** Parsed config of {@link StellarMassFunctionTest}. */
export type StellarMassFunctionConfig = z.output<typeof StellarMassFunctionConfigSchema>;

/**
 * Stellar mass function vs Li & White 2009 or Moustakas et al. 2013 in the reference's own h
 * conventions: the catalog's M* histogrammed (streamed) into the reference bins, χ² with the
 * reference errors, the catalog's Poisson errors and a fractional model systematic in quadrature.
 * Criterion: χ²/dof < `threshold` (default 2) over the reference bins inside `range`.
 */
export class StellarMassFunctionTest implements ValidationTest<StellarMassFunctionConfig> {
  readonly name: string;
  readonly config: StellarMassFunctionConfig;

  /** @throws ValidationConfigError naming the config key. */
  constructor(config: unknown = {}, name = "stellar_mass_function") {
    this.name = name;
    this.config = parseTestConfig(name, StellarMassFunctionConfigSchema, config);
  }

  /** The criterion as stated in the result. */
  get criterion(): string {
    const c = this.config;
    return `χ²/dof < ${c.threshold} vs ${c.reference} over its bins in ${c.range.min} ≤ x < ${c.range.max} (errors: reference${c.modelPoisson ? " + catalog Poisson" : ""}${c.systematicFraction > 0 ? ` + ${c.systematicFraction * 100}% model systematic` : ""})`;
  }

  async run(catalog: Catalog, context: ValidationContext = {}): Promise<ValidationResult> {
    try {
      return await this.#run(catalog, context);
    } catch (error) {
      return errored(this.name, this.criterion, error);
    }
  }

  async #run(catalog: Catalog, context: ValidationContext): Promise<ValidationResult> {
    const c = this.config;
    const ref = smfReference(c.reference, context.dataDir ?? defaultDataDir());
    const L = catalogBoxSize(catalog, this.name);
    const h = catalogCosmology(catalog, this.name).params.h;
    const nb = ref.phi.length;
    const counts = new Float64Array(nb);
    let rows = 0;
    for await (const chunk of catalog.iterate({ quantities: [c.massQuantity], chunkRows: c.chunkRows })) {
      const m = chunk[c.massQuantity] as Float64Array;
      rows += m.length;
      for (let i = 0; i < m.length; i++) {
        if (!(m[i] > 0)) continue;
        const x = ref.toX(Math.log10(m[i]), h);
        // bins are sorted and contiguous in both references: binary search on the lower edges
        if (!(x >= ref.binLo[0] && x < ref.binHi[nb - 1])) continue;
        let a = 0;
        let b = nb;
        while (b - a > 1) {
          const mid = (a + b) >> 1;
          if (ref.binLo[mid] <= x) a = mid;
          else b = mid;
        }
        if (x < ref.binHi[a]) counts[a]++;
      }
    }
    const V = ref.volume(L, h);
    const phi = Array.from(counts, (n, b) => n / (V * (ref.binHi[b] - ref.binLo[b])));
    const poissonErr = Array.from(counts, (n, b) => Math.sqrt(n) / (V * (ref.binHi[b] - ref.binLo[b])));
    const used: boolean[] = [];
    let chi2 = 0;
    let dof = 0;
    for (let b = 0; b < nb; b++) {
      const inside = ref.binLo[b] >= c.range.min - 1e-9 && ref.binHi[b] <= c.range.max + 1e-9;
      used.push(inside);
      if (!inside) continue;
      const variance =
        ref.phiError[b] ** 2 +
        (c.modelPoisson ? poissonErr[b] ** 2 : 0) +
        (c.systematicFraction * phi[b]) ** 2;
      chi2 += (phi[b] - ref.phi[b]) ** 2 / variance;
      dof++;
    }
    const score = dof > 0 ? chi2 / dof : Number.NaN;
    const centres = Array.from({ length: nb }, (_, b) => 0.5 * (ref.binLo[b] + ref.binHi[b]));
    const data = {
      reference: ref.citation,
      referenceFile: ref.path,
      massConvention: ref.massConvention,
      phiUnit: ref.phiUnit,
      binLo: Array.from(ref.binLo),
      binHi: Array.from(ref.binHi),
      counts: Array.from(counts),
      phi,
      phiPoissonError: poissonErr,
      referencePhi: Array.from(ref.phi),
      referenceError: Array.from(ref.phiError),
      usedInChi2: used,
      chi2,
      dof,
      rows,
      h,
    };
    const plot = comparisonPlot(
      `Stellar mass function vs ${ref.citation}`,
      ref.massConvention,
      `φ [${ref.phiUnit}]`,
      centres.map((x, b) => ({
        x,
        catalog: phi[b] > 0 ? phi[b] : null,
        catalogError: poissonErr[b],
        reference: ref.phi[b],
        referenceError: ref.phiError[b],
      })),
    );
    const summary =
      dof === 0
        ? `no reference bin lies in ${c.range.min} ≤ x < ${c.range.max}`
        : `χ²/dof = ${fmt(chi2)}/${dof} = ${fmt(score)} vs ${ref.citation} (${rows} galaxies read)`;
    return judged(this.name, score, c.threshold, this.criterion, summary, data, [plot]);
  }
}
