import { emPhantom } from "@tessera/phantom";
import { describe, expect, it } from "vitest";
import { marchingCubes } from "./marching-cubes.js";
import { simplifyMesh } from "./simplify.js";
import { simplifyMeshes } from "./simplify-pool.js";

describe("simplifyMeshes", () => {
  it("gives exactly the per-mesh results, reports progress and leaves the input intact", async () => {
    const shape: [number, number, number] = [12, 32, 32];
    const { labels } = emPhantom({ shape, resolutionNm: [40, 8, 8], seed: 13 });
    const meshes = marchingCubes(labels, shape, { resolutionNm: [40, 8, 8] });
    const before = [...meshes.values()].map((m) => m.indices.length);
    let progress = 0;
    // no built worker next to the sources: this runs in-thread (the bench drives the pool from dist)
    const out = await simplifyMeshes(meshes, {
      maxErrorNm: 10,
      threads: 2,
      workerFile: "/nonexistent/worker.js",
      onProgress: (d) => (progress = d),
    });
    expect(progress).toBe(meshes.size);
    expect([...out.keys()]).toEqual([...meshes.keys()]);
    for (const [id, m] of meshes) {
      const ref = simplifyMesh(m, { maxErrorNm: 10 });
      expect([...(out.get(id)?.indices ?? [])]).toEqual([...ref.indices]);
    }
    expect([...meshes.values()].map((m) => m.indices.length)).toEqual(before);
  });
});
