import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { emPhantom } from "@tessera/phantom";
import { describe, expect, it } from "vitest";
import {
  type MarchingCubesOptions,
  marchingCubes,
  marchReference,
  planMarchingCubes,
} from "../marching-cubes.js";
import type { Mesh } from "../mesh.js";
import { returnKernel, takeKernel } from "./mc-wasm.js";
import { MC_WASM_SOURCE_SHA256 } from "./mc-wasm-binary.js";

type Shape = [number, number, number];

/** The WebAssembly kernel's meshes by label id (checking that the kernel, not a fallback, ran). */
function viaKernel(
  labels: ArrayLike<number | bigint>,
  shape: Shape,
  options: MarchingCubesOptions = {},
  share?: { owner: (k: number) => number; me: number },
): Map<number, Mesh> {
  const kernel = takeKernel();
  if (kernel === undefined) throw new Error("no WebAssembly kernel");
  try {
    const plan = planMarchingCubes(labels, shape, options, { allocate: kernel.grid });
    expect(kernel.holds(plan.cid)).toBe(true);
    const owner = share ? Uint8Array.from(plan.ids, (_, k) => share.owner(k)) : null;
    const meshes = kernel.march(
      plan.P,
      plan.Q,
      plan.R,
      plan.ids.length,
      plan.origin,
      plan.spacing,
      owner,
      share?.me,
    );
    if (meshes === undefined) throw new Error("kernel ran out of memory");
    const out = new Map<number, Mesh>();
    for (let k = 1; k < plan.ids.length; k++) if (meshes[k] !== undefined) out.set(plan.ids[k], meshes[k]);
    return out;
  } finally {
    returnKernel(kernel);
  }
}

/** The TypeScript path, on a grid allocated in JavaScript. */
function reference(labels: ArrayLike<number | bigint>, shape: Shape, options: MarchingCubesOptions = {}) {
  return marchReference(planMarchingCubes(labels, shape, options));
}

/** Where two arrays first differ ("" when byte-identical). */
function difference(got: Float32Array | Uint32Array, want: Float32Array | Uint32Array): string {
  if (got.length !== want.length) return `length ${got.length}, expected ${want.length}`;
  const a = Buffer.from(got.buffer, got.byteOffset, got.byteLength);
  const b = Buffer.from(want.buffer, want.byteOffset, want.byteLength);
  if (a.equals(b)) return "";
  const i = got.findIndex((v, j) => !Object.is(v, want[j]));
  return `[${i}] = ${got[i]}, expected ${want[i]}`;
}

function expectSame(got: Map<number, Mesh>, want: Map<number, Mesh>): void {
  expect([...got.keys()].sort((a, b) => a - b)).toEqual([...want.keys()].sort((a, b) => a - b));
  const differences: string[] = [];
  let triangles = 0;
  for (const [id, mesh] of want) {
    const other = got.get(id) as Mesh;
    const di = difference(other.indices, mesh.indices);
    const dp = difference(other.positions, mesh.positions);
    if (di !== "") differences.push(`label ${id} indices ${di}`);
    if (dp !== "") differences.push(`label ${id} positions ${dp}`);
    triangles += mesh.indices.length / 3;
  }
  expect(differences.slice(0, 5)).toEqual([]);
  expect(triangles).toBeGreaterThan(0);
}

/** Seeded labels 0..n-1, uniform noise: every corner configuration, many labels per cell. */
function noise(shape: Shape, n: number, seed: number): Uint32Array {
  let s = seed >>> 0;
  return Uint32Array.from({ length: shape[0] * shape[1] * shape[2] }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 16) % n;
  });
}

describe("WebAssembly marching-cubes kernel", () => {
  it("was built from the current wasm/mc.c", () => {
    const source = readFileSync(new URL("../../wasm/mc.c", import.meta.url));
    expect(createHash("sha256").update(source).digest("hex")).toBe(MC_WASM_SOURCE_SHA256);
  });

  it("gives exactly the TypeScript path's meshes on a phantom, closed and open faces", () => {
    const shape: Shape = [24, 48, 48];
    const { labels } = emPhantom({ shape, resolutionNm: [40, 8, 8], seed: 3 });
    const options: MarchingCubesOptions[] = [
      { resolutionNm: [40, 8, 8] },
      {
        resolutionNm: [29.3, 7.7, 4.1],
        offsetVoxels: [5, 0, 11],
        closeLow: [false, true, false],
        closeHigh: [true, false, true],
      },
      { closeLow: [false, false, false], closeHigh: [false, false, false], offsetVoxels: [0.5, 3, 7] },
    ];
    for (const opts of options) expectSame(viaKernel(labels, shape, opts), reference(labels, shape, opts));
  });

  it("matches on noise (several labels per cell, every configuration) and on thin or narrow grids", () => {
    for (const [shape, n, seed] of [
      [[20, 23, 29], 6, 1],
      [[9, 17, 40], 2, 2],
      [[7, 5, 3], 4, 3],
      [[3, 2, 9], 3, 4],
      [[1, 30, 30], 5, 5],
    ] as [Shape, number, number][]) {
      const labels = noise(shape, n, seed);
      expectSame(viaKernel(labels, shape), reference(labels, shape));
      const open = { closeLow: [false, true, false], closeHigh: [true, false, false] } as const;
      if (shape.every((s) => s > 1))
        expectSame(viaKernel(labels, shape, open), reference(labels, shape, open));
    }
  });

  it("matches where label runs end on and next to the kernel's 8- and 4-voxel strides", () => {
    const shape: Shape = [6, 7, 61];
    const labels = new Uint16Array(shape[0] * shape[1] * shape[2]);
    for (let z = 0; z < shape[0]; z++)
      for (let y = 0; y < shape[1]; y++)
        for (let x = 0; x < shape[2]; x++)
          labels[(z * shape[1] + y) * shape[2] + x] =
            (x >> 3) + (x === 17 + z + y ? 40 : 0) + (z > 3 ? 7 : 1);
    expectSame(viaKernel(labels, shape), reference(labels, shape));
  });

  it("matches with more than 65535 labels (32-bit grid) and 64-bit label values", () => {
    const shape: Shape = [6, 110, 110];
    const many = Uint32Array.from({ length: 6 * 110 * 110 }, (_, i) => (i % 5 === 0 ? 0 : 7 * i + 3));
    expectSame(viaKernel(many, shape), reference(many, shape));
    const small: Shape = [12, 20, 20];
    const { labels } = emPhantom({ shape: small, resolutionNm: [8, 8, 8], seed: 9 });
    const big = BigUint64Array.from(labels, (v) => (v === 0 ? 0n : BigInt(v) + 2n ** 40n));
    expectSame(viaKernel(big, small), reference(big, small));
  });

  it("meshes only the labels of its share when given owners", () => {
    const shape: Shape = [16, 32, 32];
    const { labels } = emPhantom({ shape, resolutionNm: [8, 8, 8], seed: 5 });
    const all = reference(labels, shape);
    const odd = viaKernel(labels, shape, {}, { owner: (k) => k % 2, me: 1 });
    const plan = planMarchingCubes(labels, shape, {});
    const want = new Map([...all].filter(([id]) => plan.ids.indexOf(id) % 2 === 1));
    expect(want.size).toBeGreaterThan(0);
    expectSame(odd, want);
  });

  it("stays exact when reused for a larger, then a smaller, then a larger grid", () => {
    const big: Shape = [30, 40, 50];
    const small: Shape = [5, 9, 11];
    const a = noise(big, 9, 11);
    const b = noise(small, 3, 12);
    expectSame(viaKernel(a, big), reference(a, big));
    expectSame(viaKernel(b, small), reference(b, small));
    expectSame(viaKernel(a, big), reference(a, big));
  });

  it("is what marchingCubes runs, and its meshes own exactly-sized buffers", () => {
    const shape: Shape = [24, 48, 48];
    const { labels } = emPhantom({ shape, resolutionNm: [40, 8, 8], seed: 13 });
    const got = marchingCubes(labels, shape, { resolutionNm: [40, 8, 8] });
    expectSame(got, reference(labels, shape, { resolutionNm: [40, 8, 8] }));
    for (const mesh of got.values()) {
      expect(mesh.positions.buffer.byteLength).toBe(mesh.positions.byteLength);
      expect(mesh.indices.buffer.byteLength).toBe(mesh.indices.byteLength);
    }
  });
});
