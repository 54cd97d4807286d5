import { cross } from "./cross.js";

/**
 * A triangle mesh: vertex positions `x,y,z` interleaved (nanometres) and triangles as vertex index
 * triples, counter-clockwise seen from outside (normals point out of the object).
 */
export interface Mesh {
  /** `[x0, y0, z0, x1, y1, z1, ...]` in nm. */
  positions: Float32Array;
  /** `[a0, b0, c0, a1, ...]`, indices into the vertex list. */
  indices: Uint32Array;
}

/** Number of vertices of a mesh. */
export function vertexCount(mesh: Mesh): number {
  return mesh.positions.length / 3;
}

/** Number of triangles of a mesh. */
export function triangleCount(mesh: Mesh): number {
  return mesh.indices.length / 3;
}

/** Per-vertex unit normals, area-weighted average of the incident triangles' normals. */
export function vertexNormals(mesh: Mesh): Float32Array {
  const p = mesh.positions;
  const t = mesh.indices;
  const acc = new Float64Array(p.length);
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
    const nx = n[0];
    const ny = n[1];
    const nz = n[2];
    acc[a] += nx;
    acc[a + 1] += ny;
    acc[a + 2] += nz;
    acc[b] += nx;
    acc[b + 1] += ny;
    acc[b + 2] += nz;
    acc[c] += nx;
    acc[c + 1] += ny;
    acc[c + 2] += nz;
  }
  const out = new Float32Array(p.length);
  for (let i = 0; i < p.length; i += 3) {
    const len = Math.sqrt(acc[i] * acc[i] + acc[i + 1] * acc[i + 1] + acc[i + 2] * acc[i + 2]) || 1;
    out[i] = acc[i] / len;
    out[i + 1] = acc[i + 1] / len;
    out[i + 2] = acc[i + 2] / len;
  }
  return out;
}

/** Axis-aligned bounds of a mesh's vertices: `{ min: [x,y,z], max: [x,y,z] }` (zeros when empty). */
export function meshBounds(mesh: Mesh): { min: [number, number, number]; max: [number, number, number] } {
  const p = mesh.positions;
  if (p.length === 0) return { min: [0, 0, 0], max: [0, 0, 0] };
  const min: [number, number, number] = [p[0], p[1], p[2]];
  const max: [number, number, number] = [p[0], p[1], p[2]];
  for (let i = 0; i < p.length; i += 3) {
    for (let k = 0; k < 3; k++) {
      const v = p[i + k];
      if (v < min[k]) min[k] = v;
      if (v > max[k]) max[k] = v;
    }
  }
  return { min, max };
}
