import { emPhantom } from "@tessera/phantom";
import { describe, expect, it } from "vitest";
import { MeshFormatError } from "./errors.js";
import { decodeGlb, encodeGlb } from "./glb.js";
import { decodeLegacyFragment, encodeLegacyFragment } from "./legacy.js";
import { marchingCubes } from "./marching-cubes.js";
import type { Mesh } from "./mesh.js";
import { decodeObj, encodeObj } from "./obj.js";
import { decodePly, encodePly } from "./ply.js";

const shape: [number, number, number] = [12, 24, 24];
const { labels } = emPhantom({ shape, resolutionNm: [40, 8, 8], seed: 4 });
const meshes = marchingCubes(labels, shape, { resolutionNm: [40, 8, 8] });
const first = [...meshes.values()][0];

function expectSame(a: Mesh, b: Mesh) {
  expect(b.positions.length).toBe(a.positions.length);
  expect([...b.indices]).toEqual([...a.indices]);
  for (let i = 0; i < a.positions.length; i++) expect(b.positions[i]).toBeCloseTo(a.positions[i], 4);
}

const tri: Mesh = {
  positions: Float32Array.from([0, 0, 0, 1.5, 0, 0, 0, 2.25, -3]),
  indices: Uint32Array.from([0, 1, 2]),
};

describe("PLY", () => {
  it("round-trips a phantom mesh", () => expectSame(first, decodePly(encodePly(first))));
  it("lays out a triangle as header + 3×12 vertex bytes + (1 + 12) face bytes", () => {
    const bytes = encodePly(tri);
    const text = new TextDecoder("latin1").decode(bytes);
    const body = bytes.subarray(text.indexOf("end_header\n") + 11);
    expect(text).toContain("element vertex 3\n");
    expect(text).toContain("property list uchar uint vertex_indices\n");
    expect(body.length).toBe(36 + 13);
    const dv = new DataView(body.buffer, body.byteOffset);
    expect(dv.getFloat32(12, true)).toBe(1.5);
    expect(dv.getFloat32(28, true)).toBe(2.25);
    expect(dv.getFloat32(32, true)).toBe(-3);
    expect(body[36]).toBe(3);
    expect(dv.getUint32(37 + 8, true)).toBe(2);
  });
  it("rejects ASCII PLY and garbage", () => {
    expect(() => decodePly(new TextEncoder().encode("ply\nformat ascii 1.0\nend_header\n"))).toThrow(
      MeshFormatError,
    );
    expect(() => decodePly(new TextEncoder().encode("hello"))).toThrow(/not a PLY/);
  });
});

describe("OBJ", () => {
  it("round-trips a phantom mesh", () => expectSame(first, decodeObj(encodeObj(first))));
  it("reads 1-based, negative and v/vt/vn face indices and fans quads", () => {
    const m = decodeObj("v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nf 1/1/1 2/2/2 3/3/3 4/4/4\nf -4 -2 -1\n");
    expect([...m.indices]).toEqual([0, 1, 2, 0, 2, 3, 0, 2, 3]);
    expect(() => decodeObj("v 0 0 0\nf 1 2 3\n")).toThrow(/face index/);
  });
});

describe("GLB", () => {
  it("round-trips several named meshes", () => {
    const named = [...meshes].slice(0, 3).map(([id, mesh]) => ({ name: String(id), mesh }));
    const back = decodeGlb(encodeGlb(named));
    expect(back.map((m) => m.name)).toEqual(named.map((m) => m.name));
    back.forEach((m, i) => {
      expectSame(named[i].mesh, m.mesh);
    });
  });
  it("writes the glTF 2.0 binary header and 4-byte aligned JSON and BIN chunks", () => {
    const bytes = encodeGlb([{ name: "7", mesh: tri }]);
    const dv = new DataView(bytes.buffer);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe("glTF");
    expect(dv.getUint32(4, true)).toBe(2);
    expect(dv.getUint32(8, true)).toBe(bytes.length);
    const jsonLen = dv.getUint32(12, true);
    expect(jsonLen % 4).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(16, 20))).toBe("JSON");
    expect(new TextDecoder().decode(bytes.subarray(20 + jsonLen + 4, 20 + jsonLen + 7))).toBe("BIN");
    const gltf = JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + jsonLen)));
    expect(gltf.asset.version).toBe("2.0");
    expect(gltf.accessors[0].min).toEqual([0, 0, -3]);
    expect(gltf.accessors[0].max).toEqual([1.5, 2.25, 0]);
    expect(gltf.accessors[2]).toMatchObject({ componentType: 5125, count: 3, type: "SCALAR" });
  });
  it("rejects non-GLB bytes", () => expect(() => decodeGlb(new Uint8Array(24))).toThrow(MeshFormatError));
});

describe("Neuroglancer legacy fragment", () => {
  it("matches the hand-built layout: u32 count, f32 xyz, u32 indices", () => {
    const expected = new DataView(new ArrayBuffer(4 + 36 + 12));
    expected.setUint32(0, 3, true);
    [0, 0, 0, 1.5, 0, 0, 0, 2.25, -3].forEach((v, i) => {
      expected.setFloat32(4 + i * 4, v, true);
    });
    [0, 1, 2].forEach((v, i) => {
      expected.setUint32(40 + i * 4, v, true);
    });
    expect([...encodeLegacyFragment(tri)]).toEqual([...new Uint8Array(expected.buffer)]);
    expectSame(first, decodeLegacyFragment(encodeLegacyFragment(first)));
  });
  it("rejects a size that is not 4 + 12·n + 12·k", () => {
    expect(() => decodeLegacyFragment(encodeLegacyFragment(tri).subarray(0, 50))).toThrow(/size/);
  });
});
