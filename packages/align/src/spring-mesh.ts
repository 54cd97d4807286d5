import type { MeshGeometry } from "./map.js";

/** Options of {@link relaxMesh}. */
export interface SpringMeshOptions {
  /** Stiffness of the springs that pull a node to its matched position (default 1). */
  matchStiffness?: number;
  /** Stiffness of the in-plane springs between neighbouring nodes, rest length their grid distance (default 0.05). */
  meshStiffness?: number;
  /** Stop when no node feels a force above this (default 1e-4). */
  tolerance?: number;
  /** Most FIRE steps (default 20,000). */
  maxSteps?: number;
}

/** What {@link relaxMesh} found. */
export interface RelaxedMesh {
  /** Node positions (y, x interleaved), `2 · rows · cols`. */
  positions: Float64Array;
  /** FIRE steps taken, and the largest force left on a node. */
  steps: number;
  maxForce: number;
}

/** The in-plane springs of a grid mesh: each node to its right, lower and both diagonal neighbours. */
function springs(g: MeshGeometry): { a: Int32Array; b: Int32Array; rest: Float64Array } {
  const a: number[] = [];
  const b: number[] = [];
  const rest: number[] = [];
  const add = (i: number, j: number, length: number) => {
    a.push(i);
    b.push(j);
    rest.push(length);
  };
  const s = g.stride;
  for (let r = 0; r < g.rows; r++) {
    for (let c = 0; c < g.cols; c++) {
      const i = r * g.cols + c;
      if (c + 1 < g.cols) add(i, i + 1, s);
      if (r + 1 < g.rows) add(i, i + g.cols, s);
      if (c + 1 < g.cols && r + 1 < g.rows) add(i, i + g.cols + 1, s * Math.SQRT2);
      if (c > 0 && r + 1 < g.rows) add(i, i + g.cols - 1, s * Math.SQRT2);
    }
  }
  return { a: Int32Array.from(a), b: Int32Array.from(b), rest: Float64Array.from(rest) };
}

/**
 * Relax a spring mesh to equilibrium with FIRE (Bitzek et al. 2006): nodes on a grid, each pulled
 * to its target (where `hasTarget`) by a zero-length spring, and held to its neighbours by springs
 * whose rest length is their grid distance (so a rigid motion of the whole mesh costs nothing). Nodes
 * without a target follow their neighbours; the mesh bridges holes and damps outliers.
 *
 * @param start - initial positions (y, x interleaved), also the answer's shape
 * @param targets - matched positions (y, x interleaved)
 * @param hasTarget - 1 where the node has a matched position
 */
export function relaxMesh(
  g: MeshGeometry,
  start: Float64Array,
  targets: Float64Array,
  hasTarget: Uint8Array,
  options: SpringMeshOptions = {},
): RelaxedMesh {
  const k0 = options.matchStiffness ?? 1;
  const k1 = options.meshStiffness ?? 0.05;
  const tol = options.tolerance ?? 1e-4;
  const maxSteps = options.maxSteps ?? 20_000;
  const n = g.rows * g.cols;
  const x = Float64Array.from(start);
  const v = new Float64Array(2 * n);
  const f = new Float64Array(2 * n);
  const { a, b, rest } = springs(g);
  const forces = (): number => {
    f.fill(0);
    for (let i = 0; i < n; i++) {
      if (!hasTarget[i]) continue;
      f[2 * i] += k0 * (targets[2 * i] - x[2 * i]);
      f[2 * i + 1] += k0 * (targets[2 * i + 1] - x[2 * i + 1]);
    }
    for (let s = 0; s < a.length; s++) {
      const i = 2 * a[s];
      const j = 2 * b[s];
      const dy = x[j] - x[i];
      const dx = x[j + 1] - x[i + 1];
      const len = Math.sqrt(dy * dy + dx * dx);
      if (len < 1e-12) continue;
      const t = (k1 * (len - rest[s])) / len;
      f[i] += t * dy;
      f[i + 1] += t * dx;
      f[j] -= t * dy;
      f[j + 1] -= t * dx;
    }
    let m = 0;
    for (let i = 0; i < n; i++) m = Math.max(m, f[2 * i] * f[2 * i] + f[2 * i + 1] * f[2 * i + 1]);
    return Math.sqrt(m);
  };
  // FIRE parameters of Bitzek et al.
  const dtMax = 1;
  let dt = 0.1;
  let alpha = 0.1;
  let positive = 0;
  let maxForce = forces();
  let step = 0;
  for (; step < maxSteps && maxForce > tol; step++) {
    let p = 0;
    let vn = 0;
    let fn = 0;
    for (let i = 0; i < 2 * n; i++) {
      p += f[i] * v[i];
      vn += v[i] * v[i];
      fn += f[i] * f[i];
    }
    vn = Math.sqrt(vn);
    fn = Math.sqrt(fn);
    if (p > 0) {
      const mix = fn > 0 ? (alpha * vn) / fn : 0;
      for (let i = 0; i < 2 * n; i++) v[i] = (1 - alpha) * v[i] + mix * f[i];
      if (++positive > 5) {
        dt = Math.min(dt * 1.1, dtMax);
        alpha *= 0.99;
      }
    } else {
      v.fill(0);
      dt *= 0.5;
      alpha = 0.1;
      positive = 0;
    }
    for (let i = 0; i < 2 * n; i++) {
      v[i] += dt * f[i];
      x[i] += dt * v[i];
    }
    maxForce = forces();
  }
  return { positions: x, steps: step, maxForce };
}

/**
 * Mesh triangles (two per grid cell) whose orientation is reversed from the grid's: places where the
 * map folds over itself.
 */
export function countFoldedTriangles(g: MeshGeometry, positions: Float64Array): number {
  const area = (i: number, j: number, k: number) => {
    const ay = positions[2 * j] - positions[2 * i];
    const ax = positions[2 * j + 1] - positions[2 * i + 1];
    const by = positions[2 * k] - positions[2 * i];
    const bx = positions[2 * k + 1] - positions[2 * i + 1];
    return ay * bx - ax * by;
  };
  let folded = 0;
  for (let r = 0; r + 1 < g.rows; r++) {
    for (let c = 0; c + 1 < g.cols; c++) {
      const i = r * g.cols + c;
      // on the grid, (down, right) has area (s)(s) − 0 > 0 for the (i, i+cols, i+1) ordering
      if (!(area(i, i + g.cols, i + 1) > 0)) folded++;
      if (!(area(i + g.cols + 1, i + 1, i + g.cols) > 0)) folded++;
    }
  }
  return folded;
}
