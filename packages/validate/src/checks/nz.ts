import { z } from "zod";
import type { Catalog } from "../catalog/catalog.js";
import { missingQuantities } from "./catalog-info.js";
import { parseTestConfig } from "./config.js";
import { comparisonPlot } from "./plots.js";
import { defaultDataDir, descqaPath } from "./reference-data.js";
import {
  errored,
  fmt,
  judged,
  skipped,
  type ValidationContext,
  type ValidationResult,
  type ValidationTest,
} from "./result.js";
import { readNumericTable } from "./table.js";

/** One DEEP2 magnitude bin of Coil et al. 2004 Table 3: Ilo ≤ I < Ihi, z0 (or the corrected z0_c) ± dz0. */
export interface Deep2Bin {
  magLo: number;
  magHi: number;
  z0: number;
  z0Corrected: number;
  z0Error: number;
}

/** Read `N_z/DEEP2/Coil_et_al_2004_Table3_i.txt` (2 header lines; columns Ilo Ihi z0 z0_c dz0). */
export function coil2004Table3(dataDir: string): { path: string; bins: Deep2Bin[] } {
  const path = descqaPath(dataDir, "N_z/DEEP2/Coil_et_al_2004_Table3_i.txt");
  const rows = readNumericTable(path, 2, 5);
  return {
    path,
    bins: rows.map((r) => ({ magLo: r[0], magHi: r[1], z0: r[2], z0Corrected: r[3], z0Error: r[4] })),
  };
}

/** Regularised lower incomplete gamma P(n, x) for integer n. */
function pInt(n: number, x: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; k < n; k++) {
    term *= x / k;
    sum += term;
  }
  return 1 - Math.exp(-x) * sum;
}

/**
 * Maximum-likelihood z0 of N(z) ∝ z² exp(−z/z0) from the mean redshift of a sample, truncated at
 * `zMax` (∞: z0 = mean/3): solves 3 z0 P(4, zMax/z0)/P(3, zMax/z0) = mean by bisection.
 */
export function z0FromMean(mean: number, zMax = Number.POSITIVE_INFINITY): number {
  if (!Number.isFinite(zMax)) return mean / 3;
  const m = (z0: number) => (3 * z0 * pInt(4, zMax / z0)) / pInt(3, zMax / z0);
  let lo = 1e-6;
  let hi = 100;
  for (let i = 0; i < 200; i++) {
    const mid = Math.sqrt(lo * hi);
    if (m(mid) < mean) lo = mid;
    else hi = mid;
  }
  return Math.sqrt(lo * hi);
}

/** Config of {@link NzTest}. */
export const NzConfigSchema = z
  .object({
    magnitudeQuantity: z.string().default("mag_i"),
    redshiftQuantity: z.string().default("redshift"),
    /** `z0` or the corrected `z0_c` column of Coil et al. 2004 Table 3. */
    z0Column: z.enum(["z0", "z0_c"]).default("z0"),
    /** The catalog's redshift limit (truncation of the fit), if any. */
    zMax: z.number().positive().optional(),
    /** Magnitude bins with fewer galaxies are left out of χ². */
    minCount: z.number().int().min(2).default(50),
    /** Pass when χ²/dof < threshold. */
    threshold: z.number().positive().default(2),
    /** Redshift bin width of the N(z) curves in `data`. */
    histogramStep: z.number().positive().default(0.05),
    chunkRows: z.number().int().positive().default(65536),
  })
  .strict();

/** Parsed config of {@link NzTest}. */
export type NzConfig = z.output<typeof NzConfigSchema>;

/**
 * N(z) vs DEEP2 (Coil et al. 2004, Table 3, I-band bins 18–24): per magnitude bin the catalog's
 * maximum-likelihood z0 of N(z) ∝ z² exp(−z/z0) (from the streamed mean redshift) is compared with
 * the table's z0 ± dz0, the catalog's statistical error z0/√(3N) in quadrature. Criterion:
 * χ²/dof < `threshold` (default 2) over the bins with ≥ `minCount` galaxies. SKIPPED (with the
 * reason) when the catalog has no redshift or magnitude quantity.
 */
export class NzTest implements ValidationTest<NzConfig> {
  readonly name: string;
  readonly config: NzConfig;

  /** @throws ValidationConfigError naming the config key. */
  constructor(config: unknown = {}, name = "nz_deep2") {
    this.name = name;
    this.config = parseTestConfig(name, NzConfigSchema, config);
  }

  /** The criterion as stated in the result. */
  get criterion(): string {
    const c = this.config;
    return `χ²/dof < ${c.threshold} of the catalog's z0 vs Coil et al. 2004 ${c.z0Column} over the I-band bins with ≥ ${c.minCount} galaxies`;
  }

  async run(catalog: Catalog, context: ValidationContext = {}): Promise<ValidationResult> {
    const c = this.config;
    const missing = missingQuantities(catalog, [c.magnitudeQuantity, c.redshiftQuantity]);
    if (missing.length > 0) {
      return skipped(
        this.name,
        this.criterion,
        `the catalog has no ${missing.join(" and ")} quantity: N(z) vs DEEP2 needs redshifts and apparent I-band magnitudes`,
      );
    }
    try {
      return await this.#run(catalog, context);
    } catch (error) {
      return errored(this.name, this.criterion, error);
    }
  }

  async #run(catalog: Catalog, context: ValidationContext): Promise<ValidationResult> {
    const c = this.config;
    const { path, bins } = coil2004Table3(context.dataDir ?? defaultDataDir());
    const nb = bins.length;
    const zTop = c.zMax ?? 3;
    const nh = Math.ceil(zTop / c.histogramStep);
    const count = new Float64Array(nb);
    const sumZ = new Float64Array(nb);
    const hist = bins.map(() => new Float64Array(nh));
    let rows = 0;
    for await (const chunk of catalog.iterate({
      quantities: [c.magnitudeQuantity, c.redshiftQuantity],
      chunkRows: c.chunkRows,
    })) {
      const mag = chunk[c.magnitudeQuantity] as Float64Array;
      const zs = chunk[c.redshiftQuantity] as Float64Array;
      rows += mag.length;
      for (let i = 0; i < mag.length; i++) {
        const zi = zs[i];
        if (!(zi >= 0) || (c.zMax !== undefined && !(zi <= c.zMax))) continue;
        for (let b = 0; b < nb; b++) {
          if (mag[i] >= bins[b].magLo && mag[i] < bins[b].magHi) {
            count[b]++;
            sumZ[b] += zi;
            const k = Math.floor(zi / c.histogramStep);
            if (k < nh) hist[b][k]++;
            break;
          }
        }
      }
    }
    const refZ0 = bins.map((b) => (c.z0Column === "z0" ? b.z0 : b.z0Corrected));
    const z0 = Array.from(count, (n, b) => (n > 0 ? z0FromMean(sumZ[b] / n, c.zMax) : Number.NaN));
    const z0Err = Array.from(count, (n, b) => z0[b] / Math.sqrt(3 * n));
    let chi2 = 0;
    let dof = 0;
    const used = Array.from(count, (n) => n >= c.minCount);
    for (let b = 0; b < nb; b++) {
      if (!used[b]) continue;
      chi2 += (z0[b] - refZ0[b]) ** 2 / (bins[b].z0Error ** 2 + z0Err[b] ** 2);
      dof++;
    }
    const score = dof > 0 ? chi2 / dof : Number.NaN;
    const zCentres = Array.from({ length: nh }, (_, k) => (k + 0.5) * c.histogramStep);
    const curves = bins.map((bin, b) => {
      const n = count[b];
      const norm = (zz: number) => {
        const t = refZ0[b];
        const full = c.zMax === undefined ? 1 : pInt(3, c.zMax / t);
        return ((n * c.histogramStep) / full) * ((zz * zz) / (2 * t ** 3)) * Math.exp(-zz / t);
      };
      return {
        magLo: bin.magLo,
        magHi: bin.magHi,
        count: n,
        z0: z0[b],
        z0Error: z0Err[b],
        referenceZ0: refZ0[b],
        referenceZ0Error: bin.z0Error,
        usedInChi2: used[b],
        nz: Array.from(hist[b]),
        referenceNz: zCentres.map(norm),
      };
    });
    const data = {
      reference: "Coil et al. 2004 (ApJ 617, 765) Table 3",
      referenceFile: path,
      zCentres,
      bins: curves,
      chi2,
      dof,
      rows,
    };
    const plot = comparisonPlot(
      "z0 of N(z) ∝ z² exp(−z/z0) vs DEEP2 (Coil et al. 2004)",
      "I-band bin centre [mag]",
      "z0",
      curves.map((k) => ({
        x: 0.5 * (k.magLo + k.magHi),
        catalog: Number.isFinite(k.z0) ? k.z0 : null,
        catalogError: k.z0Error,
        reference: k.referenceZ0,
        referenceError: k.referenceZ0Error,
      })),
      false,
    );
    const summary =
      dof === 0
        ? `no I-band bin of DEEP2 has ≥ ${c.minCount} galaxies (${rows} rows read)`
        : `χ²/dof = ${fmt(chi2)}/${dof} = ${fmt(score)}; z0 = ${z0.map((v) => fmt(v)).join(", ")} vs ${refZ0.join(", ")}`;
    return judged(this.name, score, c.threshold, this.criterion, summary, data, [plot]);
  }
}
