import { EDGE_A, EDGE_AXIS, TRI_EDGES, TRI_START } from "./mc-tables.js";
import type { Mesh } from "./mesh.js";

type Vec3 = readonly [number, number, number];

// Output buffer sizing per label change along x: about the 99th percentile over the neuroproof
// ground-truth bodies (median 3.1 vertices, 6 triangles), so that buffers rarely grow; the unused
// tail of a large buffer is never touched, so it costs address space, not memory.
const VERTS_PER_CHANGE = 5;
const TRIS_PER_CHANGE = 10;

/** Growable per-label vertex and index buffers, sized up front from the label's x-changes. */
export class LabelBuffers {
  positions: Float32Array<ArrayBuffer>[] = [];
  indices: Uint32Array<ArrayBuffer>[] = [];
  vertexCount: Int32Array;
  indexCount: Int32Array;

  /** `n` compact ids; with `owner`, only the ids owned by `me` get buffers. */
  constructor(n: number, runs: Float64Array, owner: Uint8Array | null = null, me = 0) {
    for (let k = 0; k < n; k++) {
      if (k === 0 || (owner !== null && owner[k] !== me)) {
        this.positions.push(new Float32Array(0));
        this.indices.push(new Uint32Array(0));
        continue;
      }
      this.positions.push(new Float32Array(Math.max(192, Math.ceil(runs[k] * VERTS_PER_CHANGE) * 3)));
      this.indices.push(new Uint32Array(Math.max(384, Math.ceil(runs[k] * TRIS_PER_CHANGE) * 3)));
    }
    this.vertexCount = new Int32Array(n);
    this.indexCount = new Int32Array(n);
  }

  /** Make room for `extra` more indices of label k and return its index buffer. */
  reserveIndices(k: number, extra: number): Uint32Array<ArrayBuffer> {
    let a = this.indices[k];
    const need = this.indexCount[k] + extra;
    if (need > a.length) {
      const b = new Uint32Array(Math.max(need, a.length * 2));
      b.set(a);
      this.indices[k] = a = b;
    }
    return a;
  }

  /** Make room for `extra` more vertices of label k and return its position buffer. */
  reservePositions(k: number, extra: number): Float32Array<ArrayBuffer> {
    let a = this.positions[k];
    const need = (this.vertexCount[k] + extra) * 3;
    if (need > a.length) {
      const b = new Float32Array(Math.max(need, a.length * 2));
      b.set(a);
      this.positions[k] = a = b;
    }
    return a;
  }

  mesh(k: number): Mesh {
    return {
      positions: this.positions[k].subarray(0, this.vertexCount[k] * 3),
      indices: this.indices[k].subarray(0, this.indexCount[k]),
    };
  }
}

// Grid-independent tables. Per cube edge: its lower corner's offset in voxels and the crossing
// vertex's offset from the cell's low corner (x, y, z). Per case-table entry: the side of its edge
// that belongs to the label being meshed (0: the edge's lower corner, 1: its upper corner).
const EDGE_DX = new Int32Array(12);
const EDGE_DY = new Int32Array(12);
const EDGE_DZ = new Int32Array(12);
const EDGE_X = new Float64Array(12);
const EDGE_Y = new Float64Array(12);
const EDGE_Z = new Float64Array(12);
for (let e = 0; e < 12; e++) {
  const a = EDGE_A[e];
  const axis = EDGE_AXIS[e];
  EDGE_DX[e] = a & 1;
  EDGE_DY[e] = (a >> 1) & 1;
  EDGE_DZ[e] = (a >> 2) & 1;
  EDGE_X[e] = EDGE_DX[e] + (axis === 0 ? 0.5 : 0);
  EDGE_Y[e] = EDGE_DY[e] + (axis === 1 ? 0.5 : 0);
  EDGE_Z[e] = EDGE_DZ[e] + (axis === 2 ? 0.5 : 0);
}
const ENTRY_SIDE = new Int32Array(TRI_EDGES.length);
for (let m = 0; m < 256; m++) {
  for (let t = TRI_START[m]; t < TRI_START[m + 1]; t++)
    ENTRY_SIDE[t] = (m >> EDGE_A[TRI_EDGES[t]]) & 1 ? 0 : 1;
}

/**
 * Find the cells of rows `cy0..cy1` of layer `cz` (between planes cz and cz + 1 of a padded
 * `P×Q×R` grid of compact ids) whose eight corners are not all one label, and write their
 * positions in the layer, `cy * R + cx`, to `cells` from `at` on, in raster order. Returns how
 * many there are.
 */
export function classifyRows(
  cid: Uint16Array | Uint32Array,
  Q: number,
  R: number,
  cz: number,
  cy0: number,
  cy1: number,
  cells: Uint32Array,
  at: number,
): number {
  const S = Q * R;
  let n = at;
  for (let cy = cy0; cy < cy1; cy++) {
    let base = cz * S + cy * R;
    // corners 0, 2, 4, 6 of the first cell; afterwards the right face of the previous cell
    let a0 = cid[base];
    let a2 = cid[base + R];
    let a4 = cid[base + S];
    let a6 = cid[base + S + R];
    // is the left face one label? Then a uniform cell leaves it so.
    let flat = a0 === a2 && a0 === a4 && a0 === a6;
    const row = cy * R;
    for (let cx = 0; cx < R - 1; cx++, base++) {
      const a1 = cid[base + 1];
      const a3 = cid[base + R + 1];
      const a5 = cid[base + S + 1];
      const a7 = cid[base + S + R + 1];
      if (flat && a1 === a0 && a3 === a0 && a5 === a0 && a7 === a0) continue;
      cells[n++] = row + cx;
      flat = a1 === a3 && a1 === a5 && a1 === a7;
      a0 = a1;
      a2 = a3;
      a4 = a5;
      a6 = a7;
    }
  }
  return n - at;
}

/**
 * Triangles of the listed cells, layer by layer, for the labels of one share. For each cell, every
 * non-background label among its corners adds the triangles of its corner configuration; crossing
 * vertices are shared through a cache keyed by lattice edge and side. With `owner`, only the labels
 * whose owner is `me` are meshed (a worker's share); each label's mesh is the same whoever meshes it.
 */
export class CellEmitter {
  // Vertex-id cache, 16 slots per lattice point (y, x) so that a cell's edges sit on a few
  // neighbouring cache lines: [plane parity 0: x-edge side 0/1, y-edge side 0/1 | parity 1: same |
  // z-edge of the current layer side 0/1 | unused].
  private readonly cache: Int32Array;
  // Slots written, by group (slot & 12) >> 2: plane parity 0, parity 1, z-edges; reset from these
  // lists instead of sweeping the whole cache every layer.
  private readonly written = [new Int32Array(1024), new Int32Array(1024), new Int32Array(1024)];
  private readonly nWritten = new Int32Array(3);
  private readonly edgeOff = new Int32Array(12); // slot of the edge's lower corner from the cell's point
  private readonly entryBase = new Int32Array(TRI_EDGES.length); // per entry: slot from the cell's point
  private readonly corner = new Uint32Array(8);
  private cz = -1;

  /**
   * @param origin lattice position of the grid's first point in voxels, x,y,z.
   * @param spacing voxel size in nm, x,y,z.
   */
  constructor(
    private readonly cid: Uint16Array | Uint32Array,
    private readonly Q: number,
    private readonly R: number,
    private readonly origin: Vec3,
    private readonly spacing: Vec3,
    private readonly out: LabelBuffers,
    private readonly owner: Uint8Array | null = null,
    private readonly me = 0,
  ) {
    this.cache = new Int32Array(Q * R * 16).fill(-1);
    for (let e = 0; e < 12; e++) {
      const axis = EDGE_AXIS[e];
      this.edgeOff[e] = (EDGE_DY[e] * R + EDGE_DX[e]) * 16 + (axis === 2 ? 8 : axis * 2);
    }
  }

  /**
   * Mesh `count` listed cells of layer `cz` (`cells[at..]`), in raster order: layers in increasing
   * order, a layer's cells in one call or in consecutive ones.
   */
  layer(cz: number, cells: Uint32Array, at: number, count: number): void {
    if (cz !== this.cz) this.beginLayer(cz);
    const { cid, R, corner, cache, entryBase, written, nWritten, out, owner, me } = this;
    const S = this.Q * R;
    const [ox, oy, oz] = this.origin;
    const [rx, ry, rz] = this.spacing;
    const gz = oz + cz;
    for (let i = at, end = at + count; i < end; i++) {
      const pos = cells[i];
      const base = cz * S + pos;
      corner[0] = cid[base];
      corner[1] = cid[base + 1];
      corner[2] = cid[base + R];
      corner[3] = cid[base + R + 1];
      corner[4] = cid[base + S];
      corner[5] = cid[base + S + 1];
      corner[6] = cid[base + S + R];
      corner[7] = cid[base + S + R + 1];
      const cy = (pos / R) | 0;
      const gx = ox + pos - cy * R;
      const gy = oy + cy;
      const cell16 = pos * 16;
      // corners still to mesh: the non-background ones
      let rest =
        (corner[0] !== 0 ? 1 : 0) |
        (corner[1] !== 0 ? 2 : 0) |
        (corner[2] !== 0 ? 4 : 0) |
        (corner[3] !== 0 ? 8 : 0) |
        (corner[4] !== 0 ? 16 : 0) |
        (corner[5] !== 0 ? 32 : 0) |
        (corner[6] !== 0 ? 64 : 0) |
        (corner[7] !== 0 ? 128 : 0);
      while (rest !== 0) {
        const L = corner[31 - Math.clz32(rest & -rest)];
        const mask =
          (corner[0] === L ? 1 : 0) |
          (corner[1] === L ? 2 : 0) |
          (corner[2] === L ? 4 : 0) |
          (corner[3] === L ? 8 : 0) |
          (corner[4] === L ? 16 : 0) |
          (corner[5] === L ? 32 : 0) |
          (corner[6] === L ? 64 : 0) |
          (corner[7] === L ? 128 : 0);
        rest &= ~mask;
        if (owner !== null && owner[L] !== me) continue;
        const t0 = TRI_START[mask];
        const t1 = TRI_START[mask + 1];
        const I = out.reserveIndices(L, t1 - t0);
        let nt = out.indexCount[L];
        let Pp = out.positions[L];
        let nv = out.vertexCount[L];
        for (let t = t0; t < t1; t++) {
          const slot = entryBase[t] + cell16;
          let v = cache[slot];
          if (v < 0) {
            if ((nv + 1) * 3 > Pp.length) {
              out.vertexCount[L] = nv;
              Pp = out.reservePositions(L, 1);
            }
            const e = TRI_EDGES[t];
            v = nv++;
            Pp[v * 3] = (gx + EDGE_X[e]) * rx;
            Pp[v * 3 + 1] = (gy + EDGE_Y[e]) * ry;
            Pp[v * 3 + 2] = (gz + EDGE_Z[e]) * rz;
            cache[slot] = v;
            const g = (slot & 12) >> 2;
            let list = written[g];
            if (nWritten[g] === list.length) {
              const grown = new Int32Array(list.length * 2);
              grown.set(list);
              written[g] = list = grown;
            }
            list[nWritten[g]++] = slot;
          }
          I[nt++] = v;
        }
        out.indexCount[L] = nt;
        out.vertexCount[L] = nv;
      }
    }
  }

  private beginLayer(cz: number): void {
    const { cache, written, nWritten, entryBase, edgeOff } = this;
    // Plane cz + 1 reuses the slots of plane cz - 1; z-edges are per layer. A skipped layer
    // (no cells) leaves both planes to reset.
    const groups = cz === this.cz + 1 ? [(cz + 1) & 1, 2] : [0, 1, 2];
    for (const g of groups) {
      const list = written[g];
      for (let i = 0, n = nWritten[g]; i < n; i++) cache[list[i]] = -1;
      nWritten[g] = 0;
    }
    this.cz = cz;
    for (let t = 0; t < entryBase.length; t++) {
      const e = TRI_EDGES[t];
      entryBase[t] = edgeOff[e] + (EDGE_AXIS[e] === 2 ? 0 : ((cz + EDGE_DZ[e]) & 1) * 4) + ENTRY_SIDE[t];
    }
  }
}

/**
 * Multi-label marching cubes over a padded grid of compact ids (`P×Q×R`, z,y,x) in this thread,
 * one row of cells at a time: find the row's non-uniform cells, then mesh them.
 */
export function march(
  cid: Uint16Array | Uint32Array,
  P: number,
  Q: number,
  R: number,
  origin: Vec3,
  spacing: Vec3,
  out: LabelBuffers,
): void {
  const emitter = new CellEmitter(cid, Q, R, origin, spacing, out);
  // row by row, so that the corners are still in the cache when the row's cells are meshed
  const cells = new Uint32Array(R - 1);
  for (let cz = 0; cz < P - 1; cz++) {
    for (let cy = 0; cy < Q - 1; cy++) {
      const n = classifyRows(cid, Q, R, cz, cy, cy + 1, cells, 0);
      if (n > 0) emitter.layer(cz, cells, 0, n);
    }
  }
}
