import { InvalidLabelsError, LabelNotFoundError } from "./errors.js";
import { checkLabelArray, type LabelArray } from "./label-array.js";
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
  const { cid, ids } = compactLabels(data, shape, [lz, ly, lx], [P, Q, R], options.labels);
  const out = new Map<number, Mesh>();
  if (ids.length <= 1 || P < 2 || Q < 2 || R < 2) {
    for (const id of ids.slice(1).sort((a, b) => a - b)) {
      out.set(id, { positions: new Float32Array(0), indices: new Uint32Array(0) });
    }
    return out;
  }
  // Vertex position of padded lattice index i along an axis: (i - pad + offset) * res.
  const bx = (off[2] - lx) * res[2];
  const by = (off[1] - ly) * res[1];
  const bz = (off[0] - lz) * res[0];
  const rx = res[2];
  const ry = res[1];
  const rz = res[0];

  const S = Q * R;
  // Vertex-id cache, 16 slots per lattice point (y, x) so that a cell's edges sit on a few
  // neighbouring cache lines: [plane parity 0: x-edge side 0/1, y-edge side 0/1 | parity 1: same |
  // z-edge of the current layer side 0/1 | unused].
  const cache = new Int32Array(S * 16).fill(-1);
  const edgeOff = new Int32Array(12); // slot of the edge's lower corner relative to the cell's point
  const edgeDz = new Int32Array(12);
  const edgeDy = new Int32Array(12);
  const edgeDx = new Int32Array(12);
  for (let e = 0; e < 12; e++) {
    const a = EDGE_A[e];
    edgeDz[e] = (a >> 2) & 1;
    edgeDy[e] = (a >> 1) & 1;
    edgeDx[e] = a & 1;
    edgeOff[e] = (edgeDy[e] * R + edgeDx[e]) * 16 + (EDGE_AXIS[e] === 2 ? 8 : EDGE_AXIS[e] * 2);
  }
  const edgeBase = new Int32Array(12);
  // Per table entry: cache offset of its edge on the side of the label being meshed, per layer.
  const nEntries = TRI_EDGES.length;
  const entrySide = new Int32Array(nEntries);
  for (let m = 0; m < 256; m++) {
    for (let t = TRI_START[m]; t < TRI_START[m + 1]; t++)
      entrySide[t] = (m >> EDGE_A[TRI_EDGES[t]]) & 1 ? 0 : 1;
  }
  const entryBase = new Int32Array(nEntries);
  const cc = new Uint32Array(8);
  const edgeAxis = EDGE_AXIS;
  const triStart = TRI_START;
  const triEdges = TRI_EDGES;

  // Output written straight into per-label buffers (vertex ids are label-local).
  const nl = ids.length;
  // Size them from the label changes along x (a proxy for surface area) to avoid regrowing.
  const xChanges = new Float64Array(nl);
  for (let i = 0, n = cid.length - 1; i < n; i++) {
    const a = cid[i];
    const b = cid[i + 1];
    if (a !== b) {
      xChanges[a]++;
      xChanges[b]++;
    }
  }
  const lpos: Float32Array<ArrayBuffer>[] = [];
  const lidx: Uint32Array<ArrayBuffer>[] = [];
  for (let k = 0; k < nl; k++) {
    lpos.push(new Float32Array(k === 0 ? 0 : Math.max(192, Math.ceil(xChanges[k] * VERTS_PER_CHANGE) * 3)));
    lidx.push(new Uint32Array(k === 0 ? 0 : Math.max(384, Math.ceil(xChanges[k] * TRIS_PER_CHANGE) * 3)));
  }
  const lnv = new Int32Array(nl);
  const lnt = new Int32Array(nl);

  for (let cz = 0; cz < P - 1; cz++) {
    const top = ((cz + 1) & 1) * 4;
    for (let o = 0; o < S * 16; o += 16) {
      cache[o + top] = -1;
      cache[o + top + 1] = -1;
      cache[o + top + 2] = -1;
      cache[o + top + 3] = -1;
      cache[o + 8] = -1;
      cache[o + 9] = -1;
    }
    for (let e = 0; e < 12; e++) {
      edgeBase[e] = edgeOff[e] + (edgeAxis[e] === 2 ? 0 : ((cz + edgeDz[e]) & 1) * 4);
    }
    for (let t = 0; t < nEntries; t++) entryBase[t] = edgeBase[triEdges[t]] + entrySide[t];
    const gz0 = bz + cz * rz;
    for (let cy = 0; cy < Q - 1; cy++) {
      let base = cz * S + cy * R;
      // corners 0,2,4,6 of the first cell; afterwards the right face of the previous cell
      let a0 = cid[base];
      let a2 = cid[base + R];
      let a4 = cid[base + S];
      let a6 = cid[base + S + R];
      for (let cx = 0; cx < R - 1; cx++, base++) {
        const a1 = cid[base + 1];
        const a3 = cid[base + R + 1];
        const a5 = cid[base + S + 1];
        const a7 = cid[base + S + R + 1];
        if (a0 === a1 && a0 === a2 && a0 === a3 && a0 === a4 && a0 === a5 && a0 === a6 && a0 === a7) {
          a0 = a1;
          a2 = a3;
          a4 = a5;
          a6 = a7;
          continue;
        }
        cc[0] = a0;
        cc[1] = a1;
        cc[2] = a2;
        cc[3] = a3;
        cc[4] = a4;
        cc[5] = a5;
        cc[6] = a6;
        cc[7] = a7;
        a0 = a1;
        a2 = a3;
        a4 = a5;
        a6 = a7;
        const cell16 = (cy * R + cx) * 16;
        for (let k = 0; k < 8; k++) {
          const L = cc[k];
          if (L === 0) continue;
          let seen = false;
          for (let j = 0; j < k; j++) {
            if (cc[j] === L) {
              seen = true;
              break;
            }
          }
          if (seen) continue;
          let mask = 0;
          for (let j = k; j < 8; j++) if (cc[j] === L) mask |= 1 << j;
          const t0 = triStart[mask];
          const t1 = triStart[mask + 1];
          let I = lidx[L];
          let nt = lnt[L];
          if (nt + (t1 - t0) > I.length) {
            I = growU32(I, nt + (t1 - t0));
            lidx[L] = I;
          }
          let Pp = lpos[L];
          let nv = lnv[L];
          for (let t = t0; t < t1; t++) {
            const slot = entryBase[t] + cell16;
            let v = cache[slot];
            if (v < 0) {
              const e = triEdges[t];
              v = nv++;
              if (nv * 3 > Pp.length) {
                Pp = growF32(Pp, nv * 3);
                lpos[L] = Pp;
              }
              const axis = edgeAxis[e];
              Pp[v * 3] = bx + (cx + edgeDx[e] + (axis === 0 ? 0.5 : 0)) * rx;
              Pp[v * 3 + 1] = by + (cy + edgeDy[e] + (axis === 1 ? 0.5 : 0)) * ry;
              Pp[v * 3 + 2] = gz0 + (edgeDz[e] + (axis === 2 ? 0.5 : 0)) * rz;
              cache[slot] = v;
            }
            I[nt++] = v;
          }
          lnt[L] = nt;
          lnv[L] = nv;
        }
      }
    }
  }
  const order = Array.from({ length: nl - 1 }, (_, i) => i + 1).sort((x, y) => ids[x] - ids[y]);
  for (const k of order)
    out.set(ids[k], { positions: lpos[k].subarray(0, lnv[k] * 3), indices: lidx[k].subarray(0, lnt[k]) });
  return out;
}

function growF32(a: Float32Array<ArrayBuffer>, min: number): Float32Array<ArrayBuffer> {
  const b = new Float32Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}

function growU32(a: Uint32Array<ArrayBuffer>, min: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}

/** Copy labels into a padded array of compact ids (0 = background or not requested). */
function compactLabels(
  data: LabelArray,
  shape: readonly number[],
  pad: Vec3,
  padded: Vec3,
  wanted: Iterable<number> | undefined,
): { cid: Uint32Array; ids: number[] } {
  const [nz, ny, nx] = shape;
  const [P, Q, R] = padded;
  const cid = new Uint32Array(P * Q * R);
  const ids: number[] = [0];
  const idOf = new Map<number, number>();
  let want: Set<number> | undefined;
  if (wanted !== undefined) {
    want = new Set(wanted);
    for (const w of want) {
      if (!Number.isInteger(w) || w <= 0) {
        throw new InvalidLabelsError("label ids must be positive integers", {
          field: "labels",
          expected: "integers > 0",
          found: String(w),
        });
      }
    }
  }
  const big = data instanceof BigUint64Array || data instanceof BigInt64Array;
  if (
    !big &&
    fillWithTable(
      data as Exclude<LabelArray, BigUint64Array | BigInt64Array>,
      shape,
      pad,
      padded,
      want,
      cid,
      ids,
      idOf,
    )
  ) {
    checkWanted(want, idOf);
    return { cid, ids };
  }
  let last = 0;
  let lastId = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      let src = (z * ny + y) * nx;
      let dst = ((z + pad[0]) * Q + y + pad[1]) * R + pad[2];
      for (let x = 0; x < nx; x++, src++, dst++) {
        const value = big ? Number(data[src]) : (data[src] as number);
        if (value !== last) {
          last = value;
          if (value === 0 || (want !== undefined && !want.has(value))) lastId = 0;
          else {
            let id = idOf.get(value);
            if (id === undefined) {
              id = ids.length;
              ids.push(value);
              idOf.set(value, id);
            }
            lastId = id;
          }
        }
        cid[dst] = lastId;
      }
    }
  }
  checkWanted(want, idOf);
  return { cid, ids };
}

function checkWanted(want: Set<number> | undefined, idOf: Map<number, number>): void {
  if (want !== undefined) {
    const missing = [...want].filter((w) => !idOf.has(w));
    if (missing.length > 0) {
      throw new LabelNotFoundError("requested label ids do not occur in the volume", {
        field: "labels",
        expected: "ids present in the volume",
        found: missing.slice(0, 10).join(", ") + (missing.length > 10 ? ", ..." : ""),
      });
    }
  }
}

/**
 * Fast path of the compaction for labels below 2^24: a dense lookup table instead of a hash map.
 * Returns false (doing nothing) when the labels are too large or negative.
 */
function fillWithTable(
  data: Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array,
  shape: readonly number[],
  pad: Vec3,
  padded: Vec3,
  want: Set<number> | undefined,
  cid: Uint32Array,
  ids: number[],
  idOf: Map<number, number>,
): boolean {
  let max = data instanceof Uint8Array ? 255 : data instanceof Uint16Array ? 65535 : 0;
  let min = 0;
  if (max === 0) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v > max) max = v;
      else if (v < min) min = v;
    }
  }
  if (min < 0 || max >= 1 << 24) return false;
  const lut = new Int32Array(max + 1).fill(-1);
  lut[0] = 0;
  const [nz, ny, nx] = shape;
  const [, Q, R] = padded;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      let src = (z * ny + y) * nx;
      let dst = ((z + pad[0]) * Q + y + pad[1]) * R + pad[2];
      let last = -1;
      let id = 0;
      for (let x = 0; x < nx; x++, src++, dst++) {
        const value = data[src];
        if (value !== last) {
          last = value;
          id = lut[value];
          if (id < 0) {
            if (want !== undefined && !want.has(value)) id = 0;
            else {
              id = ids.length;
              ids.push(value);
              idOf.set(value, id);
            }
            lut[value] = id;
          }
        }
        cid[dst] = id;
      }
    }
  }
  return true;
}
