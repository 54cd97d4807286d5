import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { emPhantom } from "@tessera/phantom";
import { tempDir } from "@tessera/testkit";
import { Box, createVolume } from "@tessera/volume";
import { afterAll, describe, expect, it } from "vitest";
import { marchingCubes } from "./marching-cubes.js";
import type { Mesh } from "./mesh.js";
import { bundleSources } from "./test-bundle.js";

// The pool's workers need a JavaScript module: this drives the package's sources, bundled fresh
// for the test with its workers beside it (never a dist that may be older than the sources).
const bundle = await bundleSources();
const built = (await import(bundle.index)) as typeof import("./index.js");
const tmp = tempDir();
afterAll(async () => {
  await built.closeMarchingCubesPool();
  tmp.cleanup();
  bundle.cleanup();
});

function expectSame(got: Map<number, Mesh>, want: Map<number, Mesh>): void {
  expect([...got.keys()]).toEqual([...want.keys()]);
  for (const [id, mesh] of want) {
    const other = got.get(id) as Mesh;
    expect(Array.from(other.indices)).toEqual(Array.from(mesh.indices));
    expect(Array.from(other.positions)).toEqual(Array.from(mesh.positions));
  }
}

describe("marchingCubesParallel", () => {
  const shape: [number, number, number] = [14, 40, 36];
  const { labels } = emPhantom({ shape, resolutionNm: [30, 8, 8], seed: 17 });

  it("runs the worker bundled beside the sources", () => {
    expect(built.MARCHING_CUBES_WORKER).toBe(bundle.marchingCubesWorker);
    expect(existsSync(built.MARCHING_CUBES_WORKER)).toBe(true);
    expect(dirname(built.MARCHING_CUBES_WORKER)).not.toMatch(/dist$/);
  });

  it("gives exactly the single-threaded meshes for any thread count and options", async () => {
    const options = [
      { resolutionNm: [30, 8, 8] as const },
      {
        resolutionNm: [29.3, 7.7, 4.1] as const,
        offsetVoxels: [5, 0, 11] as const,
        closeLow: [false, true, false] as const,
        closeHigh: [true, false, true] as const,
      },
    ];
    for (const opts of options) {
      const want = marchingCubes(labels, shape, opts);
      for (const threads of [2, 3])
        expectSame(await built.marchingCubesParallel(labels, shape, { ...opts, threads }), want);
    }
    const some = [...marchingCubes(labels, shape).keys()].filter((_, i) => i % 3 === 0);
    expectSame(
      await built.marchingCubesParallel(labels, shape, { labels: some, threads: 2 }),
      marchingCubes(labels, shape, { labels: some }),
    );
  });

  it("moves large meshes with their own buffers and small ones packed, all intact", async () => {
    const n = 64;
    const ball = new Uint32Array(n * n * n);
    for (let z = 0; z < n; z++)
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) {
          const i = (z * n + y) * n + x;
          if ((x - 31.5) ** 2 + (y - 31.5) ** 2 + (z - 31.5) ** 2 < 29 ** 2) ball[i] = 9;
          else if ((x + y + z) % 17 === 0) ball[i] = 100 + (i % 5);
        }
    const want = marchingCubes(ball, [n, n, n]);
    const big = want.get(9) as Mesh;
    expect(big.positions.byteLength + big.indices.byteLength).toBeGreaterThan(1 << 18);
    expectSame(await built.marchingCubesParallel(ball, [n, n, n], { threads: 2 }), want);
  });

  it("starts the cell lists over when the labels outgrow 16-bit ids mid-way", async () => {
    const big: [number, number, number] = [6, 110, 110];
    const unique = Uint32Array.from({ length: 6 * 110 * 110 }, (_, i) => 7 * i + 3);
    expectSame(await built.marchingCubesParallel(unique, big, { threads: 2 }), marchingCubes(unique, big));
  });

  it("keeps concurrent calls apart (each job has its own cell lists and barrier)", async () => {
    const other = emPhantom({ shape, resolutionNm: [30, 8, 8], seed: 18 }).labels;
    const [a, b, c] = await Promise.all([
      built.marchingCubesParallel(labels, shape, { threads: 2 }),
      built.marchingCubesParallel(other, shape, { threads: 2 }),
      built.marchingCubesParallel(labels.subarray(0, 7 * 40 * 36), [7, 40, 36], { threads: 3 }),
    ]);
    expectSame(a, marchingCubes(labels, shape));
    expectSame(b, marchingCubes(other, shape));
    expectSame(c, marchingCubes(labels.subarray(0, 7 * 40 * 36), [7, 40, 36]));
  });

  it("rejects bad input like marchingCubes and keeps working after a restart of the pool", async () => {
    const float = built.marchingCubesParallel(new Float32Array(8), [2, 2, 2], { threads: 2 });
    await expect(float).rejects.toThrow(/labels must be an integer array/);
    await expect(float).rejects.toBeInstanceOf(built.InvalidLabelsError);
    const missing = built.marchingCubesParallel(new Uint8Array(8).fill(3), [2, 2, 2], {
      labels: [4],
      threads: 2,
    });
    await expect(missing).rejects.toThrow(/do not occur/);
    await expect(missing).rejects.toBeInstanceOf(built.LabelNotFoundError);
    expect((await built.marchingCubesParallel(new Uint8Array(8), [2, 2, 2], { threads: 2 })).size).toBe(0);
    await built.closeMarchingCubesPool();
    expectSame(
      await built.marchingCubesParallel(labels, shape, { threads: 2 }),
      marchingCubes(labels, shape),
    );
  });

  it("meshes a zarr volume block by block on the pool like the whole volume in one thread", async () => {
    const vol = await createVolume(join(tmp.path, "seg.zarr"), {
      shape,
      chunks: [7, 20, 18],
      dtype: "uint32",
      attrs: { resolution: [30, 8, 8] },
    });
    await vol.write(Box.fromShape(shape), labels);
    const whole = marchingCubes(labels, shape, { resolutionNm: [30, 8, 8] });
    const blocks = await built.meshVolume(vol, { blockShape: [5, 16, 20], threads: 2 });
    expect([...blocks.keys()]).toEqual([...whole.keys()]);
    for (const [id, mesh] of blocks) {
      const ref = whole.get(id) as Mesh;
      expect(mesh.indices.length).toBe(ref.indices.length);
      expect(mesh.positions.length).toBe(ref.positions.length); // seams welded
      expect(built.enclosedVolume(mesh)).toBeCloseTo(built.enclosedVolume(ref), 3);
    }
  });

  it("does not keep a process alive once the meshes are in", () => {
    const script = `const m = await import(${JSON.stringify(bundle.index)});
const labels = new Uint8Array(4 * 4 * 4).fill(2);
const out = await m.marchingCubesParallel(labels, [4, 4, 4], { threads: 2 });
process.stdout.write(String(out.get(2).indices.length));`;
    // plain text: nx sets FORCE_COLOR, which would colour a logged number
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(0);
    expect(Number(run.stdout.trim())).toBeGreaterThan(0);
  });
});
