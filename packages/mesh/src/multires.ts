import { decodeDraco, encodeDraco } from "./draco.js";
import { MeshFormatError } from "./errors.js";
import { type Mesh, meshBounds } from "./mesh.js";
import { simplifyMesh } from "./simplify.js";

type Vec3 = [number, number, number];

/** The `<segment-id>.index` manifest of Neuroglancer's multi-resolution mesh format. */
export interface MultiresManifest {
  /** Extent of the finest octree node, x,y,z (stored model units, here nm). */
  chunkShape: Vec3;
  /** Origin of the octree, x,y,z. */
  gridOrigin: Vec3;
  /** Scale of each level of detail. */
  lodScales: number[];
  /** Offset added to the vertices of each level of detail, x,y,z per lod. */
  vertexOffsets: Vec3[];
  /** Per lod: node positions (x,y,z grid coordinates, Z-curve order) and encoded sizes in bytes. */
  lods: { positions: Vec3[]; sizes: number[] }[];
}

/** Encode a manifest to its little-endian binary layout. */
export function encodeManifest(m: MultiresManifest): Uint8Array {
  const nl = m.lods.length;
  const nf = m.lods.reduce((s, l) => s + l.positions.length, 0);
  const dv = new DataView(new ArrayBuffer(4 * (3 + 3 + 1 + nl + 3 * nl + nl) + nf * 16));
  let o = 0;
  const f32 = (v: number) => {
    dv.setFloat32(o, v, true);
    o += 4;
  };
  const u32 = (v: number) => {
    dv.setUint32(o, v, true);
    o += 4;
  };
  m.chunkShape.forEach(f32);
  m.gridOrigin.forEach(f32);
  u32(nl);
  m.lodScales.forEach(f32);
  for (const off of m.vertexOffsets) off.forEach(f32);
  for (const l of m.lods) u32(l.positions.length);
  for (const l of m.lods) {
    for (let k = 0; k < 3; k++) for (const p of l.positions) u32(p[k]);
    l.sizes.forEach(u32);
  }
  return new Uint8Array(dv.buffer);
}

/** Decode a manifest; raises {@link MeshFormatError} when its size disagrees with its counts. */
export function decodeManifest(bytes: Uint8Array, path?: string): MultiresManifest {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = 0;
  const need = (n: number) => {
    if (o + n > bytes.length)
      throw new MeshFormatError("truncated multi-resolution manifest", {
        path,
        field: `byte ${o}`,
        expected: `${o + n} bytes`,
        found: `${bytes.length}`,
      });
  };
  const f32 = () => {
    need(4);
    o += 4;
    return dv.getFloat32(o - 4, true);
  };
  const u32 = () => {
    need(4);
    o += 4;
    return dv.getUint32(o - 4, true);
  };
  const chunkShape: Vec3 = [f32(), f32(), f32()];
  const gridOrigin: Vec3 = [f32(), f32(), f32()];
  const nl = u32();
  const lodScales = Array.from({ length: nl }, f32);
  const vertexOffsets = Array.from({ length: nl }, () => [f32(), f32(), f32()] as Vec3);
  const counts = Array.from({ length: nl }, u32);
  const lods = counts.map((n) => {
    const xyz = [0, 1, 2].map(() => Array.from({ length: n }, u32));
    const positions = Array.from({ length: n }, (_, i) => [xyz[0][i], xyz[1][i], xyz[2][i]] as Vec3);
    return { positions, sizes: Array.from({ length: n }, u32) };
  });
  if (o !== bytes.length)
    throw new MeshFormatError("multi-resolution manifest has trailing bytes", {
      path,
      field: "size",
      expected: `${o}`,
      found: `${bytes.length}`,
    });
  return { chunkShape, gridOrigin, lodScales, vertexOffsets, lods };
}

/** Z-curve (Morton) code of a node position, x in the lowest bit. */
export function mortonCode(x: number, y: number, z: number): bigint {
  let code = 0n;
  for (let b = 0; b < 21; b++) {
    code |= BigInt((x >> b) & 1) << BigInt(3 * b);
    code |= BigInt((y >> b) & 1) << BigInt(3 * b + 1);
    code |= BigInt((z >> b) & 1) << BigInt(3 * b + 2);
  }
  return code;
}

/** Split a mesh into grid cells by triangle centroid; keys are `x,y,z` cell coordinates. */
export function splitMeshByGrid(mesh: Mesh, origin: Vec3, cell: Vec3): Map<string, Mesh> {
  const p = mesh.positions;
  const t = mesh.indices;
  const groups = new Map<string, number[]>();
  for (let i = 0; i < t.length; i += 3) {
    const key = [0, 1, 2]
      .map((k) =>
        Math.floor(((p[t[i] * 3 + k] + p[t[i + 1] * 3 + k] + p[t[i + 2] * 3 + k]) / 3 - origin[k]) / cell[k]),
      )
      .join(",");
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(i / 3);
  }
  const out = new Map<string, Mesh>();
  const remap = new Int32Array(p.length / 3).fill(-1);
  for (const [key, tris] of groups) {
    const used: number[] = [];
    const indices = new Uint32Array(tris.length * 3);
    tris.forEach((tri, j) => {
      for (let k = 0; k < 3; k++) {
        const v = t[tri * 3 + k];
        if (remap[v] < 0) {
          remap[v] = used.length;
          used.push(v);
        }
        indices[j * 3 + k] = remap[v];
      }
    });
    const positions = new Float32Array(used.length * 3);
    used.forEach((v, j) => {
      positions[j * 3] = p[v * 3];
      positions[j * 3 + 1] = p[v * 3 + 1];
      positions[j * 3 + 2] = p[v * 3 + 2];
      remap[v] = -1;
    });
    out.set(key, { positions, indices });
  }
  return out;
}

/** Options of {@link encodeMultiresMesh}. */
export interface MultiresOptions {
  /** Voxel size in nm, z,y,x: the octree is aligned to voxel centres so that marching-cubes triangles never cross it. */
  resolutionNm: [number, number, number];
  /** Levels of detail (default 3). */
  numLods?: number;
  /** Simplification error of lod 0 in nm (default 0: unsimplified); lod L uses `maxErrorNm · 2^L` (at least one voxel). */
  maxErrorNm?: number;
  /** 10 or 16 (default 16). */
  quantizationBits?: 10 | 16;
}

/**
 * Build one segment's multi-resolution mesh: the manifest and the concatenated Draco fragments.
 * Lod L is the mesh cut along the grid of lod max(L-1, 0) nodes and simplified piece by piece with
 * the cut vertices locked, so every lod keeps the original vertices on every finer node boundary
 * and neighbouring nodes drawn at different lods meet without cracks (up to half a quantization
 * step); each lod > 0 node is thus partitioned by its 2×2×2 child grid.
 */
export async function encodeMultiresMesh(
  mesh: Mesh,
  options: MultiresOptions,
): Promise<{ manifest: Uint8Array; fragments: Uint8Array }> {
  const nl = options.numLods ?? 3;
  const bits = options.quantizationBits ?? 16;
  const qmax = 2 ** bits - 1;
  const resXYZ: Vec3 = [options.resolutionNm[2], options.resolutionNm[1], options.resolutionNm[0]];
  const { min, max } = meshBounds(mesh);
  const origin = [0, 1, 2].map((k) => Math.floor(min[k] / resXYZ[k]) * resXYZ[k]) as Vec3;
  const chunk = [0, 1, 2].map(
    (k) => Math.max(1, Math.ceil((max[k] - origin[k]) / resXYZ[k] / 2 ** (nl - 1) + 1e-9)) * resXYZ[k],
  ) as Vec3;
  const baseError = options.maxErrorNm ?? 0;
  const lods: MultiresManifest["lods"] = [];
  const blobs: Uint8Array[] = [];
  for (let lod = 0; lod < nl; lod++) {
    const pieceScale = 2 ** Math.max(lod - 1, 0);
    const piece = chunk.map((c) => c * pieceScale) as Vec3;
    const nodeScale = 2 ** lod;
    const error = lod === 0 ? baseError : Math.max(baseError, Math.min(...resXYZ)) * 2 ** lod;
    const nodes = new Map<string, { pos: Vec3; parts: Mesh[] }>();
    for (const [key, part] of splitMeshByGrid(mesh, origin, piece)) {
      const cell = key.split(",").map(Number);
      const pos = cell.map((c) => Math.floor((c * pieceScale) / nodeScale)) as Vec3;
      const simplified = error > 0 ? simplifyMesh(part, { maxErrorNm: error, lockBoundary: true }) : part;
      const nkey = pos.join(",");
      const node = nodes.get(nkey) ?? { pos, parts: [] };
      node.parts.push(simplified);
      nodes.set(nkey, node);
    }
    const ordered = [...nodes.values()].sort((a, b) => {
      const ma = mortonCode(...a.pos);
      const mb = mortonCode(...b.pos);
      return ma < mb ? -1 : ma > mb ? 1 : 0;
    });
    const entry = { positions: [] as Vec3[], sizes: [] as number[] };
    for (const node of ordered) {
      const size = chunk.map((c) => c * nodeScale);
      const lo = [0, 1, 2].map((k) => origin[k] + node.pos[k] * size[k]);
      const nv = node.parts.reduce((s, m) => s + m.positions.length / 3, 0);
      const ni = node.parts.reduce((s, m) => s + m.indices.length, 0);
      if (ni === 0) continue;
      const positions = new Uint32Array(nv * 3);
      const indices = new Uint32Array(ni);
      let vo = 0;
      let io = 0;
      for (const part of node.parts) {
        for (let i = 0; i < part.positions.length; i++) {
          const k = i % 3;
          const q = Math.round(((part.positions[i] - lo[k]) / size[k]) * qmax);
          positions[vo * 3 + i] = Math.min(qmax, Math.max(0, q));
        }
        for (let i = 0; i < part.indices.length; i++) indices[io + i] = part.indices[i] + vo;
        vo += part.positions.length / 3;
        io += part.indices.length;
      }
      const blob = await encodeDraco({ positions, indices });
      blobs.push(blob);
      entry.positions.push(node.pos);
      entry.sizes.push(blob.length);
    }
    lods.push(entry);
  }
  const manifest = encodeManifest({
    chunkShape: chunk,
    gridOrigin: origin,
    lodScales: Array.from({ length: nl }, (_, l) => Math.min(...resXYZ) * 2 ** l),
    vertexOffsets: Array.from({ length: nl }, () => [0, 0, 0] as Vec3),
    lods,
  });
  const total = blobs.reduce((s, b) => s + b.length, 0);
  const fragments = new Uint8Array(total);
  let o = 0;
  for (const b of blobs) {
    fragments.set(b, o);
    o += b.length;
  }
  return { manifest, fragments };
}

/**
 * Decode a segment's fragments of one lod into a mesh in model coordinates (nm): vertex
 * `grid_origin + (node + q / (2^bits - 1)) · chunk_shape · 2^lod + vertex_offset`.
 */
export async function decodeMultiresLod(
  manifest: MultiresManifest,
  fragments: Uint8Array,
  lod: number,
  quantizationBits: number,
  path?: string,
): Promise<Mesh> {
  if (lod < 0 || lod >= manifest.lods.length) {
    throw new MeshFormatError("no such level of detail", {
      path,
      field: "lod",
      expected: `0..${manifest.lods.length - 1}`,
      found: String(lod),
    });
  }
  let offset = 0;
  for (let l = 0; l < lod; l++) offset += manifest.lods[l].sizes.reduce((s, n) => s + n, 0);
  const qmax = 2 ** quantizationBits - 1;
  const pos: number[] = [];
  const idx: number[] = [];
  const { positions, sizes } = manifest.lods[lod];
  for (let f = 0; f < sizes.length; f++) {
    if (offset + sizes[f] > fragments.length) {
      throw new MeshFormatError("fragment data shorter than the manifest says", {
        path,
        field: `lod ${lod} fragment ${f}`,
        expected: `${offset + sizes[f]} bytes`,
        found: `${fragments.length}`,
      });
    }
    const frag = await decodeDraco(fragments.subarray(offset, offset + sizes[f]), path);
    offset += sizes[f];
    const base = pos.length / 3;
    for (let i = 0; i < frag.positions.length; i++) {
      const k = i % 3;
      const scale = manifest.chunkShape[k] * 2 ** lod;
      pos.push(
        manifest.gridOrigin[k] +
          (positions[f][k] + frag.positions[i] / qmax) * scale +
          manifest.vertexOffsets[lod][k],
      );
    }
    for (const v of frag.indices) idx.push(v + base);
  }
  return { positions: Float32Array.from(pos), indices: Uint32Array.from(idx) };
}
