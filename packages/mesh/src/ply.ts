import { MeshFormatError } from "./errors.js";
import type { Mesh } from "./mesh.js";

/** Encode a mesh as binary little-endian PLY (`float x,y,z`; `list uchar uint vertex_indices`). */
export function encodePly(mesh: Mesh): Uint8Array {
  const nv = mesh.positions.length / 3;
  const nf = mesh.indices.length / 3;
  const header = new TextEncoder().encode(
    "ply\nformat binary_little_endian 1.0\ncomment written by @tessera/mesh, units nm\n" +
      `element vertex ${nv}\nproperty float x\nproperty float y\nproperty float z\n` +
      `element face ${nf}\nproperty list uchar uint vertex_indices\nend_header\n`,
  );
  const out = new Uint8Array(header.length + nv * 12 + nf * 13);
  out.set(header);
  const dv = new DataView(out.buffer);
  let o = header.length;
  for (let i = 0; i < nv * 3; i++, o += 4) dv.setFloat32(o, mesh.positions[i], true);
  for (let f = 0; f < nf; f++) {
    out[o++] = 3;
    for (let k = 0; k < 3; k++, o += 4) dv.setUint32(o, mesh.indices[f * 3 + k], true);
  }
  return out;
}

const SIZES: Record<string, number> = {
  char: 1,
  uchar: 1,
  int8: 1,
  uint8: 1,
  short: 2,
  ushort: 2,
  int16: 2,
  uint16: 2,
  int: 4,
  uint: 4,
  int32: 4,
  uint32: 4,
  float: 4,
  float32: 4,
  double: 8,
  float64: 8,
};

function readScalar(dv: DataView, o: number, type: string): number {
  switch (type) {
    case "char":
    case "int8":
      return dv.getInt8(o);
    case "uchar":
    case "uint8":
      return dv.getUint8(o);
    case "short":
    case "int16":
      return dv.getInt16(o, true);
    case "ushort":
    case "uint16":
      return dv.getUint16(o, true);
    case "int":
    case "int32":
      return dv.getInt32(o, true);
    case "uint":
    case "uint32":
      return dv.getUint32(o, true);
    case "float":
    case "float32":
      return dv.getFloat32(o, true);
    default:
      return dv.getFloat64(o, true);
  }
}

/**
 * Decode a binary little-endian PLY with a `vertex` element (x, y, z plus any other scalar
 * properties, ignored) and a triangular `face` element. Other PLY flavours raise
 * {@link MeshFormatError}.
 */
export function decodePly(bytes: Uint8Array, path?: string): Mesh {
  const headText = new TextDecoder("latin1").decode(bytes.subarray(0, Math.min(bytes.length, 4096)));
  const end = headText.indexOf("end_header\n");
  if (!headText.startsWith("ply\n") || end < 0) {
    throw new MeshFormatError("not a PLY file", {
      path,
      field: "header",
      expected: "ply ... end_header",
      found: JSON.stringify(headText.slice(0, 20)),
    });
  }
  const lines = headText.slice(0, end).split("\n");
  const format = lines.find((l) => l.startsWith("format "));
  if (format !== "format binary_little_endian 1.0") {
    throw new MeshFormatError("unsupported PLY format", {
      path,
      field: "format",
      expected: "binary_little_endian 1.0",
      found: format ?? "none",
    });
  }
  type Element = {
    name: string;
    count: number;
    props: { name: string; type: string; list?: [string, string] }[];
  };
  const elements: Element[] = [];
  for (const l of lines) {
    const w = l.trim().split(/\s+/);
    if (w[0] === "element") elements.push({ name: w[1], count: Number(w[2]), props: [] });
    else if (w[0] === "property") {
      const el = elements[elements.length - 1];
      if (w[1] === "list") el.props.push({ name: w[4], type: w[3], list: [w[2], w[3]] });
      else el.props.push({ name: w[2], type: w[1] });
    }
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let o = end + "end_header\n".length;
  let positions = new Float32Array(0);
  let indices = new Uint32Array(0);
  for (const el of elements) {
    if (el.name === "vertex") positions = new Float32Array(el.count * 3);
    if (el.name === "face") indices = new Uint32Array(el.count * 3);
    const axis = el.props.map((p) => ["x", "y", "z"].indexOf(p.name));
    for (let i = 0; i < el.count; i++) {
      for (let k = 0; k < el.props.length; k++) {
        const prop = el.props[k];
        if (o >= bytes.length)
          throw new MeshFormatError("PLY file is truncated", {
            path,
            field: el.name,
            expected: `${el.count} ${el.name} records`,
            found: `${i}`,
          });
        if (prop.list) {
          const n = readScalar(dv, o, prop.list[0]);
          o += SIZES[prop.list[0]];
          if (el.name === "face" && n !== 3)
            throw new MeshFormatError("PLY face is not a triangle", {
              path,
              field: `face ${i}`,
              expected: "3 vertices",
              found: String(n),
            });
          for (let j = 0; j < n; j++) {
            if (el.name === "face") indices[i * 3 + j] = readScalar(dv, o, prop.list[1]);
            o += SIZES[prop.list[1]];
          }
        } else {
          if (el.name === "vertex" && axis[k] >= 0) positions[i * 3 + axis[k]] = readScalar(dv, o, prop.type);
          o += SIZES[prop.type] ?? 0;
        }
      }
    }
  }
  return { positions, indices };
}
