import { MeshFormatError } from "./errors.js";
import { type Mesh, meshBounds, vertexNormals } from "./mesh.js";

const MAGIC = 0x46546c67; // "glTF"
const JSON_CHUNK = 0x4e4f534a;
const BIN_CHUNK = 0x004e4942;

/** One named mesh of a GLB scene. */
export interface NamedMesh {
  /** Node name (e.g. the segment id). */
  name: string;
  /** The mesh. */
  mesh: Mesh;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * Encode meshes as a glTF 2.0 binary (GLB): one node per mesh (named), positions (with min/max),
 * vertex normals and uint32 indices in a single buffer. Units are those of the positions (nm);
 * the node names carry the segment ids.
 */
export function encodeGlb(meshes: NamedMesh[]): Uint8Array {
  const views: object[] = [];
  const accessors: object[] = [];
  const gltfMeshes: object[] = [];
  const nodes: object[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const addView = (data: Uint8Array, target: number) => {
    views.push({ buffer: 0, byteOffset: offset, byteLength: data.byteLength, target });
    chunks.push(data);
    const padded = pad4(data.byteLength);
    if (padded > data.byteLength) chunks.push(new Uint8Array(padded - data.byteLength));
    offset += padded;
    return views.length - 1;
  };
  for (const { name, mesh } of meshes) {
    const nv = mesh.positions.length / 3;
    const { min, max } = meshBounds(mesh);
    const normals = vertexNormals(mesh);
    const pv = addView(
      new Uint8Array(mesh.positions.buffer, mesh.positions.byteOffset, mesh.positions.byteLength),
      34962,
    );
    const nvw = addView(new Uint8Array(normals.buffer), 34962);
    const iv = addView(
      new Uint8Array(mesh.indices.buffer, mesh.indices.byteOffset, mesh.indices.byteLength),
      34963,
    );
    accessors.push({ bufferView: pv, componentType: 5126, count: nv, type: "VEC3", min, max });
    accessors.push({ bufferView: nvw, componentType: 5126, count: nv, type: "VEC3" });
    accessors.push({ bufferView: iv, componentType: 5125, count: mesh.indices.length, type: "SCALAR" });
    const a = accessors.length;
    gltfMeshes.push({
      name,
      primitives: [{ attributes: { POSITION: a - 3, NORMAL: a - 2 }, indices: a - 1, mode: 4 }],
    });
    nodes.push({ name, mesh: gltfMeshes.length - 1 });
  }
  const gltf = {
    asset: { version: "2.0", generator: "@tessera/mesh" },
    scene: 0,
    scenes: [{ nodes: nodes.map((_, i) => i) }],
    nodes,
    meshes: gltfMeshes,
    accessors,
    bufferViews: views,
    buffers: [{ byteLength: offset }],
  };
  let json = new TextEncoder().encode(JSON.stringify(gltf));
  const jsonPadded = new Uint8Array(pad4(json.length)).fill(0x20);
  jsonPadded.set(json);
  json = jsonPadded;
  const total = 12 + 8 + json.length + 8 + offset;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, 2, true);
  dv.setUint32(8, total, true);
  dv.setUint32(12, json.length, true);
  dv.setUint32(16, JSON_CHUNK, true);
  out.set(json, 20);
  let o = 20 + json.length;
  dv.setUint32(o, offset, true);
  dv.setUint32(o + 4, BIN_CHUNK, true);
  o += 8;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

interface Accessor {
  bufferView: number;
  byteOffset?: number;
  componentType: number;
  count: number;
  type: string;
}

/**
 * Decode a GLB written by {@link encodeGlb} or any glTF 2.0 binary whose triangle primitives use
 * float32 positions and uint8/16/32 indices in the embedded buffer (node transforms are ignored).
 */
export function decodeGlb(bytes: Uint8Array, path?: string): NamedMesh[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 20 || dv.getUint32(0, true) !== MAGIC) {
    throw new MeshFormatError("not a GLB file", {
      path,
      field: "magic",
      expected: "glTF",
      found: new TextDecoder().decode(bytes.subarray(0, 4)),
    });
  }
  if (dv.getUint32(4, true) !== 2)
    throw new MeshFormatError("unsupported glTF version", {
      path,
      field: "version",
      expected: "2",
      found: String(dv.getUint32(4, true)),
    });
  const jsonLen = dv.getUint32(12, true);
  const gltf = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLen)));
  let bin: Uint8Array = new Uint8Array(0);
  const o = 20 + jsonLen;
  if (o + 8 <= bytes.length && dv.getUint32(o + 4, true) === BIN_CHUNK)
    bin = bytes.subarray(o + 8, o + 8 + dv.getUint32(o, true));
  const read = (index: number): Float32Array | Uint32Array => {
    const acc = gltf.accessors[index] as Accessor;
    const view = gltf.bufferViews[acc.bufferView];
    const start = (view.byteOffset ?? 0) + (acc.byteOffset ?? 0);
    const comps = acc.type === "VEC3" ? 3 : 1;
    const n = acc.count * comps;
    const slice = bin.slice(
      start,
      start + n * (acc.componentType === 5121 ? 1 : acc.componentType === 5123 ? 2 : 4),
    );
    switch (acc.componentType) {
      case 5126:
        return new Float32Array(slice.buffer, 0, n);
      case 5125:
        return new Uint32Array(slice.buffer, 0, n);
      case 5123:
        return Uint32Array.from(new Uint16Array(slice.buffer, 0, n));
      case 5121:
        return Uint32Array.from(slice);
      default:
        throw new MeshFormatError("unsupported accessor type", {
          path,
          field: `accessors[${index}].componentType`,
          expected: "5121, 5123, 5125 or 5126",
          found: String(acc.componentType),
        });
    }
  };
  const out: NamedMesh[] = [];
  const nodes: { name?: string; mesh?: number }[] = gltf.nodes ?? [];
  for (const node of nodes) {
    if (node.mesh === undefined) continue;
    const m = gltf.meshes[node.mesh];
    for (const prim of m.primitives) {
      if ((prim.mode ?? 4) !== 4) continue;
      const positions = read(prim.attributes.POSITION) as Float32Array;
      const indices =
        prim.indices === undefined
          ? Uint32Array.from({ length: positions.length / 3 }, (_, i) => i)
          : (read(prim.indices) as Uint32Array);
      out.push({ name: node.name ?? m.name ?? String(out.length), mesh: { positions, indices } });
    }
  }
  return out;
}
