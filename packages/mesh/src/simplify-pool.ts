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
  /** Worker module to run (default {@link SIMPLIFY_WORKER}); each module gets its own pool. */
  workerFile?: string;
}

/** The built worker (`dist/simplify-worker.js`); absent when running from sources. */
export const SIMPLIFY_WORKER: string = fileURLToPath(new URL("./simplify-worker.js", import.meta.url));

/** Persistent pools by worker module and thread count. */
const pools = new Map<string, Piscina>();

function poolFor(workerFile: string, threads: number): Piscina {
  const key = `${threads}:${workerFile}`;
  let pool = pools.get(key);
  if (pool === undefined) {
    // all threads stay up between calls (warm code); piscina unrefs idle workers, so the pool
    // never keeps the process alive
    pool = new Piscina({
      filename: workerFile,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Infinity,
    });
    pools.set(key, pool);
  }
  return pool;
}

/** Stop the simplification worker threads (they are started again on demand). */
export async function closeSimplifyPool(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.destroy()));
}

/**
 * Simplify many meshes (e.g. every segment) on a persistent pool of worker threads (piscina),
 * largest first; results are identical to {@link simplifyMesh} one by one. The threads stay up
 * between calls without keeping the process alive ({@link closeSimplifyPool} stops them). Runs
 * in this thread when `threads` is 1, there are fewer than two meshes, or the worker module does
 * not exist (running from sources without `workerFile`).
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
  const pool = poolFor(workerFile, threads);
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
}
