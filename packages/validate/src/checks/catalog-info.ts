import { Cosmology } from "@tessera/cosmology";
import type { Catalog } from "../catalog/catalog.js";
import { ValidationInputError } from "./errors.js";

/** The catalog's box side, Mpc/h. @throws ValidationInputError (`boxSize`) when the config has none. */
export function catalogBoxSize(catalog: Catalog, test: string): number {
  const L = catalog.config.boxSizeMpcH;
  if (L === undefined) {
    throw new ValidationInputError(`${test} needs the catalog's box size`, {
      path: catalog.config.file,
      field: "boxSize",
      expected: "boxSize in the catalog config (Mpc/h)",
      found: "none",
    });
  }
  return L;
}

/** The catalog's cosmology. @throws ValidationInputError (`cosmology`) when the config has none. */
export function catalogCosmology(catalog: Catalog, test: string): Cosmology {
  const p = catalog.config.cosmology;
  if (p === undefined) {
    throw new ValidationInputError(`${test} needs the catalog's cosmology`, {
      path: catalog.config.file,
      field: "cosmology",
      expected: "a cosmology preset or parameters in the catalog config",
      found: "none",
    });
  }
  return new Cosmology(p);
}

/**
 * The catalog's single redshift: the test config's `redshift` override, else the catalog config's
 * `redshift`. @throws ValidationInputError (`redshift`) when there is none (or one per file).
 */
export function catalogRedshift(catalog: Catalog, test: string, override?: number): number {
  if (override !== undefined) return override;
  const z = (catalog.config.values as { redshift?: unknown }).redshift;
  if (typeof z !== "number") {
    throw new ValidationInputError(`${test} needs one redshift for the catalog`, {
      path: catalog.config.file,
      field: "redshift",
      expected: "redshift in the catalog config, or `redshift` in the test config",
      found: z === undefined ? "none" : JSON.stringify(z),
    });
  }
  return z;
}

/** The names among `names` that the catalog does not provide (standard, mapped or derived). */
export function missingQuantities(catalog: Catalog, names: readonly string[]): string[] {
  const have = new Set(catalog.quantities);
  return names.filter((n) => !have.has(n));
}
