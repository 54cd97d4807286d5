import { emPhantom } from "@tessera/phantom";
import { describe, expect, it } from "vitest";
import { InvalidLabelsError, LabelNotFoundError } from "./errors.js";
import { marchingCubes } from "./marching-cubes.js";
import { enclosedVolume, meshTopology } from "./topology.js";

function ball(n: number, r2: number, label = 1): Uint32Array {
  const out = new Uint32Array(n * n * n);
  const c = (n - 1) / 2;
  for (let z = 0; z < n; z++)
    for (let y = 0; y < n; y++)
      for (let x = 0; x < n; x++)
        if ((x - c) ** 2 + (y - c) ** 2 + (z - c) ** 2 < r2) out[(z * n + y) * n + x] = label;
  return out;
}

function count(labels: ArrayLike<number>, id: number): number {
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === id) n++;
  return n;
}

function expectClosed(mesh: ReturnType<typeof marchingCubes> extends Map<number, infer M> ? M : never) {
  const t = meshTopology(mesh);
  expect(t.boundaryEdges).toBe(0);
  expect(t.nonManifoldEdges).toBe(0);
  expect(t.misorientedEdges).toBe(0);
  expect(t.degenerateFaces).toBe(0);
  expect(t.vertices).toBe(mesh.positions.length / 3);
  return t;
}

describe("marchingCubes", () => {
  it("meshes a single voxel as a closed octahedron with the voxel's volume/6 scaled by resolution", () => {
    const labels = new Uint8Array(27);
    labels[13] = 5;
    const mesh = marchingCubes(labels, [3, 3, 3], { resolutionNm: [4, 2, 3] }).get(5);
    expect(mesh).toBeDefined();
    if (!mesh) return;
    const t = expectClosed(mesh);
    expect(t.vertices).toBe(6);
    expect(t.faces).toBe(8);
    expect(t.euler).toBe(2);
    // octahedron with half-diagonals r/2 along each axis: volume = (4/3) * (3/2)(2/2)(4/2)
    expect(enclosedVolume(mesh)).toBeCloseTo((4 / 3) * 1.5 * 1 * 2, 5);
  });

  it("makes a ball a closed sphere (Euler 2) whose volume matches the voxel count", () => {
    const n = 24;
    const labels = ball(n, 80);
    const mesh = marchingCubes(labels, [n, n, n], { resolutionNm: [40, 4, 4] }).get(1);
    if (!mesh) throw new Error("no mesh");
    const t = expectClosed(mesh);
    expect(t.euler).toBe(2);
    const voxelVolume = count(labels, 1) * 40 * 4 * 4;
    expect(Math.abs(enclosedVolume(mesh) - voxelVolume) / voxelVolume).toBeLessThan(0.08);
  });

  it("makes a torus Euler 0 and closes objects cut by the volume border", () => {
    const n = 20;
    const labels = new Uint16Array(n * n * n);
    for (let z = 0; z < n; z++)
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) {
          const rho = Math.hypot(x - 9.5, y - 9.5);
          if ((rho - 6) ** 2 + (z - 9.5) ** 2 < 6) labels[(z * n + y) * n + x] = 2;
          if (x < 2) labels[(z * n + y) * n + x] = 9; // slab touching four faces of the border
        }
    const meshes = marchingCubes(labels, [n, n, n]);
    const torus = meshes.get(2);
    const slab = meshes.get(9);
    if (!torus || !slab) throw new Error("missing meshes");
    expect(expectClosed(torus).euler).toBe(0);
    expect(expectClosed(slab).euler).toBe(2);
    expect(enclosedVolume(slab)).toBeGreaterThan(0);
  });

  it("gives every phantom neuron a closed, outward surface; volumes follow voxel counts", () => {
    const shape: [number, number, number] = [24, 48, 48];
    const { labels } = emPhantom({ shape, resolutionNm: [40, 8, 8], seed: 3 });
    const meshes = marchingCubes(labels, shape, { resolutionNm: [40, 8, 8] });
    const ids = new Set<number>();
    for (const v of labels) if (v !== 0) ids.add(v);
    expect([...meshes.keys()].sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    let meshVolume = 0;
    let voxels = 0;
    for (const [id, mesh] of meshes) {
      expectClosed(mesh);
      const v = enclosedVolume(mesh);
      expect(v).toBeGreaterThan(0);
      meshVolume += v;
      voxels += count(labels, id);
    }
    // A voxel surface through edge midpoints loses about half a voxel layer on the surface;
    // summed over all neurons the mesh volume is a bit below the voxel volume.
    const voxelVolume = voxels * 40 * 8 * 8;
    expect(meshVolume / voxelVolume).toBeGreaterThan(0.6);
    expect(meshVolume / voxelVolume).toBeLessThan(1);
  });

  it("meshes only the requested labels, and the subset equals the full result for them", () => {
    const shape: [number, number, number] = [16, 32, 32];
    const { labels } = emPhantom({ shape, resolutionNm: [8, 8, 8], seed: 5 });
    const all = marchingCubes(labels, shape);
    const some = [...all.keys()].slice(0, 2);
    const sub = marchingCubes(labels, shape, { labels: some });
    expect([...sub.keys()]).toEqual(some);
    for (const id of some) {
      expect(sub.get(id)?.indices.length).toBe(all.get(id)?.indices.length);
      expect(enclosedVolume(sub.get(id) as never)).toBeCloseTo(enclosedVolume(all.get(id) as never), 3);
    }
  });

  it("gives the same meshes whatever the label values and dtype (large, negative, 64-bit)", () => {
    const shape: [number, number, number] = [12, 20, 20];
    const { labels } = emPhantom({ shape, resolutionNm: [8, 8, 8], seed: 9 });
    const ref = marchingCubes(labels, shape);
    const variants: [string, ArrayLike<number | bigint>, (id: number) => number][] = [
      ["uint32 >= 2^24", Uint32Array.from(labels, (v) => (v === 0 ? 0 : v + 2 ** 31)), (id) => id + 2 ** 31],
      ["int32 negative", Int32Array.from(labels, (v) => -v), (id) => -id],
      [
        "uint64 >= 2^40",
        BigUint64Array.from(labels, (v) => (v === 0 ? 0n : BigInt(v) + 2n ** 40n)),
        (id) => id + 2 ** 40,
      ],
    ];
    for (const [name, data, map] of variants) {
      const got = marchingCubes(data, shape);
      expect(got.size, name).toBe(ref.size);
      for (const [id, mesh] of ref) {
        const other = got.get(map(id));
        expect(other, name).toBeDefined();
        expect(Array.from(other?.indices ?? []), name).toEqual(Array.from(mesh.indices));
        expect(Array.from(other?.positions ?? []), name).toEqual(Array.from(mesh.positions));
      }
    }
  });

  it("meshes more than 65535 labels (32-bit compact ids): every voxel its own closed surface", () => {
    const shape: [number, number, number] = [6, 110, 110];
    const labels = Uint32Array.from({ length: 6 * 110 * 110 }, (_, i) => 7 * i + 3);
    const meshes = marchingCubes(labels, shape);
    expect(meshes.size).toBe(labels.length);
    for (const id of [3, 7 * 40000 + 3, 7 * (labels.length - 1) + 3]) {
      const mesh = meshes.get(id);
      if (!mesh) throw new Error(`label ${id} missing`);
      const t = expectClosed(mesh);
      expect(t.vertices).toBe(6); // an octahedron, as for a lone voxel
      expect(t.faces).toBe(8);
    }
  });

  it("rejects float volumes, empty volumes, shape mismatches and absent label ids", () => {
    expect(() => marchingCubes(new Float32Array(8), [2, 2, 2])).toThrow(InvalidLabelsError);
    expect(() => marchingCubes(new Float32Array(8), [2, 2, 2])).toThrow(/found: Float32Array/);
    expect(() => marchingCubes(new Uint32Array(0), [0, 4, 4])).toThrow(/empty/);
    expect(() => marchingCubes(new Uint32Array(7), [2, 2, 2])).toThrow(/length/);
    expect(() => marchingCubes(new Uint32Array(8).fill(3), [2, 2, 2], { labels: [4] })).toThrow(
      LabelNotFoundError,
    );
    expect(marchingCubes(new Uint32Array(8), [2, 2, 2]).size).toBe(0);
  });
});
