import { cross } from "./cross.js";
import { TriangleGrid } from "./hausdorff-grid.js";
import type { Mesh } from "./mesh.js";

/** Options of {@link hausdorffBounds} and {@link directedHausdorffBounds}. */
export interface HausdorffOptions {
  /**
   * Refine triangles until the upper bound is within this distance of the lower bound (mesh units,
   * nm for meshes from `marchingCubes`). Default: 1% of the largest vertex distance.
   */
  tolerance?: number;
  /** Most times a triangle is split in four while refining (default 6). */
  maxDepth?: number;
}

/**
 * Two numbers that enclose a Hausdorff distance: `lower ≤ true distance ≤ upper`. `lower` is the
 * largest exact point-to-surface distance over the points evaluated (every vertex, and the edge
 * midpoints of refined triangles); `upper` holds for every point of every triangle.
 */
export interface HausdorffBounds {
  lower: number;
  upper: number;
}

const STACK_ENTRY = 16; // x0 y0 z0 x1 y1 z1 x2 y2 z2, d0 d1 d2, nearest triangle of each corner, depth

/**
 * Bounds on the symmetric Hausdorff distance `max(sup_{p∈A} d(p, B), sup_{q∈B} d(q, A))` between
 * the surfaces of two triangle meshes (every point of every triangle, not only the vertices), in
 * the meshes' units.
 *
 * How: the exact distance from every vertex of each mesh to the other surface (a uniform grid of
 * triangles, exact point-to-triangle distances) gives the lower bound. For the interior of a
 * triangle T with corner distances d₀, d₁, d₂, two rigorous bounds are combined: the distance to
 * the surface is 1-Lipschitz, so `sup_T d ≤ max dᵢ + R(T)` where R(T) is the largest distance from
 * a point of T to its nearest corner (the circumradius for a non-obtuse triangle); and the distance
 * to any one triangle S of the other mesh is convex, so `sup_T d ≤ max_i d(cornerᵢ, S)`, tried for
 * the nearest triangle of each corner. A triangle whose bound exceeds the lower bound by more than
 * `tolerance` is split in four at its edge midpoints (whose exact distances raise the lower bound),
 * up to `maxDepth` times. `upper` is the largest bound over all pieces, plus 1e-9 of the meshes'
 * extent against floating-point rounding.
 *
 * Empty against empty gives 0; an empty mesh against a non-empty one gives Infinity.
 */
export function hausdorffBounds(a: Mesh, b: Mesh, options: HausdorffOptions = {}): HausdorffBounds {
  if (a.indices.length === 0 || b.indices.length === 0) return emptyBounds(a, b);
  const gridA = new TriangleGrid(a);
  const gridB = new TriangleGrid(b);
  const state = { lower: 0 };
  const va = vertexDistances(a, gridB, state);
  const vb = vertexDistances(b, gridA, state);
  const tolerance = options.tolerance ?? 0.01 * state.lower;
  const maxDepth = options.maxDepth ?? 6;
  const ua = triangleBounds(a, va, gridB, state, tolerance, maxDepth);
  const ub = triangleBounds(b, vb, gridA, state, tolerance, maxDepth);
  return finish(state.lower, Math.max(ua, ub), [a, b]);
}

/**
 * Bounds on the directed Hausdorff distance `sup_{p∈from} d(p, to)`: how far the surface `from`
 * strays from the surface `to`. Same method and options as {@link hausdorffBounds}.
 */
export function directedHausdorffBounds(
  from: Mesh,
  to: Mesh,
  options: HausdorffOptions = {},
): HausdorffBounds {
  if (from.indices.length === 0 || to.indices.length === 0) return emptyBounds(from, to);
  const grid = new TriangleGrid(to);
  const state = { lower: 0 };
  const v = vertexDistances(from, grid, state);
  const tolerance = options.tolerance ?? 0.01 * state.lower;
  const upper = triangleBounds(from, v, grid, state, tolerance, options.maxDepth ?? 6);
  return finish(state.lower, upper, [from, to]);
}

function emptyBounds(a: Mesh, b: Mesh): HausdorffBounds {
  const d = a.indices.length === b.indices.length ? 0 : Number.POSITIVE_INFINITY;
  return { lower: d, upper: d };
}

/** Upper bound plus a margin for rounding: 1e-9 of the largest coordinate extent. */
function finish(lower: number, upper: number, meshes: Mesh[]): HausdorffBounds {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const m of meshes)
    for (const v of m.positions) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  const slack = 1e-9 * Math.max(Math.abs(lo), Math.abs(hi), hi - lo);
  return { lower, upper: Math.max(lower, upper) + slack };
}

interface VertexDistances {
  /** Exact distance of each vertex to the other surface (NaN for vertices of no triangle). */
  distance: Float64Array;
  /** The other mesh's triangle nearest to each vertex. */
  nearest: Int32Array;
}

function vertexDistances(mesh: Mesh, grid: TriangleGrid, state: { lower: number }): VertexDistances {
  const p = mesh.positions;
  const t = mesh.indices;
  const distance = new Float64Array(p.length / 3).fill(Number.NaN);
  const nearest = new Int32Array(p.length / 3).fill(-1);
  for (let i = 0; i < t.length; i++) {
    const v = t[i];
    if (nearest[v] >= 0) continue;
    const d = Math.sqrt(grid.nearest2(p[v * 3], p[v * 3 + 1], p[v * 3 + 2]));
    distance[v] = d;
    nearest[v] = grid.nearestTriangle;
    if (d > state.lower) state.lower = d;
  }
  return { distance, nearest };
}

/** Largest upper bound over the triangles of `mesh` (refined where needed); raises `state.lower`. */
function triangleBounds(
  mesh: Mesh,
  v: VertexDistances,
  grid: TriangleGrid,
  state: { lower: number },
  tolerance: number,
  maxDepth: number,
): number {
  const p = mesh.positions;
  const t = mesh.indices;
  const s = new Float64Array(STACK_ENTRY * (3 * maxDepth + 4));
  const scratch = new Float64Array(3);
  let upper = 0;
  for (let tri = 0; tri < t.length; tri += 3) {
    for (let k = 0; k < 3; k++) {
      const i = t[tri + k];
      s[k * 3] = p[i * 3];
      s[k * 3 + 1] = p[i * 3 + 1];
      s[k * 3 + 2] = p[i * 3 + 2];
      s[9 + k] = v.distance[i];
      s[12 + k] = v.nearest[i];
    }
    s[15] = 0;
    let top = 1;
    while (top > 0) {
      top--;
      const o = top * STACK_ENTRY;
      const limit = state.lower + tolerance;
      const dmax = Math.max(s[o + 9], s[o + 10], s[o + 11]);
      let bound = dmax + coverRadius(s, o, scratch);
      if (bound > limit) {
        // the triangle nearest the centroid is often the one that covers it all
        const d = Math.sqrt(
          grid.nearest2(
            (s[o] + s[o + 3] + s[o + 6]) / 3,
            (s[o + 1] + s[o + 4] + s[o + 7]) / 3,
            (s[o + 2] + s[o + 5] + s[o + 8]) / 3,
          ),
        );
        if (d > state.lower) state.lower = d;
        bound = Math.min(bound, convexBound(s, o, grid, grid.nearestTriangle));
      }
      const depth = s[o + 15];
      if (bound <= limit || depth >= maxDepth) {
        if (bound > upper) upper = bound;
        continue;
      }
      top = split(s, o, top, grid, state, depth + 1);
    }
  }
  return upper;
}

/**
 * Replace the stack entry at `o` (the top) by its four children; returns the new stack size.
 * The exact distances at the three edge midpoints are computed here and raise `state.lower`.
 */
function split(
  s: Float64Array,
  o: number,
  top: number,
  grid: TriangleGrid,
  state: { lower: number },
  depth: number,
): number {
  // corners 0..2 from the entry, midpoints 3..5 (edges 0-1, 1-2, 2-0): x y z d nearest
  const x0 = s[o];
  const y0 = s[o + 1];
  const z0 = s[o + 2];
  const x1 = s[o + 3];
  const y1 = s[o + 4];
  const z1 = s[o + 5];
  const x2 = s[o + 6];
  const y2 = s[o + 7];
  const z2 = s[o + 8];
  const d0 = s[o + 9];
  const d1 = s[o + 10];
  const d2 = s[o + 11];
  const n0 = s[o + 12];
  const n1 = s[o + 13];
  const n2 = s[o + 14];
  const x3 = (x0 + x1) / 2;
  const y3 = (y0 + y1) / 2;
  const z3 = (z0 + z1) / 2;
  const x4 = (x1 + x2) / 2;
  const y4 = (y1 + y2) / 2;
  const z4 = (z1 + z2) / 2;
  const x5 = (x2 + x0) / 2;
  const y5 = (y2 + y0) / 2;
  const z5 = (z2 + z0) / 2;
  const d3 = Math.sqrt(grid.nearest2(x3, y3, z3));
  const n3 = grid.nearestTriangle;
  const d4 = Math.sqrt(grid.nearest2(x4, y4, z4));
  const n4 = grid.nearestTriangle;
  const d5 = Math.sqrt(grid.nearest2(x5, y5, z5));
  const n5 = grid.nearestTriangle;
  const dm = Math.max(d3, d4, d5);
  if (dm > state.lower) state.lower = dm;
  let e = o;
  e = put(s, e, x0, y0, z0, x3, y3, z3, x5, y5, z5, d0, d3, d5, n0, n3, n5, depth);
  e = put(s, e, x3, y3, z3, x1, y1, z1, x4, y4, z4, d3, d1, d4, n3, n1, n4, depth);
  e = put(s, e, x5, y5, z5, x4, y4, z4, x2, y2, z2, d5, d4, d2, n5, n4, n2, depth);
  put(s, e, x3, y3, z3, x4, y4, z4, x5, y5, z5, d3, d4, d5, n3, n4, n5, depth);
  return top + 4;
}

function put(
  s: Float64Array,
  o: number,
  ax: number,
  ay: number,
  az: number,
  bx: number,
  by: number,
  bz: number,
  cx: number,
  cy: number,
  cz: number,
  da: number,
  db: number,
  dc: number,
  na: number,
  nb: number,
  nc: number,
  depth: number,
): number {
  s[o] = ax;
  s[o + 1] = ay;
  s[o + 2] = az;
  s[o + 3] = bx;
  s[o + 4] = by;
  s[o + 5] = bz;
  s[o + 6] = cx;
  s[o + 7] = cy;
  s[o + 8] = cz;
  s[o + 9] = da;
  s[o + 10] = db;
  s[o + 11] = dc;
  s[o + 12] = na;
  s[o + 13] = nb;
  s[o + 14] = nc;
  s[o + 15] = depth;
  return o + STACK_ENTRY;
}

/**
 * Largest distance from a point of the triangle at `s[o..o+8]` to its nearest corner: the
 * circumradius when no angle is obtuse; otherwise the larger distance, along the longest edge, from
 * one of its ends to where the perpendicular bisector of the adjacent short edge crosses it.
 */
export function coverRadius(s: Float64Array, o: number, scratch: Float64Array): number {
  const ux = s[o + 3] - s[o];
  const uy = s[o + 4] - s[o + 1];
  const uz = s[o + 5] - s[o + 2];
  const vx = s[o + 6] - s[o];
  const vy = s[o + 7] - s[o + 1];
  const vz = s[o + 8] - s[o + 2];
  const e01 = ux * ux + uy * uy + uz * uz;
  const e02 = vx * vx + vy * vy + vz * vz;
  const e12 = (vx - ux) ** 2 + (vy - uy) ** 2 + (vz - uz) ** 2;
  // c2: the longest edge's square, a2 and b2 the other two
  let a2: number;
  let b2: number;
  let c2: number;
  if (e01 >= e02 && e01 >= e12) {
    c2 = e01;
    a2 = e02;
    b2 = e12;
  } else if (e02 >= e12) {
    c2 = e02;
    a2 = e01;
    b2 = e12;
  } else {
    c2 = e12;
    a2 = e01;
    b2 = e02;
  }
  if (c2 === 0) return 0;
  if (a2 + b2 <= c2) {
    const c = Math.sqrt(c2);
    const ra = a2 > 0 ? (a2 * c) / (a2 + c2 - b2) : 0;
    const rb = b2 > 0 ? (b2 * c) / (b2 + c2 - a2) : 0;
    return Math.max(ra, rb);
  }
  cross(scratch, 0, ux, uy, uz, vx, vy, vz);
  const twiceArea = Math.sqrt(scratch[0] ** 2 + scratch[1] ** 2 + scratch[2] ** 2);
  return Math.sqrt(a2 * b2 * c2) / (2 * twiceArea);
}

/**
 * min over S (the nearest triangle of each corner, and `extra`) of max over the corners of
 * d(corner, S): the distance to one triangle is convex, so its maximum over the triangle is at a
 * corner.
 */
function convexBound(s: Float64Array, o: number, grid: TriangleGrid, extra: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < 4; k++) {
    const tri = k < 3 ? s[o + 12 + k] : extra;
    if ((k > 0 && tri === s[o + 12]) || (k > 1 && tri === s[o + 13]) || (k > 2 && tri === s[o + 14]))
      continue;
    let worst = 0;
    for (let j = 0; j < 3 && worst < best; j++) {
      // corner j's own nearest triangle is at its known distance
      const d =
        tri === s[o + 12 + j]
          ? s[o + 9 + j]
          : Math.sqrt(grid.distance2To(tri, s[o + j * 3], s[o + j * 3 + 1], s[o + j * 3 + 2]));
      if (d > worst) worst = d;
    }
    if (worst < best) best = worst;
  }
  return best;
}
