import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { emPhantom } from "@tessera/phantom";
import { describe, expect, it } from "vitest";
import { compactLabels } from "../compact-labels.js";
import { InvalidLabelsError, LabelNotFoundError } from "../errors.js";
import type { LabelArray } from "../label-array.js";
import {
  type MarchingCubesOptions,
  marchingCubes,
  marchReference,
  planMarchingCubes,
} from "../marching-cubes.js";
import type { Mesh } from "../mesh.js";
import { type MarchKernel, returnKernel, takeKernel } from "./mc-wasm.js";
import { MC_WASM_SOURCE_SHA256 } from "./mc-wasm-binary.js";

type Shape = [number, number, number];

/** A kernel for `use`, handed back afterwards. */
function withKernel<T>(use: (kernel: MarchKernel) => T): T {
  const kernel = takeKernel();
  if (kernel === undefined) throw new Error("no WebAssembly kernel");
  try {
    return use(kernel);
  } finally {
    returnKernel(kernel);
  }
}

/**
 * The WebAssembly kernel's meshes by label id (checking that the kernel, not a fallback, ran):
 * labels compacted by the kernel as `marchingCubes` does, or (`tsCompaction`) by `compactLabels`
 * into the kernel's grid; `cellsPerCall` small makes the march run in many slices.
 */
function viaKernel(
  labels: ArrayLike<number | bigint>,
  shape: Shape,
  options: MarchingCubesOptions = {},
  share?: { owner: (k: number) => number; me: number },
  how: { tsCompaction?: boolean; cellsPerCall?: number } = {},
): Map<number, Mesh> {
  return withKernel((kernel) => {
    let compacted = 0;
    const compact: typeof kernel.compact = (...args) => {
      const got = kernel.compact(...args);
      if (got !== undefined) compacted++;
      return got;
    };
    const plan = planMarchingCubes(labels, shape, options, {
      compact: how.tsCompaction ? undefined : compact,
      allocate: kernel.grid,
    });
    expect(compacted).toBe(how.tsCompaction ? 0 : 1);
    expect(kernel.holds(plan.cid)).toBe(true);
    const owner = share ? Uint8Array.from(plan.ids, (_, k) => share.owner(k)) : null;
    const cellsPerCall = kernel.cellsPerCall;
    kernel.cellsPerCall = how.cellsPerCall ?? cellsPerCall;
    try {
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
      kernel.cellsPerCall = cellsPerCall;
    }
  });
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
    for (const opts of options) {
      const want = reference(labels, shape, opts);
      expectSame(viaKernel(labels, shape, opts), want);
      expectSame(viaKernel(labels, shape, opts, undefined, { tsCompaction: true }), want);
      // one layer of cells per call into the kernel
      expectSame(viaKernel(labels, shape, opts, undefined, { cellsPerCall: 1 }), want);
    }
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
    const want = reference(many, shape);
    expectSame(viaKernel(many, shape), want);
    expectSame(viaKernel(many, shape, {}, undefined, { cellsPerCall: 1 }), want);
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

describe("WebAssembly label compaction", () => {
  type Vec3 = [number, number, number];

  /** The kernel's compaction and compactLabels side by side: the same grid, ids and runs. */
  function compare(
    data: LabelArray,
    shape: Shape,
    pad: Vec3 = [1, 1, 1],
    high: Vec3 = [1, 1, 1],
    wanted?: number[],
  ) {
    const padded: Vec3 = [0, 1, 2].map((k) => shape[k] + pad[k] + high[k]) as Vec3;
    const want = compactLabels(data, shape, pad, padded, wanted);
    return withKernel((kernel) => {
      const got = kernel.compact(data, shape, pad, padded, wanted);
      if (got === undefined) throw new Error("the kernel did not compact");
      expect(kernel.holds(got.cid)).toBe(true);
      expect(got.cid.constructor).toBe(want.cid.constructor);
      expect(got.ids).toEqual(want.ids);
      expect(Array.from(got.runs.subarray(0, got.ids.length))).toEqual(
        Array.from(want.runs.subarray(0, want.ids.length)),
      );
      // the grid as one buffer: every point, the padding included
      expect(
        Buffer.from(got.cid.buffer, got.cid.byteOffset, got.cid.byteLength).equals(
          Buffer.from(want.cid.buffer, want.cid.byteOffset, want.cid.byteLength),
        ),
      ).toBe(true);
      return got;
    });
  }

  /** Seeded runs of labels drawn from `values` (runs of 1 to 40 along x, as in segmentations). */
  function runs(n: number, values: readonly (number | bigint)[], seed: number): (number | bigint)[] {
    let s = seed >>> 0;
    const next = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s >>> 8;
    };
    const out: (number | bigint)[] = [];
    while (out.length < n) {
      const v = values[next() % values.length];
      for (let k = 1 + (next() % 40); k > 0 && out.length < n; k--) out.push(v);
    }
    return out;
  }

  const shape: Shape = [5, 7, 61];
  const n = shape[0] * shape[1] * shape[2];

  it("numbers labels and pads exactly as compactLabels, for every integer dtype", () => {
    compare(Uint8Array.from(runs(n, [0, 1, 7, 255, 128], 1) as number[]), shape);
    compare(Uint16Array.from(runs(n, [0, 3, 65535, 40000, 256], 2) as number[]), shape);
    compare(Int8Array.from(runs(n, [0, -1, -128, 127, 5], 3) as number[]), shape);
    compare(Int16Array.from(runs(n, [0, -1, -32768, 5, 255], 4) as number[]), shape);
    compare(Int32Array.from(runs(n, [0, -7, 2 ** 31 - 1, -(2 ** 31), 12], 5) as number[]), shape);
    compare(Uint32Array.from(runs(n, [0, 5, 2 ** 24, 2 ** 32 - 1, 70000], 6) as number[]), shape);
    const big = [0n, 1n, 2n ** 40n, 2n ** 52n + 1n, 2n ** 32n + 5n, 5n];
    compare(BigUint64Array.from(runs(n, big, 7) as bigint[]), shape);
    compare(
      BigInt64Array.from(
        runs(
          n,
          big.map((v) => -v),
          8,
        ) as bigint[],
      ),
      shape,
    );
    compare(BigInt64Array.from(runs(n, [...big, -3n], 9) as bigint[]), shape);
  });

  it("pads any faces (open or closed) and handles one-voxel and one-row volumes", () => {
    const data = Uint32Array.from(runs(n, [0, 4, 9, 2 ** 30], 10) as number[]);
    compare(data, shape, [0, 1, 0], [1, 0, 1]);
    compare(data, shape, [0, 0, 0], [0, 0, 0]);
    compare(data, shape, [1, 0, 1], [0, 1, 0]);
    compare(Uint32Array.of(7), [1, 1, 1]);
    compare(Uint16Array.from(runs(33, [0, 1, 2], 11) as number[]), [1, 1, 33], [0, 0, 0], [0, 0, 0]);
  });

  it("streams rows across many slabs: long rows, and many rows per slab", () => {
    const long: Shape = [2, 3, 70001]; // one row (280 kB) more than a slab
    compare(Uint32Array.from(runs(2 * 3 * 70001, [0, 1, 2, 3, 9], 12) as number[]), long);
    const many: Shape = [40, 30, 1001]; // 8 kB rows: 32 to a slab, the last slab partial
    compare(BigUint64Array.from(runs(40 * 30 * 1001, [0n, 1n, 2n, 5n], 13) as bigint[]), many);
  });

  it("keeps only the wanted labels, raising what compactLabels raises", () => {
    const data = Int16Array.from(runs(n, [0, -1, 4, 9, 255, 300], 14) as number[]);
    const got = compare(data, shape, [1, 1, 1], [1, 1, 1], [9, 255]);
    expect(new Set(got.ids)).toEqual(new Set([0, 9, 255]));
    // 255 is not the bits of -1 in an 8-bit array; 300 does not fit in one
    const bytes = Int8Array.from(runs(n, [0, -1, 4, 9], 15) as number[]);
    const padded: Vec3 = [7, 9, 63];
    withKernel((kernel) => {
      expect(() => kernel.compact(bytes, shape, [1, 1, 1], padded, [9, 255])).toThrow(LabelNotFoundError);
      expect(() => kernel.compact(bytes, shape, [1, 1, 1], padded, [300])).toThrow(/found: 300/);
      expect(() => kernel.compact(bytes, shape, [1, 1, 1], padded, [0])).toThrow(InvalidLabelsError);
      expect(() => kernel.compact(bytes, shape, [1, 1, 1], padded, [1.5])).toThrow(InvalidLabelsError);
    });
    expect(() => compactLabels(bytes, shape, [1, 1, 1], padded, [9, 255])).toThrow(LabelNotFoundError);
    // none wanted: all background (a block that holds none of the labels asked for)
    const none = compare(data, shape, [1, 1, 1], [1, 1, 1], []);
    expect(none.ids).toEqual([0]);
    expect(none.cid.every((v) => v === 0)).toBe(true);
  });

  it("switches to a 32-bit grid past 65535 labels", () => {
    const few = compare(
      Uint32Array.from({ length: 65535 }, (_, i) => i + 1),
      [1, 1, 65535],
    );
    expect(few.cid).toBeInstanceOf(Uint16Array);
    const many = compare(
      Uint32Array.from({ length: 2 * 3 * 11000 }, (_, i) => 3 * i + 1),
      [2, 3, 11000],
    );
    expect(many.cid).toBeInstanceOf(Uint32Array);
    expect(many.ids.length).toBe(66001);
    const wide = compare(
      BigUint64Array.from({ length: 2 * 3 * 12000 }, (_, i) => BigInt(i % 50 === 0 ? 0 : 2 ** 40 + i)),
      [2, 3, 12000],
    );
    expect(wide.cid).toBeInstanceOf(Uint32Array);
    expect(wide.ids.length).toBeGreaterThan(65536);
  });

  it("leaves 64-bit labels at or beyond 2^53 to compactLabels (JavaScript numbers merge them)", () => {
    const big = BigUint64Array.from([0n, 2n ** 53n, 2n ** 53n + 1n, 3n]);
    withKernel((kernel) => {
      expect(kernel.compact(big, [1, 1, 4], [0, 0, 0], [1, 1, 4], undefined)).toBeUndefined();
      expect(kernel.compact(big, [1, 1, 4], [0, 0, 0], [1, 1, 4], [2 ** 53])).toBeUndefined();
      expect(kernel.compact(big, [1, 1, 4], [0, 0, 0], [1, 1, 4], [3])?.ids).toEqual([0, 3]);
    });
    // marchingCubes still meshes them, through compactLabels
    expect([...marchingCubes(big, [1, 1, 4]).keys()]).toEqual([3, 2 ** 53]);
  });
});
