import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { MeshError } from "./errors.js";
import {
  byLabel,
  emptyMeshes,
  type MarchingCubesOptions,
  marchingCubes,
  planMarchingCubes,
} from "./marching-cubes.js";
import type { MarchReply, MarchShare } from "./mc-worker.js";
import type { Mesh } from "./mesh.js";

/** The built marching-cubes worker (`dist/mc-worker.js`); absent when running from sources. */
export const MARCHING_CUBES_WORKER: string = fileURLToPath(new URL("./mc-worker.js", import.meta.url));

/** Options of {@link marchingCubesParallel}. */
export interface ParallelMarchingCubesOptions extends MarchingCubesOptions {
  /** Worker threads (default: available cores; 1 runs {@link marchingCubes} in this thread). */
  threads?: number;
}

/**
 * {@link marchingCubes} on worker threads: the labels are compacted once into shared memory, the
 * workers list the non-uniform cells of equal slabs of layers, then each meshes its share of the
 * labels (balanced by surface estimate) over all listed cells, so every mesh is identical to the
 * single-threaded result. The workers stay up between calls
 * (their compiled code stays warm) without keeping the process alive; see
 * {@link closeMarchingCubesPool}. Falls back to this thread when `threads` is 1 or the built
 * worker is not available.
 */
export async function marchingCubesParallel(
  labels: ArrayLike<number | bigint>,
  shape: readonly number[],
  options: ParallelMarchingCubesOptions = {},
): Promise<Map<number, Mesh>> {
  const threads = Math.min(options.threads ?? availableParallelism(), 255);
  if (threads <= 1 || !existsSync(MARCHING_CUBES_WORKER)) return marchingCubes(labels, shape, options);
  const pool = startPool(threads); // the workers boot while this thread compacts
  const plan = planMarchingCubes(labels, shape, options, true);

  if (plan.empty) return emptyMeshes(plan.ids);
  const owner = shareLabels(plan.runs, plan.ids.length, threads);
  const { P, Q, R } = plan;
  const layers = P - 1;
  const cells = new Uint32Array(new SharedArrayBuffer(layers * (Q - 1) * (R - 1) * 4));
  const counts = new Int32Array(new SharedArrayBuffer(layers * 4));
  const barrier = new Int32Array(new SharedArrayBuffer(8));
  const workers = pool.slice(0, threads);
  let replies: [number, Mesh][][];
  try {
    replies = await Promise.all(
      workers.map((worker, me) =>
        worker.run({
          job: 0,
          cid: plan.cid,
          P,
          Q,
          R,
          origin: [...plan.origin],
          spacing: [...plan.spacing],
          runs: plan.runs,
          owner,
          me,
          workers: threads,
          // equal slabs of layers for listing the non-uniform cells
          z0: Math.floor((layers * me) / threads),
          z1: Math.floor((layers * (me + 1)) / threads),
          cells,
          counts,
          barrier,
        }),
      ),
    );
  } catch (e) {
    // release workers still waiting for the one that failed
    Atomics.store(barrier, 1, 1);
    Atomics.notify(barrier, 0);
    throw e;
  }
  const meshes: Mesh[] = [];
  for (const reply of replies) for (const [k, mesh] of reply) meshes[k] = mesh;
  return byLabel(plan.ids, (k) => meshes[k]);
}

/** Assign compact ids 1.. to workers, largest surface estimate first, each to the least loaded. */
function shareLabels(runs: Float64Array, n: number, threads: number): Uint8Array {
  const order = Array.from({ length: n - 1 }, (_, i) => i + 1).sort((a, b) => runs[b] - runs[a]);
  const load = new Float64Array(threads);
  const owner = new Uint8Array(n);
  for (const k of order) {
    let best = 0;
    for (let t = 1; t < threads; t++) if (load[t] < load[best]) best = t;
    owner[k] = best;
    load[best] += runs[k] + 1;
  }
  return owner;
}

/** A worker thread that answers marching-cubes shares one job at a time, in order. */
class MarchWorker {
  // no inherited flags: workers refuse some (--input-type, heap sizes)
  private readonly worker = new Worker(MARCHING_CUBES_WORKER, {
    execArgv: [],
  });
  private readonly pending = new Map<
    number,
    { resolve: (m: [number, Mesh][]) => void; reject: (e: Error) => void }
  >();
  private nextJob = 0;
  dead = false;

  constructor() {
    this.worker.unref();
    this.worker.on("message", (reply: MarchReply) => {
      const p = this.pending.get(reply.job);
      this.pending.delete(reply.job);
      if (this.pending.size === 0) this.worker.unref();
      if ("error" in reply) p?.reject(new MeshError(`marching-cubes worker failed: ${reply.error}`));
      else p?.resolve(reply.meshes);
    });
    this.worker.on("error", (e) => this.fail(e));
    this.worker.on("exit", (code) =>
      this.fail(new MeshError(`marching-cubes worker exited with code ${code}`)),
    );
  }

  run(share: MarchShare): Promise<[number, Mesh][]> {
    const job = this.nextJob++;
    this.worker.ref(); // keep the process alive until the answer is in
    return new Promise((resolve, reject) => {
      this.pending.set(job, { resolve, reject });
      this.worker.postMessage({ ...share, job });
    });
  }

  terminate(): Promise<number> {
    this.dead = true;
    return this.worker.terminate();
  }

  private fail(e: Error): void {
    this.dead = true;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

let pool: MarchWorker[] = [];

function startPool(threads: number): MarchWorker[] {
  pool = pool.filter((w) => !w.dead);
  while (pool.length < threads) pool.push(new MarchWorker());
  return pool;
}

/** Stop the marching-cubes worker threads (they are restarted on demand). */
export async function closeMarchingCubesPool(): Promise<void> {
  const workers = pool;
  pool = [];
  await Promise.all(workers.map((w) => w.terminate()));
}
