import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { MeshError } from "./errors.js";
import {
  byLabel,
  emptyMeshes,
  type MarchingCubesOptions,
  type MarchPlan,
  marchingCubes,
  paddedShape,
  planMarchingCubes,
} from "./marching-cubes.js";
import type { EmitShare, ListShare, MarchReply } from "./mc-worker.js";
import type { Mesh } from "./mesh.js";
import { unpackMeshes } from "./mesh-pack.js";

/** The built marching-cubes worker (`dist/mc-worker.js`); absent when running from sources. */
export const MARCHING_CUBES_WORKER: string = fileURLToPath(new URL("./mc-worker.js", import.meta.url));

/** Options of {@link marchingCubesParallel}. */
export interface ParallelMarchingCubesOptions extends MarchingCubesOptions {
  /** Worker threads (default: available cores; 1 runs {@link marchingCubes} in this thread). */
  threads?: number;
}

/**
 * {@link marchingCubes} on worker threads: while this thread compacts the labels into shared
 * memory, the workers list the non-uniform cells of equal slabs of layers behind it; then each
 * meshes its share of the labels (balanced by surface estimate) over all listed cells, so every
 * mesh is identical to the single-threaded result. The workers stay up between calls
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
  const workers = startPool(threads).slice(0, threads);
  // The workers list the non-uniform cells of their slabs of layers while this thread is still
  // compacting the labels into the shared grid, each layer as soon as its two planes are final.
  let listing: Listing | undefined;
  const abandon = () => {
    if (listing === undefined) return;
    Atomics.store(listing.progress, 1, 1);
    Atomics.notify(listing.progress, 0);
  };
  let plan: MarchPlan;
  try {
    plan = planMarchingCubes(labels, shape, options, {
      shared: true,
      onGrid: (cid) => {
        abandon(); // the grid was re-allocated with 32-bit ids: start over
        listing = startListing(workers, cid, shape, options);
      },
      onLayer: (done) => {
        if (listing === undefined) return;
        Atomics.store(listing.progress, 0, done);
        Atomics.notify(listing.progress, 0);
      },
    });
  } catch (e) {
    abandon();
    throw e;
  }
  const lists = listing as Listing;
  await Promise.all(lists.jobs);
  if (plan.empty) return emptyMeshes(plan.ids);
  const owner = shareLabels(plan.runs, plan.ids.length, threads);
  const replies = await Promise.all(
    workers.map((worker, me) =>
      worker.run({
        kind: "emit",
        job: 0,
        cid: plan.cid,
        P: plan.P,
        Q: plan.Q,
        R: plan.R,
        cells: lists.cells,
        counts: lists.counts,
        origin: [...plan.origin],
        spacing: [...plan.spacing],
        runs: plan.runs,
        owner,
        me,
      }),
    ),
  );
  const meshes: Mesh[] = [];
  for (const reply of replies) for (const [k, mesh] of reply) meshes[k] = mesh;
  return byLabel(plan.ids, (k) => meshes[k]);
}

/** The cell lists being written by the workers for one grid. */
interface Listing {
  cells: Uint32Array;
  counts: Int32Array;
  progress: Int32Array;
  jobs: Promise<unknown>[];
}

function startListing(
  workers: MarchWorker[],
  cid: Uint16Array | Uint32Array,
  shape: readonly number[],
  options: MarchingCubesOptions,
): Listing {
  const [P, Q, R] = paddedShape(shape, options);
  const layers = Math.max(P - 1, 0);
  const cells = new Uint32Array(new SharedArrayBuffer(layers * Math.max(Q - 1, 0) * Math.max(R - 1, 0) * 4));
  const counts = new Int32Array(new SharedArrayBuffer(layers * 4));
  const progress = new Int32Array(new SharedArrayBuffer(8));
  const n = workers.length;
  const jobs = workers.map((worker, me) =>
    worker.run({
      kind: "list",
      job: 0,
      cid,
      Q,
      R,
      cells,
      counts,
      progress,
      // equal slabs of layers
      z0: Math.floor((layers * me) / n),
      z1: Math.floor((layers * (me + 1)) / n),
    }),
  );
  // an abandoned listing is not awaited: its failure must not surface as an unhandled rejection
  for (const job of jobs) job.catch(() => {});
  return { cells, counts, progress, jobs };
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
      else p?.resolve(reply.packed ? [...reply.meshes, ...unpackMeshes(reply.packed)] : reply.meshes);
    });
    this.worker.on("error", (e) => this.fail(e));
    this.worker.on("exit", (code) =>
      this.fail(new MeshError(`marching-cubes worker exited with code ${code}`)),
    );
  }

  run(share: ListShare | EmitShare): Promise<[number, Mesh][]> {
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
