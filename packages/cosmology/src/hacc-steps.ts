import { CosmologyParameterError } from "./errors.js";

/** Options of {@link haccSteps}: HACC's time stepping, linear in the scale factor. */
export interface HaccStepOptions {
  /** Starting redshift (default 200). */
  zIn?: number;
  /** Final redshift (default 0). */
  zFinal?: number;
  /** Number of steps (default 500: steps 0…499). */
  steps?: number;
}

/** The step ↔ scale factor ↔ redshift map of a HACC run. */
export interface HaccSteps {
  readonly zIn: number;
  readonly zFinal: number;
  readonly steps: number;
  /** Scale factor at the end of step `step` (0-based; the last step ends at zFinal). */
  aOfStep(step: number): number;
  /** Redshift at the end of step `step`. */
  zOfStep(step: number): number;
  /** The (fractional) step that ends at scale factor a. */
  stepOfA(a: number): number;
  /** The step whose end is nearest redshift z. */
  nearestStep(z: number): number;
}

/**
 * HACC's steps are equal in scale factor from a_in = 1/(1 + zIn) to a_final: step s ends at
 * a_in + (s + 1)(a_final − a_in)/steps, so with the defaults step 499 is z = 0 and step 247 is
 * z = 1.006 (the labels of Outer Rim's catalogs and lightcone shells).
 */
export function haccSteps(options: HaccStepOptions = {}): HaccSteps {
  const zIn = options.zIn ?? 200;
  const zFinal = options.zFinal ?? 0;
  const steps = options.steps ?? 500;
  if (!(zIn > zFinal && zFinal >= 0)) {
    throw new CosmologyParameterError("HACC steps need zIn > zFinal >= 0", {
      field: "zIn",
      expected: `zIn > zFinal >= 0 (zFinal ${zFinal})`,
      found: String(zIn),
    });
  }
  if (!(Number.isInteger(steps) && steps > 0)) {
    throw new CosmologyParameterError("HACC steps: a positive integer number of steps", {
      field: "steps",
      expected: "an integer >= 1",
      found: String(steps),
    });
  }
  const aIn = 1 / (1 + zIn);
  const aFinal = 1 / (1 + zFinal);
  const da = (aFinal - aIn) / steps;
  const aOfStep = (step: number) => aIn + (step + 1) * da;
  return {
    zIn,
    zFinal,
    steps,
    aOfStep,
    zOfStep: (step) => 1 / aOfStep(step) - 1,
    stepOfA: (a) => (a - aIn) / da - 1,
    nearestStep: (z) => Math.min(steps - 1, Math.max(0, Math.round((1 / (1 + z) - aIn) / da - 1))),
  };
}
