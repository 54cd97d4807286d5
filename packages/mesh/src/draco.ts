/// <reference path="./draco3d.d.ts" />
import draco3d from "draco3d";
import { MeshFormatError, MeshWriteError } from "./errors.js";

// biome-ignore lint/suspicious/noExplicitAny: emscripten modules are untyped
let encoderModule: Promise<any> | undefined;
// biome-ignore lint/suspicious/noExplicitAny: emscripten modules are untyped
let decoderModule: Promise<any> | undefined;

/** A Draco fragment: integer vertex positions (x,y,z interleaved) and triangle indices. */
export interface IntegerMesh {
  positions: Uint32Array;
  indices: Uint32Array;
}

/**
 * Encode a mesh with integer positions as a Draco triangular mesh with a 3-component int32
 * POSITION attribute and no Draco quantization (as Neuroglancer's multi-resolution format asks).
 */
export async function encodeDraco(mesh: IntegerMesh): Promise<Uint8Array> {
  encoderModule ??= draco3d.createEncoderModule({});
  const m = await encoderModule;
  const encoder = new m.Encoder();
  const builder = new m.MeshBuilder();
  const dmesh = new m.Mesh();
  const buffer = new m.DracoInt8Array();
  try {
    const nv = mesh.positions.length / 3;
    builder.AddFacesToMesh(dmesh, mesh.indices.length / 3, mesh.indices);
    builder.AddInt32AttributeToMesh(
      dmesh,
      m.POSITION,
      nv,
      3,
      new Int32Array(mesh.positions.buffer, mesh.positions.byteOffset, mesh.positions.length),
    );
    encoder.SetSpeedOptions(5, 5);
    encoder.SetEncodingMethod(m.MESH_EDGEBREAKER_ENCODING);
    const len = encoder.EncodeMeshToDracoBuffer(dmesh, buffer);
    if (!(len > 0))
      throw new MeshWriteError("Draco encoding failed", {
        field: "fragment",
        expected: "encoded bytes",
        found: `${len}`,
      });
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = buffer.GetValue(i) & 0xff;
    return out;
  } finally {
    m.destroy(buffer);
    m.destroy(dmesh);
    m.destroy(builder);
    m.destroy(encoder);
  }
}

/** Decode a Draco triangular mesh with an integer POSITION attribute. */
export async function decodeDraco(bytes: Uint8Array, path?: string): Promise<IntegerMesh> {
  decoderModule ??= draco3d.createDecoderModule({});
  const m = await decoderModule;
  const decoder = new m.Decoder();
  const buffer = new m.DecoderBuffer();
  const dmesh = new m.Mesh();
  try {
    buffer.Init(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), bytes.byteLength);
    const status = decoder.DecodeBufferToMesh(buffer, dmesh);
    if (!status.ok())
      throw new MeshFormatError("not a Draco mesh", {
        path,
        field: "fragment",
        expected: "Draco triangular mesh",
        found: status.error_msg(),
      });
    const nf = dmesh.num_faces();
    const np = dmesh.num_points();
    const attrId = decoder.GetAttributeId(dmesh, m.POSITION);
    if (attrId < 0)
      throw new MeshFormatError("Draco mesh has no POSITION attribute", {
        path,
        field: "POSITION",
        expected: "present",
        found: "absent",
      });
    const attr = decoder.GetAttribute(dmesh, attrId);
    const arr = new m.DracoInt32Array();
    decoder.GetAttributeInt32ForAllPoints(dmesh, attr, arr);
    const positions = new Uint32Array(np * 3);
    for (let i = 0; i < np * 3; i++) positions[i] = arr.GetValue(i);
    m.destroy(arr);
    const face = new m.DracoInt32Array();
    const indices = new Uint32Array(nf * 3);
    for (let f = 0; f < nf; f++) {
      decoder.GetFaceFromMesh(dmesh, f, face);
      indices[f * 3] = face.GetValue(0);
      indices[f * 3 + 1] = face.GetValue(1);
      indices[f * 3 + 2] = face.GetValue(2);
    }
    m.destroy(face);
    return { positions, indices };
  } finally {
    m.destroy(dmesh);
    m.destroy(buffer);
    m.destroy(decoder);
  }
}
