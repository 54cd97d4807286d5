import { invertAffine } from "./fit.js";
import { mapPoint, meshFrom, meshGeometry } from "./map.js";
import type { SectionMap } from "./stack-types.js";

/** Options of {@link invertMap}. */
export interface InvertMapOptions {
  /** Node spacing of the inverse mesh, px (default: the map's own stride, or 40 for affine maps). */
  stride?: number;
  /** Stop refining a node when it moves less than this, px (default 1e-6). */
  tolerance?: number;
}

/**
 * The inverse of a section map: raw section coordinates → output (aligned) coordinates, e.g. to
 * carry points marked on a raw section into the aligned volume. Affine maps invert exactly; mesh
 * maps give a mesh over the `height × width` raw section whose node p holds the q with map(q) = p,
 * found by Newton iterations with the map's Jacobian taken by central differences.
 */
export function invertMap(
  map: SectionMap,
  height: number,
  width: number,
  options: InvertMapOptions = {},
): SectionMap {
  if (map.kind === "affine") return { kind: "affine", affine: invertAffine(map.affine) };
  const tol = options.tolerance ?? 1e-6;
  const grid = meshGeometry(height, width, options.stride ?? map.stride);
  const h = 0.5;
  return meshFrom(grid, (py, px) => {
    let qy = py;
    let qx = px;
    for (let it = 0; it < 50; it++) {
      const [my, mx] = mapPoint(map, qy, qx);
      const ry = py - my;
      const rx = px - mx;
      // Jacobian of the map at q
      const [ay, ax] = mapPoint(map, qy + h, qx);
      const [by, bx] = mapPoint(map, qy - h, qx);
      const [cy, cx] = mapPoint(map, qy, qx + h);
      const [dy, dx] = mapPoint(map, qy, qx - h);
      const j11 = (ay - by) / (2 * h);
      const j21 = (ax - bx) / (2 * h);
      const j12 = (cy - dy) / (2 * h);
      const j22 = (cx - dx) / (2 * h);
      const det = j11 * j22 - j12 * j21;
      const sy = Math.abs(det) > 1e-12 ? (j22 * ry - j12 * rx) / det : ry;
      const sx = Math.abs(det) > 1e-12 ? (j11 * rx - j21 * ry) / det : rx;
      qy += sy;
      qx += sx;
      if (Math.hypot(sy, sx) < tol) break;
    }
    return [qy, qx];
  });
}
