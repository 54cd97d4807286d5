/**
 * Cross product `u × v` of two 3-vectors given by their components, written to `out[o]`,
 * `out[o + 1]`, `out[o + 2]`. The one place the formula is written (triangle normals, areas,
 * flip tests); small enough for V8 to inline in hot loops, and it allocates nothing.
 */
export function cross(
  out: Float64Array,
  o: number,
  ux: number,
  uy: number,
  uz: number,
  vx: number,
  vy: number,
  vz: number,
): void {
  out[o] = uy * vz - uz * vy;
  out[o + 1] = uz * vx - ux * vz;
  out[o + 2] = ux * vy - uy * vx;
}
