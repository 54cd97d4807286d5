import { parentPort } from "node:worker_threads";
import { CellEmitter, classifyLayer, LabelBuffers } from "./mc-march.js";
import type { Mesh } from "./mesh.js";

/**
 * One worker's part of a marching-cubes job (see `marchingCubesParallel`): find the non-uniform
 * cells of layers `z0..z1`, wait for the other workers to list theirs, then mesh the labels it owns
 * over all listed cells.
 */
export interface MarchShare {
  job: number;
  cid: Uint16Array | Uint32Array;
  P: number;
  Q: number;
  R: number;
  origin: [number, number, number];
  spacing: [number, number, number];
  runs: Float64Array;
  /** Worker index per compact id; this worker meshes the ids where it equals `me`. */
  owner: Uint8Array;
  me: number;
  /** Workers in the job. */
  workers: number;
  z0: number;
  z1: number;
  /** Shared: layer cz's cells at `cz * (Q - 1) * (R - 1)`, `counts[cz]` of them. */
  cells: Uint32Array;
  counts: Int32Array;
  /** Shared: [workers done listing, job abandoned]. */
  barrier: Int32Array;
}

/** The reply: the meshes of the owned compact ids (buffers transferred), or the error. */
export type MarchReply = { job: number; meshes: [number, Mesh][] } | { job: number; error: string };

function listCells(share: MarchShare): void {
  const { cid, Q, R, cells, counts, barrier } = share;
  const perLayer = (Q - 1) * (R - 1);
  try {
    for (let cz = share.z0; cz < share.z1; cz++)
      counts[cz] = classifyLayer(cid, Q, R, cz, cells, cz * perLayer);
  } finally {
    Atomics.add(barrier, 0, 1);
    Atomics.notify(barrier, 0);
  }
  for (let n = Atomics.load(barrier, 0); n < share.workers; n = Atomics.load(barrier, 0)) {
    if (Atomics.load(barrier, 1) !== 0) throw new Error("another worker of this job failed");
    Atomics.wait(barrier, 0, n, 1000);
  }
}

parentPort?.on("message", (share: MarchShare) => {
  try {
    listCells(share);
    const { cid, P, Q, R, cells, counts, owner, me } = share;
    const buffers = new LabelBuffers(owner.length, share.runs, owner, me);
    const emitter = new CellEmitter(cid, Q, R, share.origin, share.spacing, buffers, owner, me);
    const perLayer = (Q - 1) * (R - 1);
    for (let cz = 0; cz < P - 1; cz++)
      if (counts[cz] > 0) emitter.layer(cz, cells, cz * perLayer, counts[cz]);
    const meshes: [number, Mesh][] = [];
    const transfer: ArrayBuffer[] = [];
    for (let k = 1; k < owner.length; k++) {
      if (owner[k] !== me) continue;
      const mesh = buffers.mesh(k);
      meshes.push([k, mesh]);
      transfer.push(mesh.positions.buffer as ArrayBuffer, mesh.indices.buffer as ArrayBuffer);
    }
    parentPort?.postMessage({ job: share.job, meshes } satisfies MarchReply, transfer);
  } catch (e) {
    Atomics.store(share.barrier, 1, 1);
    Atomics.notify(share.barrier, 0);
    parentPort?.postMessage({ job: share.job, error: (e as Error).stack ?? String(e) } satisfies MarchReply);
  }
});
