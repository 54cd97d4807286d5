import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { threadId } from "node:worker_threads";
import { emPhantom } from "@tessera/phantom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { marchingCubes } from "./marching-cubes.js";
import type { Mesh } from "./mesh.js";
import { simplifyMesh } from "./simplify.js";
import { closeSimplifyPool, simplifyMeshes } from "./simplify-pool.js";
import { bundleSources, type SourceBundle } from "./test-bundle.js";

// The worker threads run this package's sources, bundled fresh for the test (never a stale dist).
let bundle: SourceBundle;
let tagged: string;
beforeAll(async () => {
  bundle = await bundleSources();
  // the real worker, with the id of the thread that ran it added to each result
  tagged = join(dirname(bundle.index), "tagged-worker.js");
  writeFileSync(
    tagged,
    `import { threadId } from "node:worker_threads";
import task from "./simplify-worker.js";
export default (input) => ({ ...task(input), thread: threadId });
`,
  );
});
afterAll(async () => {
  await closeSimplifyPool();
  bundle?.cleanup();
});

const shape: [number, number, number] = [12, 32, 32];
const { labels } = emPhantom({ shape, resolutionNm: [40, 8, 8], seed: 13 });
const meshes = marchingCubes(labels, shape, { resolutionNm: [40, 8, 8] });

function expectPerMesh(out: Map<number, Mesh>): void {
  expect([...out.keys()]).toEqual([...meshes.keys()]);
  for (const [id, m] of meshes) {
    const ref = simplifyMesh(m, { maxErrorNm: 10 });
    const got = out.get(id) as Mesh;
    expect(Array.from(got.indices)).toEqual(Array.from(ref.indices));
    expect(Array.from(got.positions)).toEqual(Array.from(ref.positions));
  }
}

describe("simplifyMeshes", () => {
  it("on worker threads gives exactly the per-mesh results, reports progress, leaves the input intact", async () => {
    expect(meshes.size).toBeGreaterThan(3);
    const before = [...meshes.values()].map((m) => m.indices.length);
    let progress = 0;
    const out = await simplifyMeshes(meshes, {
      maxErrorNm: 10,
      threads: 2,
      workerFile: bundle.simplifyWorker,
      onProgress: (d) => (progress = d),
    });
    expect(progress).toBe(meshes.size);
    expectPerMesh(out);
    expect([...meshes.values()].map((m) => m.indices.length)).toEqual(before);
  });

  it("runs the given worker module on other threads, and keeps them between calls", async () => {
    const threadsOf = async () => {
      const out = await simplifyMeshes(meshes, { maxErrorNm: 10, threads: 2, workerFile: tagged });
      return new Set([...out.values()].map((m) => (m as Mesh & { thread: number }).thread));
    };
    const first = await threadsOf();
    expect(first.has(threadId)).toBe(false);
    expect(first.has(undefined as unknown as number)).toBe(false);
    expect(first.size).toBeLessThanOrEqual(2);
    // a pool started per call would show new thread ids (they only grow)
    const both = new Set([...first, ...(await threadsOf()), ...(await threadsOf())]);
    expect(both.size).toBeLessThanOrEqual(2);
    await closeSimplifyPool();
    const third = await threadsOf();
    for (const t of third) expect(both.has(t)).toBe(false);
  });

  it("runs in this thread with threads: 1 or a missing worker module, with the same results", async () => {
    expectPerMesh(await simplifyMeshes(meshes, { maxErrorNm: 10, threads: 1 }));
    expectPerMesh(
      await simplifyMeshes(meshes, { maxErrorNm: 10, threads: 2, workerFile: "/nonexistent/worker.js" }),
    );
  });

  it("does not keep a process alive once the meshes are in", () => {
    const script = `const m = await import(${JSON.stringify(bundle.index)});
const pos = new Float32Array([0,0,0, 1,0,0, 0,1,0, 0,0,1]);
const idx = new Uint32Array([0,2,1, 0,1,3, 0,3,2, 1,2,3]);
const out = await m.simplifyMeshes(new Map([[1, { positions: pos, indices: idx }], [2, { positions: pos, indices: idx }]]), { threads: 2 });
const ref = m.simplifyMesh({ positions: pos, indices: idx }, {});
process.stdout.write(out.get(2).indices.join(",") + " " + ref.indices.join(","));`;
    // plain text: nx sets FORCE_COLOR, which would colour a logged number
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.error).toBeUndefined();
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const [pooled, inThread] = run.stdout.trim().split(" ");
    expect(pooled.length).toBeGreaterThan(0);
    expect(pooled).toBe(inThread);
  });
});
