import { InvalidLabelsError, LabelNotFoundError } from "./errors.js";
import { checkLabelArray, type LabelArray } from "./label-array.js";
import { EDGE_A, EDGE_AXIS, TRI_EDGES, TRI_START } from "./mc-tables.js";
import type { Mesh } from "./mesh.js";

type Vec3 = readonly [number, number, number];
type Flags3 = readonly [boolean, boolean, boolean];

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
  const planeCache = new Int32Array(S * 8).fill(-1); // [parity][y][x][axis x|y][side]
  const zCache = new Int32Array(S * 2).fill(-1); // [y][x][side]
  // Per cube edge: offsets of its lower corner inside the cell.
  const edgeDz = new Int32Array(12);
  const edgeDy = new Int32Array(12);
  const edgeDx = new Int32Array(12);
  for (let e = 0; e < 12; e++) {
    const a = EDGE_A[e];
    edgeDz[e] = (a >> 2) & 1;
    edgeDy[e] = (a >> 1) & 1;
    edgeDx[e] = a & 1;
  }
  const cc = new Uint32Array(8);
  const edgeA = EDGE_A;
  const edgeAxis = EDGE_AXIS;
  const triStart = TRI_START;
  const triEdges = TRI_EDGES;

  // Capacity guess from the padded size; arrays grow by doubling when a volume is busier.
  // (dense neuron segmentations give about 0.55 triangles and 0.27 vertices per voxel)
  const guess = Math.max(1 << 15, Math.min(1 << 26, (P * Q * R) >> 2));
  let vlab = new Uint32Array(guess);
  let pos = new Float32Array(guess * 3);
  let tri = new Uint32Array(guess * 6);
  let nv = 0;
  let nt = 0;

  for (let cz = 0; cz < P - 1; cz++) {
    const topParity = ((cz + 1) & 1) * S * 4;
    planeCache.fill(-1, topParity, topParity + S * 4);
    zCache.fill(-1);
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
          if (nt + (t1 - t0) > tri.length) tri = growU32(tri, nt + (t1 - t0));
          for (let t = t0; t < t1; t++) {
            const e = triEdges[t];
            const side = cc[edgeA[e]] === L ? 0 : 1;
            const axis = edgeAxis[e];
            const ex = cx + edgeDx[e];
            const ey = cy + edgeDy[e];
            const yx = ey * R + ex;
            let slot: number;
            let cache: Int32Array;
            if (axis === 2) {
              cache = zCache;
              slot = yx * 2 + side;
            } else {
              cache = planeCache;
              slot = (((cz + edgeDz[e]) & 1) * S + yx) * 4 + axis * 2 + side;
            }
            let v = cache[slot];
            if (v < 0) {
              v = nv++;
              if (nv > vlab.length) {
                vlab = growU32(vlab, nv);
                pos = growF32(pos, vlab.length * 3);
              }
              pos[v * 3] = bx + (ex + (axis === 0 ? 0.5 : 0)) * rx;
              pos[v * 3 + 1] = by + (ey + (axis === 1 ? 0.5 : 0)) * ry;
              pos[v * 3 + 2] = bz + (cz + edgeDz[e] + (axis === 2 ? 0.5 : 0)) * rz;
              vlab[v] = L;
              cache[slot] = v;
            }
            tri[nt++] = v;
          }
        }
      }
    }
  }
  return splitByLabel(pos, vlab, nv, tri, nt, ids, out);
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
  return { cid, ids };
}

function splitByLabel(
  pos: Float32Array,
  vlab: Uint32Array,
  nv: number,
  tri: Uint32Array,
  nt: number,
  ids: number[],
  out: Map<number, Mesh>,
): Map<number, Mesh> {
  const nl = ids.length;
  const vcount = new Uint32Array(nl);
  const tcount = new Uint32Array(nl);
  const local = new Uint32Array(nv);
  for (let v = 0; v < nv; v++) local[v] = vcount[vlab[v]]++;
  for (let t = 0; t < nt; t += 3) tcount[vlab[tri[t]]]++;
  const meshes: Mesh[] = [];
  for (let k = 0; k < nl; k++) {
    meshes.push({ positions: new Float32Array(vcount[k] * 3), indices: new Uint32Array(tcount[k] * 3) });
  }
  for (let v = 0; v < nv; v++) {
    const p = meshes[vlab[v]].positions;
    const o = local[v] * 3;
    p[o] = pos[v * 3];
    p[o + 1] = pos[v * 3 + 1];
    p[o + 2] = pos[v * 3 + 2];
  }
  const tfill = new Uint32Array(nl);
  for (let t = 0; t < nt; t += 3) {
    const k = vlab[tri[t]];
    const idx = meshes[k].indices;
    const o = tfill[k];
    idx[o] = local[tri[t]];
    idx[o + 1] = local[tri[t + 1]];
    idx[o + 2] = local[tri[t + 2]];
    tfill[k] = o + 3;
  }
  const order = Array.from({ length: nl - 1 }, (_, i) => i + 1).sort((a, b) => ids[a] - ids[b]);
  for (const k of order) out.set(ids[k], meshes[k]);
  return out;
}
