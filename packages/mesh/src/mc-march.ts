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

/**
 * The cell loop over a padded grid of compact ids (`P×Q×R`, z,y,x); `origin` is the lattice
 * position of the grid's first point in voxels x,y,z, `spacing` the voxel size in nm x,y,z. For every cell whose eight
 * corners are not all one label, each non-background label among them adds the triangles of its
 * corner configuration; crossing vertices are shared through a cache keyed by lattice edge and side.
 * With `owner`, only the labels whose owner is `me` are meshed (a worker's share); each label's
 * mesh is the same whoever meshes it.
 */
export function march(
  cid: Uint16Array | Uint32Array,
  P: number,
  Q: number,
  R: number,
  origin: Vec3,
  spacing: Vec3,
  out: LabelBuffers,
  owner: Uint8Array | null = null,
  me = 0,
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
      // is the cell's left face (corners 0, 2, 4, 6) one label? Then a uniform cell leaves it so.
      let flat = a0 === a2 && a0 === a4 && a0 === a6;
      const gy = oy + cy;
      for (let cx = 0; cx < R - 1; cx++, base++) {
        const a1 = cid[base + 1];
        const a3 = cid[base + R + 1];
        const a5 = cid[base + S + 1];
        const a7 = cid[base + S + R + 1];
        if (flat && a1 === a0 && a3 === a0 && a5 === a0 && a7 === a0) continue;
        flat = a1 === a3 && a1 === a5 && a1 === a7;
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
          if (owner !== null && owner[L] !== me) continue;
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
