import { MeshFormatError } from "./errors.js";
import type { Mesh } from "./mesh.js";

/** Encode a legacy Neuroglancer fragment: u32 vertex count, f32 x,y,z per vertex, u32 triangle indices. */
export function encodeLegacyFragment(mesh: Mesh): Uint8Array {
  const nv = mesh.positions.length / 3;
  const out = new Uint8Array(4 + nv * 12 + mesh.indices.length * 4);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, nv, true);
  let o = 4;
  for (let i = 0; i < nv * 3; i++, o += 4) dv.setFloat32(o, mesh.positions[i], true);
  for (let i = 0; i < mesh.indices.length; i++, o += 4) dv.setUint32(o, mesh.indices[i], true);
  return out;
}

/** Decode a legacy Neuroglancer fragment; the size must leave a whole number of triangles. */
export function decodeLegacyFragment(bytes: Uint8Array, path?: string): Mesh {
  if (bytes.length < 4)
    throw new MeshFormatError("legacy fragment too short", {
      path,
      field: "num_vertices",
      expected: "4 bytes",
      found: `${bytes.length}`,
    });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nv = dv.getUint32(0, true);
  const rest = bytes.length - 4 - nv * 12;
  if (rest < 0 || rest % 12 !== 0) {
    throw new MeshFormatError("legacy fragment size does not match its vertex count", {
      path,
      field: "size",
      expected: `4 + 12·${nv} + 12·k bytes`,
      found: `${bytes.length}`,
    });
  }
  const positions = new Float32Array(nv * 3);
  for (let i = 0; i < nv * 3; i++) positions[i] = dv.getFloat32(4 + i * 4, true);
  const indices = new Uint32Array(rest / 4);
  for (let i = 0; i < indices.length; i++) {
    const v = dv.getUint32(4 + nv * 12 + i * 4, true);
    if (v >= nv)
      throw new MeshFormatError("legacy fragment index out of range", {
        path,
        field: `index ${i}`,
        expected: `< ${nv}`,
        found: String(v),
      });
    indices[i] = v;
  }
  return { positions, indices };
}
