import { compactLabels } from "./compact-labels.js";
import { InvalidLabelsError } from "./errors.js";
import { checkLabelArray } from "./label-array.js";
import { EDGE_A, EDGE_AXIS, TRI_EDGES, TRI_START } from "./mc-tables.js";
import type { Mesh } from "./mesh.js";

type Vec3 = readonly [number, number, number];
type Flags3 = readonly [boolean, boolean, boolean];

// Output buffer sizing per label change along x (calibrated on dense EM segmentations, a little high).
const VERTS_PER_CHANGE = 3.4;
const TRIS_PER_CHANGE = 6.8;

/** Options of {@link marchingCubes}. */
export interface MarchingCubesOptions {
  /** Voxel size in nm, z,y,x (default `[1, 1, 1]`). */
  resolutionNm?: Vec3;
  /** Mesh only these label ids (default: every non-zero label). Each must occur in the volume. */
  labels?: Iterable<number>;
  /** Position of the array's first voxel in the whole volume, in voxels z,y,x (default 0). */
  offsetVoxels?: Vec3;
  /**
   * Per axis z,y,x: is the array's low face the volume border? Then the surface is closed there
   * (voxels outside count as background). Default all true. A block adapter sets false on faces
   * inside the volume, so each cell is meshed by exactly one block.
   */
  closeLow?: Flags3;
  /** Same as `closeLow` for the high faces. Where false, the array must hold one voxel of overlap. */
  closeHigh?: Flags3;
}

/**
 * Surfaces of every label of an integer volume in one pass (multi-label marching cubes on the
 * voxel-centre lattice). Each label's surface is closed (also at the volume border), its vertices
 * are shared between triangles (no duplicates), triangles wind counter-clockwise seen from outside.
 * Vertex positions are in nm, x,y,z, with voxel `(z, y, x)` centred at `(x, y, z) * resolution`.
 *
 * @param labels integer label volume, C order z,y,x; 0 is background.
 * @param shape `[z, y, x]`.
 * @returns a map label id → mesh, in increasing label order.
 */
export function marchingCubes(
  labels: ArrayLike<number | bigint>,
  shape: readonly number[],
  options: MarchingCubesOptions = {},
): Map<number, Mesh> {
  const data = checkLabelArray(labels, shape);
  if (data.length === 0) {
    throw new InvalidLabelsError("label volume is empty", {
      field: "shape",
      expected: "at least one voxel",
      found: JSON.stringify(shape),
    });
  }
  const res = options.resolutionNm ?? [1, 1, 1];
  if (res.length !== 3 || res.some((r) => !(r > 0))) {
    throw new InvalidLabelsError("resolution must be three positive numbers", {
      field: "resolutionNm",
      expected: "[z, y, x] > 0",
      found: JSON.stringify(res),
    });
  }
  const off = options.offsetVoxels ?? [0, 0, 0];
  const closeLow = options.closeLow ?? [true, true, true];
  const closeHigh = options.closeHigh ?? [true, true, true];
  const [nz, ny, nx] = shape;
  const lz = closeLow[0] ? 1 : 0;
  const ly = closeLow[1] ? 1 : 0;
  const lx = closeLow[2] ? 1 : 0;
  const P = nz + lz + (closeHigh[0] ? 1 : 0);
  const Q = ny + ly + (closeHigh[1] ? 1 : 0);
  const R = nx + lx + (closeHigh[2] ? 1 : 0);
  const { cid, ids, runs } = compactLabels(data, shape, [lz, ly, lx], [P, Q, R], options.labels);
  const out = new Map<number, Mesh>();
  if (ids.length <= 1 || P < 2 || Q < 2 || R < 2) {
    for (const id of ids.slice(1).sort((a, b) => a - b)) {
      out.set(id, { positions: new Float32Array(0), indices: new Uint32Array(0) });
    }
    return out;
  }
  // Vertex position of padded lattice index i along an axis: (i - pad + offset) * res, with the
  // integer part summed first so that blocks of one volume compute bit-identical seam vertices.
  const origin: Vec3 = [off[2] - lx, off[1] - ly, off[0] - lz];
  const buffers = new LabelBuffers(ids.length, runs);
  march(cid, P, Q, R, origin, [res[2], res[1], res[0]], buffers);
  const order = Array.from({ length: ids.length - 1 }, (_, i) => i + 1).sort((x, y) => ids[x] - ids[y]);
  for (const k of order) out.set(ids[k], buffers.mesh(k));
  return out;
}

/** Growable per-label vertex and index buffers, sized up front from the label's x-changes. */
class LabelBuffers {
  positions: Float32Array<ArrayBuffer>[] = [];
  indices: Uint32Array<ArrayBuffer>[] = [];
  vertexCount: Int32Array;
  indexCount: Int32Array;

  constructor(n: number, runs: Float64Array) {
    for (let k = 0; k < n; k++) {
      this.positions.push(
        new Float32Array(k === 0 ? 0 : Math.max(192, Math.ceil(runs[k] * VERTS_PER_CHANGE) * 3)),
      );
      this.indices.push(
        new Uint32Array(k === 0 ? 0 : Math.max(384, Math.ceil(runs[k] * TRIS_PER_CHANGE) * 3)),
      );
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

/**
 * The cell loop over a padded grid of compact ids (`P×Q×R`, z,y,x); `origin` is the lattice
 * position of the grid's first point in voxels x,y,z, `spacing` the voxel size in nm x,y,z. For every cell whose eight
 * corners are not all one label, each non-background label among them adds the triangles of its
 * corner configuration; crossing vertices are shared through a cache keyed by lattice edge and side.
 */
function march(
  cid: Uint16Array | Uint32Array,
  P: number,
  Q: number,
  R: number,
  origin: Vec3,
  spacing: Vec3,
  out: LabelBuffers,
): void {
  const S = Q * R;
  // Vertex-id cache, 16 slots per lattice point (y, x) so that a cell's edges sit on a few
  // neighbouring cache lines: [plane parity 0: x-edge side 0/1, y-edge side 0/1 | parity 1: same |
  // z-edge of the current layer side 0/1 | unused]. Side 0 belongs to the label at the edge's lower
  // corner, side 1 to the label at its upper corner.
  const cache = new Int32Array(S * 16).fill(-1);
  // Slots written, by group (slot & 12) >> 2: plane parity 0, parity 1, z-edges; reset from these
  // lists instead of sweeping the whole cache every layer.
  const written = [new Int32Array(1024), new Int32Array(1024), new Int32Array(1024)];
  const nWritten = new Int32Array(3);

  const edgeOff = new Int32Array(12); // slot of the edge's lower corner relative to the cell's point
  const edgeDz = new Int32Array(12);
  // per edge: vertex offset from the cell's low corner in voxels, x/y/z
  const edgeX = new Float64Array(12);
  const edgeY = new Float64Array(12);
  const edgeZ = new Float64Array(12);
  for (let e = 0; e < 12; e++) {
    const a = EDGE_A[e];
    const axis = EDGE_AXIS[e];
    const dz = (a >> 2) & 1;
    const dy = (a >> 1) & 1;
    const dx = a & 1;
    edgeDz[e] = dz;
    edgeOff[e] = (dy * R + dx) * 16 + (axis === 2 ? 8 : axis * 2);
    edgeX[e] = dx + (axis === 0 ? 0.5 : 0);
    edgeY[e] = dy + (axis === 1 ? 0.5 : 0);
    edgeZ[e] = dz + (axis === 2 ? 0.5 : 0);
  }
  // Per table entry: cache slot of its edge on the side of the label being meshed, per layer.
  const nEntries = TRI_EDGES.length;
  const entrySide = new Int32Array(nEntries);
  for (let m = 0; m < 256; m++) {
    for (let t = TRI_START[m]; t < TRI_START[m + 1]; t++)
      entrySide[t] = (m >> EDGE_A[TRI_EDGES[t]]) & 1 ? 0 : 1;
  }
  const entryBase = new Int32Array(nEntries);
  const corner = new Uint32Array(8);
  const triStart = TRI_START;
  const triEdges = TRI_EDGES;
  const [ox, oy, oz] = origin;
  const [rx, ry, rz] = spacing;

  for (let cz = 0; cz < P - 1; cz++) {
    // The plane cz + 1 reuses the slots of plane cz - 1; z-edges are per layer.
    const topGroup = (cz + 1) & 1;
    for (const g of [topGroup, 2]) {
      const list = written[g];
      for (let i = 0, n = nWritten[g]; i < n; i++) cache[list[i]] = -1;
      nWritten[g] = 0;
    }
    for (let t = 0; t < nEntries; t++) {
      const e = triEdges[t];
      entryBase[t] = edgeOff[e] + (EDGE_AXIS[e] === 2 ? 0 : ((cz + edgeDz[e]) & 1) * 4) + entrySide[t];
    }
    const gz = oz + cz;
    for (let cy = 0; cy < Q - 1; cy++) {
      let base = cz * S + cy * R;
      // corners 0,2,4,6 of the first cell; afterwards the right face of the previous cell
      let a0 = cid[base];
      let a2 = cid[base + R];
      let a4 = cid[base + S];
      let a6 = cid[base + S + R];
      const gy = oy + cy;
      for (let cx = 0; cx < R - 1; cx++, base++) {
        const a1 = cid[base + 1];
        const a3 = cid[base + R + 1];
        const a5 = cid[base + S + 1];
        const a7 = cid[base + S + R + 1];
        if (a0 === a1 && a0 === a2 && a0 === a3 && a0 === a4 && a0 === a5 && a0 === a6 && a0 === a7) {
          a2 = a3;
          a4 = a5;
          a6 = a7;
          continue;
        }
        corner[0] = a0;
        corner[1] = a1;
        corner[2] = a2;
        corner[3] = a3;
        corner[4] = a4;
        corner[5] = a5;
        corner[6] = a6;
        corner[7] = a7;
        // corners still to mesh: the non-background ones
        let rest =
          (a0 !== 0 ? 1 : 0) |
          (a1 !== 0 ? 2 : 0) |
          (a2 !== 0 ? 4 : 0) |
          (a3 !== 0 ? 8 : 0) |
          (a4 !== 0 ? 16 : 0) |
          (a5 !== 0 ? 32 : 0) |
          (a6 !== 0 ? 64 : 0) |
          (a7 !== 0 ? 128 : 0);
        a0 = a1;
        a2 = a3;
        a4 = a5;
        a6 = a7;
        const cell16 = (cy * R + cx) * 16;
        const gx = ox + cx;
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
          const t0 = triStart[mask];
          const t1 = triStart[mask + 1];
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
              const e = triEdges[t];
              v = nv++;
              Pp[v * 3] = (gx + edgeX[e]) * rx;
              Pp[v * 3 + 1] = (gy + edgeY[e]) * ry;
              Pp[v * 3 + 2] = (gz + edgeZ[e]) * rz;
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
  }
}
