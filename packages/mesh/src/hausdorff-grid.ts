import { pointTriangleDistance2 } from "./hausdorff-point.js";
import type { Mesh } from "./mesh.js";

/**
 * A uniform grid over a mesh's triangles that answers "nearest triangle to a point" exactly
 * (every triangle is listed in each cell its bounding box touches; cells are searched in rings
 * of growing size and skipped when their box is farther than the best triangle so far).
 */
export class TriangleGrid {
  /** The triangle found by the last {@link nearest2} call (-1 for a mesh without triangles). */
  nearestTriangle = -1;
  private readonly p: Float64Array;
  private readonly t: Uint32Array;
  private readonly start: Int32Array;
  private readonly items: Int32Array;
  private readonly seen: Int32Array;
  private query = 0;
  private best = Number.POSITIVE_INFINITY;
  private bestT = -1;
  private readonly ox: number;
  private readonly oy: number;
  private readonly oz: number;
  private readonly nx: number;
  private readonly ny: number;
  private readonly nz: number;
  readonly cell: number;

  /**
   * @param mesh the surface to query
   * @param cellSize grid spacing (default: the mean edge length, grown so that the grid has at
   *   most about four cells per triangle)
   */
  constructor(mesh: Mesh, cellSize?: number) {
    const p = Float64Array.from(mesh.positions);
    const t = mesh.indices;
    const nt = t.length / 3;
    this.p = p;
    this.t = t;
    this.seen = new Int32Array(nt);
    let x0 = Infinity;
    let y0 = Infinity;
    let z0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    let z1 = -Infinity;
    for (let i = 0; i < t.length; i++) {
      const v = t[i] * 3;
      if (p[v] < x0) x0 = p[v];
      if (p[v] > x1) x1 = p[v];
      if (p[v + 1] < y0) y0 = p[v + 1];
      if (p[v + 1] > y1) y1 = p[v + 1];
      if (p[v + 2] < z0) z0 = p[v + 2];
      if (p[v + 2] > z1) z1 = p[v + 2];
    }
    if (nt === 0) x0 = y0 = z0 = x1 = y1 = z1 = 0;
    let cell = cellSize ?? meanEdge(p, t);
    if (!(cell > 0)) cell = Math.max(x1 - x0, y1 - y0, z1 - z0, 1e-9);
    const limit = 4 * nt + 64;
    const cells = (c: number) =>
      (Math.floor((x1 - x0) / c) + 1) * (Math.floor((y1 - y0) / c) + 1) * (Math.floor((z1 - z0) / c) + 1);
    while (cells(cell) > limit) cell *= Math.cbrt(cells(cell) / limit) * 1.01;
    this.cell = cell;
    this.ox = x0;
    this.oy = y0;
    this.oz = z0;
    const nx = Math.floor((x1 - x0) / cell) + 1;
    const ny = Math.floor((y1 - y0) / cell) + 1;
    const nz = Math.floor((z1 - z0) / cell) + 1;
    this.nx = nx;
    this.ny = ny;
    this.nz = nz;
    // counting sort of (cell, triangle) pairs over each triangle's bounding box of cells
    const start = new Int32Array(nx * ny * nz + 1);
    const box = new Int32Array(6);
    for (let i = 0; i < nt; i++) {
      this.cellBox(i, box);
      for (let z = box[2]; z <= box[5]; z++)
        for (let y = box[1]; y <= box[4]; y++)
          for (let x = box[0]; x <= box[3]; x++) start[(z * ny + y) * nx + x + 1]++;
    }
    for (let c = 1; c < start.length; c++) start[c] += start[c - 1];
    const items = new Int32Array(start[start.length - 1]);
    const fill = start.slice(0, -1);
    for (let i = 0; i < nt; i++) {
      this.cellBox(i, box);
      for (let z = box[2]; z <= box[5]; z++)
        for (let y = box[1]; y <= box[4]; y++)
          for (let x = box[0]; x <= box[3]; x++) items[fill[(z * ny + y) * nx + x]++] = i;
    }
    this.start = start;
    this.items = items;
  }

  /** Squared distance from (x, y, z) to the nearest triangle (Infinity without triangles). */
  nearest2(x: number, y: number, z: number): number {
    const { cell, nx, ny, nz } = this;
    this.query++;
    this.best = Number.POSITIVE_INFINITY;
    this.bestT = -1;
    const fx = (x - this.ox) / cell;
    const fy = (y - this.oy) / cell;
    const fz = (z - this.oz) / cell;
    const cx = Math.floor(fx);
    const cy = Math.floor(fy);
    const cz = Math.floor(fz);
    // every triangle outside ring k is at least k cells + margin away
    const margin = Math.min(fx - cx, cx + 1 - fx, fy - cy, cy + 1 - fy, fz - cz, cz + 1 - fz) * cell;
    const lastRing = Math.max(cx, nx - 1 - cx, cy, ny - 1 - cy, cz, nz - 1 - cz, 0);
    for (let ring = 0; ring <= lastRing; ring++) {
      const zHi = Math.min(cz + ring, nz - 1);
      const yHi = Math.min(cy + ring, ny - 1);
      const xLo = Math.max(cx - ring, 0);
      const xHi = Math.min(cx + ring, nx - 1);
      for (let gz = Math.max(cz - ring, 0); gz <= zHi; gz++) {
        const dz = axisGap(fz, gz) * cell;
        for (let gy = Math.max(cy - ring, 0); gy <= yHi; gy++) {
          const dy = axisGap(fy, gy) * cell;
          const dzy = dz * dz + dy * dy;
          if (dzy >= this.best) continue;
          if (gz === cz - ring || gz === cz + ring || gy === cy - ring || gy === cy + ring) {
            for (let gx = xLo; gx <= xHi; gx++) this.visit(gz, gy, gx, dzy, fx, x, y, z);
          } else {
            // inside the ring's shell only the row's two end cells are new
            if (cx - ring >= 0) this.visit(gz, gy, cx - ring, dzy, fx, x, y, z);
            if (ring > 0 && cx + ring < nx) this.visit(gz, gy, cx + ring, dzy, fx, x, y, z);
          }
        }
      }
      const reach = ring * cell + margin;
      if (this.best <= reach * reach) break;
    }
    this.nearestTriangle = this.bestT;
    return this.best;
  }

  /** Test the triangles of cell (gz, gy, gx) unless its box is already too far. */
  private visit(
    gz: number,
    gy: number,
    gx: number,
    dzy: number,
    fx: number,
    x: number,
    y: number,
    z: number,
  ): void {
    const dx = axisGap(fx, gx) * this.cell;
    if (dzy + dx * dx >= this.best) return;
    const { p, t, start, items, seen, query } = this;
    const c = (gz * this.ny + gy) * this.nx + gx;
    for (let k = start[c], e = start[c + 1]; k < e; k++) {
      const tri = items[k];
      if (seen[tri] === query) continue;
      seen[tri] = query;
      const a = t[tri * 3] * 3;
      const b = t[tri * 3 + 1] * 3;
      const d = t[tri * 3 + 2] * 3;
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
        p[d],
        p[d + 1],
        p[d + 2],
      );
      if (d2 < this.best) {
        this.best = d2;
        this.bestT = tri;
      }
    }
  }

  /** Squared distance from (x, y, z) to triangle `tri` of the grid's mesh. */
  distance2To(tri: number, x: number, y: number, z: number): number {
    const { p, t } = this;
    const a = t[tri * 3] * 3;
    const b = t[tri * 3 + 1] * 3;
    const c = t[tri * 3 + 2] * 3;
    return pointTriangleDistance2(
      x,
      y,
      z,
      p[a],
      p[a + 1],
      p[a + 2],
      p[b],
      p[b + 1],
      p[b + 2],
      p[c],
      p[c + 1],
      p[c + 2],
    );
  }

  /** Cell index ranges [x0, y0, z0, x1, y1, z1] of triangle i's bounding box. */
  private cellBox(i: number, out: Int32Array): void {
    const { p, t } = this;
    const a = t[i * 3] * 3;
    const b = t[i * 3 + 1] * 3;
    const c = t[i * 3 + 2] * 3;
    for (let k = 0; k < 3; k++) {
      const o = k === 0 ? this.ox : k === 1 ? this.oy : this.oz;
      const n = k === 0 ? this.nx : k === 1 ? this.ny : this.nz;
      const lo = Math.min(p[a + k], p[b + k], p[c + k]);
      const hi = Math.max(p[a + k], p[b + k], p[c + k]);
      out[k] = Math.max(0, Math.floor((lo - o) / this.cell));
      out[k + 3] = Math.min(n - 1, Math.floor((hi - o) / this.cell));
    }
  }
}

/** Gap, in cells, between coordinate f (in cells) and cell g along one axis (0 inside it). */
function axisGap(f: number, g: number): number {
  return f < g ? g - f : f > g + 1 ? f - g - 1 : 0;
}

/** Mean edge length over (up to) the first 4096 triangles. */
function meanEdge(p: Float64Array, t: Uint32Array): number {
  const n = Math.min(t.length / 3, 4096);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const a = t[i * 3] * 3;
    const b = t[i * 3 + 1] * 3;
    sum += Math.sqrt((p[a] - p[b]) ** 2 + (p[a + 1] - p[b + 1]) ** 2 + (p[a + 2] - p[b + 2]) ** 2);
  }
  return n > 0 ? sum / n : 0;
}
