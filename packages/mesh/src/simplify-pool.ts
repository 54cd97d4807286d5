import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import type { Mesh } from "./mesh.js";
import { type SimplifyOptions, simplifyMesh } from "./simplify.js";

/** Options of {@link simplifyMeshes}. */
export interface SimplifyManyOptions extends SimplifyOptions {
  /** Worker threads (default: available cores; 1 runs in this thread). */
  threads?: number;
  /** Called after each mesh with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Worker module to run (default {@link SIMPLIFY_WORKER}). */
  workerFile?: string;
}

/** The built worker (`dist/simplify-worker.js`); absent when running from sources. */
export const SIMPLIFY_WORKER: string = fileURLToPath(new URL("./simplify-worker.js", import.meta.url));

/**
 * Simplify many meshes (e.g. every segment) on a pool of worker threads (piscina), largest first;
 * results are identical to {@link simplifyMesh} one by one. Falls back to this thread when
 * `threads` is 1 or the built worker is not available.
 */
export async function simplifyMeshes(
  meshes: Map<number, Mesh>,
  options: SimplifyManyOptions = {},
): Promise<Map<number, Mesh>> {
  const { threads = availableParallelism(), onProgress, workerFile = SIMPLIFY_WORKER, ...opts } = options;
  const ids = [...meshes.keys()];
  const out = new Map<number, Mesh>();
  let done = 0;
  if (threads <= 1 || !existsSync(workerFile) || ids.length < 2) {
    for (const id of ids) {
      out.set(id, simplifyMesh(meshes.get(id) as Mesh, opts));
      onProgress?.(++done, ids.length);
    }
    return out;
  }
  const pool = new Piscina({
    filename: SIMPLIFY_WORKER,
    maxThreads: threads,
    minThreads: Math.min(threads, 2),
  });
  try {
    const bySize = [...ids].sort(
      (a, b) => (meshes.get(b) as Mesh).indices.length - (meshes.get(a) as Mesh).indices.length,
    );
    const results = await Promise.all(
      bySize.map(async (id) => {
        const mesh = meshes.get(id) as Mesh;
        // copies go to the worker so the caller's meshes stay intact
        const r = (await pool.run({
          mesh: { positions: mesh.positions.slice(), indices: mesh.indices.slice() },
          options: opts,
        })) as Mesh;
        onProgress?.(++done, ids.length);
        return [id, r] as const;
      }),
    );
    const byId = new Map(results);
    for (const id of ids) out.set(id, byId.get(id) as Mesh);
    return out;
  } finally {
    await pool.destroy();
  }
}
