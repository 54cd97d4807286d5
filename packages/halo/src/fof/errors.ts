import { HaloError } from "../errors.js";

/** Base class of the errors of the friends-of-friends halo finder. */
export class FofError extends HaloError {}

/** An option of the halo finder (linking length, box size, blocks, …) is out of range; `field` names it. */
export class FofOptionError extends FofError {}

/**
 * A particle position is NaN or infinite. `field` names the coordinate (`positions[i].x`) and
 * {@link NonFinitePositionError.particle} holds the particle index.
 */
export class NonFinitePositionError extends FofError {
  /** Index of the offending particle in the input. */
  readonly particle: number;

  constructor(summary: string, details: ConstructorParameters<typeof FofError>[1] & { particle: number }) {
    super(summary, details);
    this.particle = details.particle;
  }
}

/**
 * A particle lies outside the periodic box [0, L)³ (or outside the region a block task asked its
 * reader for). `field` names the coordinate and {@link ParticleOutsideBoxError.particle} the particle.
 */
export class ParticleOutsideBoxError extends FofError {
  /** Index of the offending particle in the input. */
  readonly particle: number;

  constructor(summary: string, details: ConstructorParameters<typeof FofError>[1] & { particle: number }) {
    super(summary, details);
    this.particle = details.particle;
  }
}

/** Block results that do not fit together (missing neighbour records, mixed runs) in a blockwise merge. */
export class FofMergeError extends FofError {}
