import type { Mesh } from "./mesh.js";

/** Squared distance from point p to triangle (a, b, c) (closest-point by Voronoi regions). */
export function pointTriangleDistance2(
  px: number,
  py: number,
  pz: number,
  ax: number,
  ay: number,
  az: number,
  bx: number,
  by: number,
  bz: number,
  cx: number,
  cy: number,
  cz: number,
): number {
  const abx = bx - ax;
  const aby = by - ay;
  const abz = bz - az;
  const acx = cx - ax;
  const acy = cy - ay;
  const acz = cz - az;
  const apx = px - ax;
  const apy = py - ay;
  const apz = pz - az;
  const d1 = abx * apx + aby * apy + abz * apz;
  const d2 = acx * apx + acy * apy + acz * apz;
  let qx: number;
  let qy: number;
  let qz: number;
  if (d1 <= 0 && d2 <= 0) {
    qx = ax;
    qy = ay;
    qz = az;
  } else {
    const bpx = px - bx;
    const bpy = py - by;
    const bpz = pz - bz;
    const d3 = abx * bpx + aby * bpy + abz * bpz;
    const d4 = acx * bpx + acy * bpy + acz * bpz;
    const cpx = px - cx;
    const cpy = py - cy;
    const cpz = pz - cz;
    const d5 = abx * cpx + aby * cpy + abz * cpz;
    const d6 = acx * cpx + acy * cpy + acz * cpz;
    const vc = d1 * d4 - d3 * d2;
    const vb = d5 * d2 - d1 * d6;
    const va = d3 * d6 - d5 * d4;
    if (d3 >= 0 && d4 <= d3) {
      qx = bx;
      qy = by;
      qz = bz;
    } else if (d6 >= 0 && d5 <= d6) {
      qx = cx;
      qy = cy;
      qz = cz;
    } else if (vc <= 0 && d1 >= 0 && d3 <= 0) {
      const v = d1 / (d1 - d3);
      qx = ax + v * abx;
      qy = ay + v * aby;
      qz = az + v * abz;
    } else if (vb <= 0 && d2 >= 0 && d6 <= 0) {
      const w = d2 / (d2 - d6);
      qx = ax + w * acx;
      qy = ay + w * acy;
      qz = az + w * acz;
    } else if (va <= 0 && d4 - d3 >= 0 && d5 - d6 >= 0) {
      const w = (d4 - d3) / (d4 - d3 + (d5 - d6));
      qx = bx + w * (cx - bx);
      qy = by + w * (cy - by);
      qz = bz + w * (cz - bz);
    } else {
      const denom = 1 / (va + vb + vc);
      const v = vb * denom;
      const w = vc * denom;
      qx = ax + abx * v + acx * w;
      qy = ay + aby * v + acy * w;
      qz = az + abz * v + acz * w;
    }
  }
  return (px - qx) ** 2 + (py - qy) ** 2 + (pz - qz) ** 2;
}

/** A uniform grid over a mesh's triangles answering "distance from a point to the surface". */
class TriangleGrid {
  private readonly start: Int32Array;
  private readonly items: Int32Array;
  private readonly dims: [number, number, number];
  private readonly origin: [number, number, number];

  constructor(
    private readonly mesh: Mesh,
    private readonly cell: number,
  ) {
    const p = mesh.positions;
    const t = mesh.indices;
    const min: [number, number, number] = [Infinity, Infinity, Infinity];
    const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < p.length; i++) {
      const k = i % 3;
      if (p[i] < min[k]) min[k] = p[i];
      if (p[i] > max[k]) max[k] = p[i];
    }
    this.origin = min;
    this.dims = [0, 1, 2].map((k) => Math.max(1, Math.floor((max[k] - min[k]) / cell) + 1)) as [
      number,
      number,
      number,
    ];
    const [dx, dy, dz] = this.dims;
    const counts = new Int32Array(dx * dy * dz + 1);
    const range = (tri: number, fn: (c: number) => void) => {
      const lo = [0, 0, 0];
      const hi = [0, 0, 0];
      for (let k = 0; k < 3; k++) {
        const a = p[t[tri * 3] * 3 + k];
        const b = p[t[tri * 3 + 1] * 3 + k];
        const c = p[t[tri * 3 + 2] * 3 + k];
        lo[k] = Math.floor((Math.min(a, b, c) - min[k]) / cell);
        hi[k] = Math.min(this.dims[k] - 1, Math.floor((Math.max(a, b, c) - min[k]) / cell));
      }
      for (let z = lo[2]; z <= hi[2]; z++)
        for (let y = lo[1]; y <= hi[1]; y++) for (let x = lo[0]; x <= hi[0]; x++) fn((z * dy + y) * dx + x);
    };
    const nt = t.length / 3;
    for (let i = 0; i < nt; i++) range(i, (c) => counts[c + 1]++);
    for (let i = 1; i < counts.length; i++) counts[i] += counts[i - 1];
    this.start = counts;
    this.items = new Int32Array(counts[counts.length - 1]);
    const fill = counts.slice(0, -1);
    for (let i = 0; i < nt; i++) range(i, (c) => (this.items[fill[c]++] = i));
  }

  /** Distance from (x, y, z) to the nearest triangle. */
  distance(x: number, y: number, z: number): number {
    const [dx, dy, dz] = this.dims;
    const p = this.mesh.positions;
    const t = this.mesh.indices;
    const cx = Math.floor((x - this.origin[0]) / this.cell);
    const cy = Math.floor((y - this.origin[1]) / this.cell);
    const cz = Math.floor((z - this.origin[2]) / this.cell);
    let best = Infinity;
    // distance from the point to the faces of its own cell: cells outside ring k are at least
    // k·cell + margin away
    const fx = (x - this.origin[0]) / this.cell - cx;
    const fy = (y - this.origin[1]) / this.cell - cy;
    const fz = (z - this.origin[2]) / this.cell - cz;
    const inside = cx >= 0 && cy >= 0 && cz >= 0 && cx < dx && cy < dy && cz < dz;
    const margin = inside ? Math.min(fx, 1 - fx, fy, 1 - fy, fz, 1 - fz) * this.cell : 0;
    const maxRing = Math.max(dx, dy, dz) + Math.max(Math.abs(cx), Math.abs(cy), Math.abs(cz));
    for (let ring = 0; ring <= maxRing; ring++) {
      for (let gz = cz - ring; gz <= cz + ring; gz++) {
        if (gz < 0 || gz >= dz) continue;
        for (let gy = cy - ring; gy <= cy + ring; gy++) {
          if (gy < 0 || gy >= dy) continue;
          const onShell = gz === cz - ring || gz === cz + ring || gy === cy - ring || gy === cy + ring;
          for (let xx = cx - ring; xx <= cx + ring; xx++) {
            if (xx < 0 || xx >= dx) continue;
            if (!onShell && xx !== cx - ring && xx !== cx + ring) continue;
            const c = (gz * dy + gy) * dx + xx;
            for (let i = this.start[c]; i < this.start[c + 1]; i++) {
              const tri = this.items[i];
              const a = t[tri * 3] * 3;
              const b = t[tri * 3 + 1] * 3;
              const cc = t[tri * 3 + 2] * 3;
              const d2 = pointTriangleDistance2(
                x,
                y,
                z,
                p[a],
                p[a + 1],
                p[a + 2],
                p[b],
                p[b + 1],
                p[b + 2],
                p[cc],
                p[cc + 1],
                p[cc + 2],
              );
              if (d2 < best) best = d2;
            }
          }
        }
      }
      // Triangles outside this ring are at least ring * cell away.
      if (best <= (ring * this.cell + margin) ** 2) break;
    }
    return Math.sqrt(best);
  }
}

/** Largest distance from sample points of `from` (vertices and triangle centroids) to the surface `to`. */
export function directedHausdorff(from: Mesh, to: Mesh, cellNm?: number): number {
  if (from.indices.length === 0 || to.indices.length === 0)
    return from.indices.length === to.indices.length ? 0 : Infinity;
  const grid = new TriangleGrid(to, cellNm ?? defaultCell(to));
  const p = from.positions;
  const t = from.indices;
  let worst = 0;
  for (let i = 0; i < p.length; i += 3) worst = Math.max(worst, grid.distance(p[i], p[i + 1], p[i + 2]));
  for (let i = 0; i < t.length; i += 3) {
    const a = t[i] * 3;
    const b = t[i + 1] * 3;
    const c = t[i + 2] * 3;
    worst = Math.max(
      worst,
      grid.distance(
        (p[a] + p[b] + p[c]) / 3,
        (p[a + 1] + p[b + 1] + p[c + 1]) / 3,
        (p[a + 2] + p[b + 2] + p[c + 2]) / 3,
      ),
    );
  }
  return worst;
}

/**
 * Symmetric Hausdorff distance between two surfaces, sampled at vertices and triangle centroids
 * (a close lower bound of the exact value), in the meshes' units.
 */
export function hausdorffDistance(a: Mesh, b: Mesh): number {
  return Math.max(directedHausdorff(a, b), directedHausdorff(b, a));
}

function defaultCell(mesh: Mesh): number {
  const p = mesh.positions;
  const t = mesh.indices;
  let sum = 0;
  const n = Math.min(t.length / 3, 2000);
  for (let i = 0; i < n; i++) {
    const a = t[i * 3] * 3;
    const b = t[i * 3 + 1] * 3;
    sum += Math.sqrt((p[a] - p[b]) ** 2 + (p[a + 1] - p[b + 1]) ** 2 + (p[a + 2] - p[b + 2]) ** 2);
  }
  return Math.max(1e-6, sum / Math.max(1, n));
}
