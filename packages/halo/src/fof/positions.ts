import { FofOptionError } from "./errors.js";

/** A numeric typed array of coordinates. */
export type CoordinateArray = Float32Array | Float64Array;

/**
 * Particle positions, in box units, in one of two layouts:
 * - interleaved: one `Float32Array` / `Float64Array` of 3·n numbers `(x0, y0, z0, x1, …)` (what
 *   `@tessera/phantom` returns);
 * - separate: `{ x, y, z }`, three arrays of n numbers each (what GenericIO files hold).
 */
export type ParticlePositions =
  | CoordinateArray
  | { x: CoordinateArray; y: CoordinateArray; z: CoordinateArray };

/** Strided view of one coordinate: value of particle i is `array[offset + stride·i]`. */
export interface CoordinateView {
  array: CoordinateArray;
  offset: number;
  stride: number;
}

/** The three coordinate views of `positions` and the particle count; throws on a malformed layout. */
export function coordinateViews(positions: ParticlePositions): {
  n: number;
  views: [CoordinateView, CoordinateView, CoordinateView];
} {
  if (positions instanceof Float32Array || positions instanceof Float64Array) {
    if (positions.length % 3 !== 0) {
      throw new FofOptionError("interleaved positions must hold 3 numbers per particle", {
        field: "positions",
        expected: "a length divisible by 3",
        found: String(positions.length),
      });
    }
    return {
      n: positions.length / 3,
      views: [
        { array: positions, offset: 0, stride: 3 },
        { array: positions, offset: 1, stride: 3 },
        { array: positions, offset: 2, stride: 3 },
      ],
    };
  }
  if (positions === null || typeof positions !== "object") {
    throw new FofOptionError("positions must be a Float32Array/Float64Array or { x, y, z }", {
      field: "positions",
      expected: "Float32Array | Float64Array | { x, y, z }",
      found: String(positions),
    });
  }
  const { x, y, z } = positions;
  for (const [name, a] of [
    ["x", x],
    ["y", y],
    ["z", z],
  ] as const) {
    if (!(a instanceof Float32Array || a instanceof Float64Array)) {
      throw new FofOptionError("each coordinate must be a Float32Array or Float64Array", {
        field: `positions.${name}`,
        expected: "Float32Array | Float64Array",
        found: a === undefined ? "undefined" : Object.prototype.toString.call(a),
      });
    }
  }
  if (x.length !== y.length || x.length !== z.length) {
    throw new FofOptionError("x, y and z must have the same length", {
      field: "positions",
      expected: `${x.length} numbers in each of x, y, z`,
      found: `x ${x.length}, y ${y.length}, z ${z.length}`,
    });
  }
  return {
    n: x.length,
    views: [
      { array: x, offset: 0, stride: 1 },
      { array: y, offset: 0, stride: 1 },
      { array: z, offset: 0, stride: 1 },
    ],
  };
}
