import { HaloError } from "../errors.js";
import { coordinateViews, type ParticlePositions } from "../fof/positions.js";

/** A HaloError subclass that property functions throw (same constructor as HaloError). */
export type PropertyErrorClass = new (...args: ConstructorParameters<typeof HaloError>) => HaloError;

/** Throw `Err` unless `v` is a finite number > 0. */
export function checkPositive(Err: PropertyErrorClass, field: string, v: unknown): asserts v is number {
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
    throw new Err(`${field} must be a finite number > 0`, {
      field,
      expected: "a finite number > 0",
      found: String(v),
    });
  }
}

/** `coordinateViews(p)`, its errors re-thrown as `Err` naming `field` instead of "positions". */
export function coordinateViewsOf(
  Err: PropertyErrorClass,
  field: string,
  p: ParticlePositions,
): ReturnType<typeof coordinateViews> {
  try {
    return coordinateViews(p);
  } catch (e) {
    if (e instanceof HaloError) {
      throw new Err(`${field}: ${e.message}`, {
        field: e.field?.replace(/^positions/, field) ?? field,
        expected: e.expected,
        found: e.found,
        cause: e,
      });
    }
    throw e;
  }
}
