/** Catalogs at several time steps of a HACC run, labelled with redshift and scale factor. */
import { type HaccStepOptions, type HaccSteps, haccSteps } from "@tessera/cosmology";
import { type Catalog, catalogRows, ReduceError } from "./catalog.js";

/** A catalog of one step. */
export interface StepCatalogInput {
  /** HACC step (0-based integer; with the default run, 499 is z = 0). */
  step: number;
  columns: Catalog;
}

/** A catalog of one step with its time. */
export interface StepCatalog extends StepCatalogInput {
  /** Redshift at the end of the step. */
  redshift: number;
  /** Scale factor a = 1/(1 + z) at the end of the step. */
  scaleFactor: number;
  /** Rows of the catalog. */
  rows: number;
}

/**
 * Label catalogs with the redshift and scale factor of their step (HACC's step map of
 * `@tessera/cosmology`: steps equal in a from zIn to zFinal) and sort them by step.
 * `run` is the run's step map or its options (default zIn 200, zFinal 0, 500 steps).
 * @throws ReduceError naming the entry: a step that is not an integer in [0, steps), a step given
 *   twice, misaligned columns.
 */
export function catalogsAtSteps(
  catalogs: readonly StepCatalogInput[],
  run: HaccSteps | HaccStepOptions = {},
): StepCatalog[] {
  if (!Array.isArray(catalogs)) {
    throw new ReduceError("catalogs must be an array of { step, columns }", {
      field: "catalogs",
      expected: "an array",
      found: String(catalogs),
    });
  }
  const map: HaccSteps = "aOfStep" in run ? run : haccSteps(run);
  const seen = new Map<number, number>();
  const out = catalogs.map((c, i): StepCatalog => {
    const step = c?.step;
    if (!Number.isInteger(step) || step < 0 || step >= map.steps) {
      throw new ReduceError("a catalog's step lies outside the run", {
        field: `catalogs[${i}].step`,
        expected: `an integer in [0, ${map.steps - 1}] (run of ${map.steps} steps, z ${map.zIn} → ${map.zFinal})`,
        found: String(step),
      });
    }
    const before = seen.get(step);
    if (before !== undefined) {
      throw new ReduceError("two catalogs have the same step", {
        field: `catalogs[${i}].step`,
        expected: `a step other than catalogs[${before}].step`,
        found: String(step),
      });
    }
    seen.set(step, i);
    const rows = catalogRows(c.columns, `catalogs[${i}].columns`);
    const scaleFactor = map.aOfStep(step);
    return { step, columns: c.columns, redshift: map.zOfStep(step), scaleFactor, rows };
  });
  return out.sort((a, b) => a.step - b.step);
}
