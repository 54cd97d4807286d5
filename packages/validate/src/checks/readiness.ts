import { z } from "zod";
import type { Catalog } from "../catalog/catalog.js";
import { missingQuantities } from "./catalog-info.js";
import { parseTestConfig } from "./config.js";
import { ValidationConfigError } from "./errors.js";
import {
  errored,
  fmt,
  judged,
  type ValidationContext,
  type ValidationResult,
  type ValidationTest,
} from "./result.js";

const Range = z.object({ min: z.number().optional(), max: z.number().optional() }).strict();

/** Default allowed ranges (inclusive) of standard quantities, in their standard units. */
export const DEFAULT_RANGES: Record<string, { min?: number; max?: number }> = {
  halo_mass: { min: 0, max: 1e17 },
  stellar_mass: { min: 0, max: 1e13 },
  ra: { min: 0, max: 360 },
  dec: { min: -90, max: 90 },
  redshift: { min: 0, max: 20 },
  redshift_true: { min: 0, max: 20 },
  ...Object.fromEntries(["u", "g", "r", "i", "z", "y"].map((b) => [`mag_${b}`, { min: -10, max: 50 }])),
  ...Object.fromEntries(["u", "g", "r", "i", "z", "y"].map((b) => [`Mag_${b}`, { min: -40, max: 0 }])),
};

/** Config of {@link ReadinessTest}. */
export const ReadinessConfigSchema = z
  .object({
    /** Quantities to check (default: every quantity of the catalog). */
    quantities: z.array(z.string()).optional(),
    /** Allowed [min, max] per quantity in its standard unit; merged over {@link DEFAULT_RANGES}; x, y, z default to [0, boxSize]. */
    ranges: z.record(z.string(), Range).default({}),
    /** Pass needs every quantity's finite fraction ≥ this (default 1: no NaN or ±inf at all). */
    minFiniteFraction: z.number().min(0).max(1).default(1),
    /** Pass needs at most this many out-of-range values per quantity. */
    maxOutOfRange: z.number().int().min(0).default(0),
    /** Id quantities checked for duplicates (default: halo_id and galaxy_id when present). */
    idQuantities: z.array(z.string()).optional(),
    chunkRows: z.number().int().positive().default(65536),
  })
  .strict();

/** Parsed config of {@link ReadinessTest}. */
export type ReadinessConfig = z.output<typeof ReadinessConfigSchema>;

/** Per-quantity statistics of {@link ReadinessTest}. */
export interface QuantityReadiness {
  unit: string;
  count: number;
  nan: number;
  infinite: number;
  finiteFraction: number;
  min: number | null;
  max: number | null;
  range: { min?: number; max?: number } | null;
  outOfRange: number;
  duplicates?: number;
  firstDuplicate?: string;
  problems: string[];
}

/**
 * Catalog readiness: per quantity the finite fraction (NaN, ±inf), min/max against allowed ranges
 * and, for id quantities, duplicate ids across all chunks and files (a hash set of the ids seen:
 * memory grows with the number of distinct ids). Units are stated per quantity. Criterion: every
 * finite fraction ≥ `minFiniteFraction` (default 1), ≤ `maxOutOfRange` (default 0) values out of
 * range, 0 duplicate ids. Score: the number of problems found.
 */
export class ReadinessTest implements ValidationTest<ReadinessConfig> {
  readonly name: string;
  readonly config: ReadinessConfig;

  /** @throws ValidationConfigError naming the config key. */
  constructor(config: unknown = {}, name = "readiness") {
    this.name = name;
    this.config = parseTestConfig(name, ReadinessConfigSchema, config);
  }

  /** The criterion as stated in the result. */
  get criterion(): string {
    const c = this.config;
    return `problems = 0, where a problem is a quantity with finite fraction < ${c.minFiniteFraction}, > ${c.maxOutOfRange} values out of range, or an id quantity with > 0 duplicates`;
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
    const names = c.quantities ?? catalog.quantities;
    const missing = missingQuantities(catalog, names);
    if (missing.length > 0) {
      throw new ValidationConfigError("readiness: quantities the catalog does not have", {
        path: catalog.config.file,
        field: "quantities",
        expected: `quantities of the catalog: ${catalog.quantities.join(", ")}`,
        found: missing.join(", "),
      });
    }
    const idNames = c.idQuantities ?? names.filter((n) => n === "halo_id" || n === "galaxy_id");
    const L = catalog.config.boxSizeMpcH;
    const stats: Record<string, QuantityReadiness> = {};
    const seen = new Map<string, Set<bigint | number>>();
    for (const n of names) {
      const boxRange =
        L !== undefined && (n === "x" || n === "y" || n === "z") ? { min: 0, max: L } : undefined;
      const range = c.ranges[n] ?? DEFAULT_RANGES[n] ?? boxRange ?? null;
      const d = catalog.describe(n);
      stats[n] = {
        unit: d?.unit ?? d?.dimension ?? "dimensionless",
        count: 0,
        nan: 0,
        infinite: 0,
        finiteFraction: 1,
        min: null,
        max: null,
        range,
        outOfRange: 0,
        problems: [],
      };
      if (idNames.includes(n)) {
        seen.set(n, new Set());
        stats[n].duplicates = 0;
      }
    }
    for await (const chunk of catalog.iterate({ quantities: names, chunkRows: c.chunkRows })) {
      for (const n of names) {
        const col = chunk[n];
        const s = stats[n];
        const set = seen.get(n);
        s.count += col.length;
        if (col instanceof BigInt64Array) {
          for (let i = 0; i < col.length; i++) {
            const v = col[i];
            if (set) {
              if (set.has(v)) {
                s.duplicates = (s.duplicates ?? 0) + 1;
                s.firstDuplicate ??= v.toString();
              } else set.add(v);
            }
            const f = Number(v);
            if (s.min === null || f < s.min) s.min = f;
            if (s.max === null || f > s.max) s.max = f;
          }
          continue;
        }
        const lo = s.range?.min ?? Number.NEGATIVE_INFINITY;
        const hi = s.range?.max ?? Number.POSITIVE_INFINITY;
        for (let i = 0; i < col.length; i++) {
          const v = col[i];
          if (Number.isNaN(v)) {
            s.nan++;
            continue;
          }
          if (!Number.isFinite(v)) {
            s.infinite++;
            continue;
          }
          if (s.min === null || v < s.min) s.min = v;
          if (s.max === null || v > s.max) s.max = v;
          if (v < lo || v > hi) s.outOfRange++;
          if (set) {
            if (set.has(v)) {
              s.duplicates = (s.duplicates ?? 0) + 1;
              s.firstDuplicate ??= String(v);
            } else set.add(v);
          }
        }
      }
    }
    let problems = 0;
    for (const n of names) {
      const s = stats[n];
      s.finiteFraction = s.count === 0 ? 1 : (s.count - s.nan - s.infinite) / s.count;
      if (s.finiteFraction < c.minFiniteFraction) {
        s.problems.push(`finite fraction ${fmt(s.finiteFraction)} (${s.nan} NaN, ${s.infinite} ±inf)`);
      }
      if (s.outOfRange > c.maxOutOfRange) {
        s.problems.push(
          `${s.outOfRange} values outside [${s.range?.min ?? "−∞"}, ${s.range?.max ?? "∞"}] ${s.unit}`,
        );
      }
      if ((s.duplicates ?? 0) > 0)
        s.problems.push(`${s.duplicates} duplicate ids (first: ${s.firstDuplicate})`);
      problems += s.problems.length;
    }
    const bad = names.filter((n) => stats[n].problems.length > 0);
    const summary =
      problems === 0
        ? `${names.length} quantities, ${stats[names[0]]?.count ?? 0} rows: all finite, in range, ids unique`
        : `${problems} problems: ${bad.map((n) => `${n}: ${stats[n].problems.join("; ")}`).join(" | ")}`;
    return judged(this.name, problems, 0.5, this.criterion, summary, { quantities: stats, problems });
  }
}
