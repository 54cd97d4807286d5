import type { Cosmology, CosmologyParamsInput, HaccStepOptions, HaccSteps } from "@tessera/cosmology";
import type { Footprint } from "./footprint.js";
import type { ShellBoundaries } from "./shells.js";

/** A column of a snapshot: plain numbers (typed array or array) or 64-bit integers. */
export type LightconeInputColumn = ArrayLike<number> | BigInt64Array | BigUint64Array;

/** A column of the output: the input column's typed-array type (plain arrays become Float64Array). */
export type LightconeColumnArray =
  | Float64Array
  | Float32Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/**
 * The objects (particles or halos) of one snapshot, one entry per object in every column.
 * Positions are comoving Mpc/h in [0, L); velocities (optional) are peculiar velocities in km/s.
 * Every other key (`id`, `fof_halo_mass`, …) is a column carried into the lightcone.
 */
export interface LightconeObjects {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  z: ArrayLike<number>;
  vx?: ArrayLike<number>;
  vy?: ArrayLike<number>;
  vz?: ArrayLike<number>;
  /** Object ids; a BigInt64Array stays one in the output. */
  id?: LightconeInputColumn;
  [column: string]: LightconeInputColumn | undefined;
}

/** One snapshot: its HACC step (redshift from `options.steps`) or its redshift, and its objects. */
export interface LightconeSnapshot {
  /** HACC time step (0-based); used for the redshift when `redshift` is absent. */
  step?: number;
  /** Redshift of the snapshot; takes precedence over `step`. */
  redshift?: number;
  objects: LightconeObjects;
}

/** Options of {@link buildLightcone}. */
export interface LightconeOptions {
  /** Side L of the periodic box, comoving Mpc/h (> 0). */
  boxSize: number;
  /** The cosmology (any model of `@tessera/cosmology`: w0–wa, curvature), or its parameters. */
  cosmology: Cosmology | CosmologyParamsInput;
  /** Lowest redshift kept (≥ 0). */
  zMin: number;
  /** Highest redshift kept (> zMin). */
  zMax: number;
  /** Observer position, comoving Mpc/h (default [0, 0, 0]: the box's origin corner). */
  observer?: readonly [number, number, number];
  /** Sky kept (default full sky). */
  footprint?: Footprint;
  /** Where neighbouring snapshots' shells meet (default `"distance"`: midpoints in χ). */
  boundaries?: ShellBoundaries;
  /**
   * Let the end snapshots own everything beyond them (the last one down to z = 0, the first one
   * out to any redshift). Default false: the end shells reach half a gap past their snapshot, and a
   * range beyond that is a {@link LightconeRangeError}. Needed for a single snapshot.
   */
  extrapolate?: boolean;
  /** Step ↔ redshift map of snapshots given by step (default `haccSteps()`: 500 steps from z = 200). */
  steps?: HaccSteps | HaccStepOptions;
  /**
   * Compute the observed redshift with the line-of-sight peculiar velocity (needs vx, vy, vz in
   * every snapshot). Default: when every snapshot has them.
   */
  peculiarVelocities?: boolean;
  /** Columns to carry (default: every column other than x, y, z, vx, vy, vz present in all snapshots). */
  columns?: readonly string[];
}

/** The shell a snapshot owns and what it contributed. Distances comoving Mpc/h. */
export interface LightconeShell {
  /** Index of the snapshot in the input list. */
  snapshot: number;
  /** Its step (−1 when given by redshift only). */
  step: number;
  redshift: number;
  /** χ of the snapshot's redshift. */
  chiMpcH: number;
  /** The shell the snapshot owns, [inner, outer) (before clipping to the requested range). */
  chiInnerMpcH: number;
  chiOuterMpcH: number;
  /** The part of it kept: [lower, upper) ∩ [χ(zMin), χ(zMax)] (upper closed for the outermost shell). */
  chiLowerMpcH: number;
  chiUpperMpcH: number;
  /** Periodic images of the box visited (those whose box meets the kept shell). */
  imagesVisited: number;
  /** Objects this snapshot put in the lightcone. */
  count: number;
}

/** A lightcone: one row per kept object replica, in columns. */
export interface Lightcone {
  count: number;
  /** Position relative to the observer, comoving Mpc/h. */
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  /** Comoving radial distance from the observer, Mpc/h. */
  chi: Float64Array;
  /** Cosmological redshift z(χ). */
  redshift: Float64Array;
  /** (1 + z)(1 + v_los/c) − 1 when peculiar velocities are used. */
  redshiftObserved?: Float64Array;
  /** Line-of-sight peculiar velocity (km/s, positive away from the observer) when used. */
  velocityLosKmS?: Float64Array;
  /** Right ascension and declination, degrees (see {@link raDecDegrees}). */
  ra: Float64Array;
  dec: Float64Array;
  /** Replication index: the object is at (x, y, z)_box + L (ix, iy, iz). */
  ix: Int32Array;
  iy: Int32Array;
  iz: Int32Array;
  /** Source snapshot (index in the input list), its step (−1 if none) and the object's row in it. */
  snapshot: Int32Array;
  step: Int32Array;
  index: Int32Array;
  /** The `id` column when the snapshots have one (BigInt64Array if given so). */
  id?: LightconeColumnArray;
  /** Carried columns, by name (`id` included). */
  columns: Record<string, LightconeColumnArray>;
  /** Per snapshot, in input order. */
  shells: LightconeShell[];
  /** χ(zMin), χ(zMax), Mpc/h. */
  chiRangeMpcH: [number, number];
}
