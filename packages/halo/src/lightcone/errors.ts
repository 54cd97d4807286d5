import { HaloError } from "../errors.js";

/** Base class of the errors of lightcone assembly ({@link buildLightcone}). */
export class LightconeError extends HaloError {}

/** An option of {@link buildLightcone} (box size, observer, redshift range, footprint, …) is invalid; `field` names it. */
export class LightconeOptionError extends LightconeError {}

/**
 * The requested redshift range reaches outside the redshifts the snapshots cover (their shells).
 * `requested` and `covered` hold the two ranges `[zMin, zMax]`.
 */
export class LightconeRangeError extends LightconeError {
  /** The requested `[zMin, zMax]`. */
  readonly requested: readonly [number, number];
  /** The redshifts the snapshots' shells cover, `[zLow, zHigh]`. */
  readonly covered: readonly [number, number];

  constructor(
    summary: string,
    details: ConstructorParameters<typeof LightconeError>[1] & {
      requested: readonly [number, number];
      covered: readonly [number, number];
    },
  ) {
    super(summary, details);
    this.requested = details.requested;
    this.covered = details.covered;
  }
}

/** A snapshot of the input is malformed (no step or redshift, columns of different lengths, …). */
export class SnapshotInputError extends LightconeError {}

/** The snapshot list is empty. */
export class EmptySnapshotListError extends SnapshotInputError {}

/**
 * The snapshots are not in time order (steps strictly increasing, redshifts strictly decreasing),
 * or two share a step or redshift. `snapshot` is the index of the first one out of order.
 */
export class SnapshotOrderError extends SnapshotInputError {
  /** Index of the offending snapshot in the input list. */
  readonly snapshot: number;

  constructor(
    summary: string,
    details: ConstructorParameters<typeof LightconeError>[1] & { snapshot: number },
  ) {
    super(summary, details);
    this.snapshot = details.snapshot;
  }
}

/**
 * An object lies outside the periodic box [0, L)³ (or has a NaN/∞ coordinate). `field` names the
 * coordinate (`snapshots[s].objects.x[i]`); `snapshot` and `object` hold the indices.
 */
export class ObjectOutsideBoxError extends SnapshotInputError {
  /** Index of the snapshot in the input list. */
  readonly snapshot: number;
  /** Row of the object in its snapshot. */
  readonly object: number;

  constructor(
    summary: string,
    details: ConstructorParameters<typeof LightconeError>[1] & { snapshot: number; object: number },
  ) {
    super(summary, details);
    this.snapshot = details.snapshot;
    this.object = details.object;
  }
}
