import { cross } from "./cross.js";
import type { Mesh } from "./mesh.js";

/** Edge and Euler statistics of a triangle mesh, from {@link meshTopology}. */
export interface MeshTopology {
  /** Vertices referenced by at least one triangle. */
  vertices: number;
  /** Distinct undirected edges. */
  edges: number;
  /** Triangles. */
  faces: number;
  /** `vertices - edges + faces` (2 per sphere-like closed component, 0 per torus). */
  euler: number;
  /** Edges used by exactly one triangle (holes, cracks). */
  boundaryEdges: number;
  /** Edges used by more than two triangles. */
  nonManifoldEdges: number;
  /** Edges whose two triangles traverse them in the same direction (inconsistent winding). */
  misorientedEdges: number;
  /** Triangles with a repeated vertex or zero area. */
  degenerateFaces: number;
}

/**
 * Count vertices, edges, faces and the defects that break a closed, consistently oriented
 * 2-manifold: a closed mesh has `boundaryEdges = nonManifoldEdges = misorientedEdges = 0`.
 */
export function meshTopology(mesh: Mesh): MeshTopology {
  const t = mesh.indices;
  const nv = mesh.positions.length / 3;
  const used = new Uint8Array(nv);
  // directed edge (a -> b) counts, keyed by min*nv+max with direction sign
  const count = new Map<number, number>();
  const forward = new Map<number, number>();
  let degenerate = 0;
  const p = mesh.positions;
  const n = new Float64Array(3);
  for (let i = 0; i < t.length; i += 3) {
    const a = t[i];
    const b = t[i + 1];
    const c = t[i + 2];
    used[a] = used[b] = used[c] = 1;
    if (a === b || b === c || a === c) degenerate++;
    else {
      const ux = p[b * 3] - p[a * 3];
      const uy = p[b * 3 + 1] - p[a * 3 + 1];
      const uz = p[b * 3 + 2] - p[a * 3 + 2];
      const vx = p[c * 3] - p[a * 3];
      const vy = p[c * 3 + 1] - p[a * 3 + 1];
      const vz = p[c * 3 + 2] - p[a * 3 + 2];
      cross(n, 0, ux, uy, uz, vx, vy, vz);
      if (n[0] === 0 && n[1] === 0 && n[2] === 0) degenerate++;
    }
    for (const [u, v] of [
      [a, b],
      [b, c],
      [c, a],
    ]) {
      const key = u < v ? u * nv + v : v * nv + u;
      count.set(key, (count.get(key) ?? 0) + 1);
      if (u < v) forward.set(key, (forward.get(key) ?? 0) + 1);
    }
  }
  let boundary = 0;
  let nonManifold = 0;
  let misoriented = 0;
  for (const [key, n] of count) {
    if (n === 1) boundary++;
    else if (n > 2) nonManifold++;
    else if ((forward.get(key) ?? 0) !== 1) misoriented++;
  }
  let vertices = 0;
  for (let i = 0; i < nv; i++) vertices += used[i];
  const faces = t.length / 3;
  return {
    vertices,
    edges: count.size,
    faces,
    euler: vertices - count.size + faces,
    boundaryEdges: boundary,
    nonManifoldEdges: nonManifold,
    misorientedEdges: misoriented,
    degenerateFaces: degenerate,
  };
}

/**
 * Volume enclosed by a closed mesh, by the divergence theorem (sum of signed tetrahedra from the
 * origin), in nm³. Positive when the triangles wind counter-clockwise seen from outside.
 */
export function enclosedVolume(mesh: Mesh): number {
  const p = mesh.positions;
  const t = mesh.indices;
  let sum = 0;
  for (let i = 0; i < t.length; i += 3) {
    const a = t[i] * 3;
    const b = t[i + 1] * 3;
    const c = t[i + 2] * 3;
    sum +=
      p[a] * (p[b + 1] * p[c + 2] - p[b + 2] * p[c + 1]) -
      p[a + 1] * (p[b] * p[c + 2] - p[b + 2] * p[c]) +
      p[a + 2] * (p[b] * p[c + 1] - p[b + 1] * p[c]);
  }
  return sum / 6;
}

/** Total surface area of a mesh in nm². */
export function surfaceArea(mesh: Mesh): number {
  const p = mesh.positions;
  const t = mesh.indices;
  let sum = 0;
  const n = new Float64Array(3);
  for (let i = 0; i < t.length; i += 3) {
    const a = t[i] * 3;
    const b = t[i + 1] * 3;
    const c = t[i + 2] * 3;
    const ux = p[b] - p[a];
    const uy = p[b + 1] - p[a + 1];
    const uz = p[b + 2] - p[a + 2];
    const vx = p[c] - p[a];
    const vy = p[c + 1] - p[a + 1];
    const vz = p[c + 2] - p[a + 2];
    cross(n, 0, ux, uy, uz, vx, vy, vz);
    sum += Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]) / 2;
  }
  return sum;
}
