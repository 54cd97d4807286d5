import { parentPort } from "node:worker_threads";
import { LabelBuffers, march } from "./mc-march.js";
import type { Mesh } from "./mesh.js";

/** One worker's share of a marching-cubes job (see `marchingCubesParallel`). */
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
}

/** The reply: the meshes of the owned compact ids (buffers transferred), or the error. */
export type MarchReply = { job: number; meshes: [number, Mesh][] } | { job: number; error: string };

parentPort?.on("message", (share: MarchShare) => {
  try {
    const buffers = new LabelBuffers(share.owner.length, share.runs, share.owner, share.me);
    march(share.cid, share.P, share.Q, share.R, share.origin, share.spacing, buffers, share.owner, share.me);
    const meshes: [number, Mesh][] = [];
    const transfer: ArrayBuffer[] = [];
    for (let k = 1; k < share.owner.length; k++) {
      if (share.owner[k] !== share.me) continue;
      const mesh = buffers.mesh(k);
      meshes.push([k, mesh]);
      transfer.push(mesh.positions.buffer as ArrayBuffer, mesh.indices.buffer as ArrayBuffer);
    }
    parentPort?.postMessage({ job: share.job, meshes } satisfies MarchReply, transfer);
  } catch (e) {
    parentPort?.postMessage({ job: share.job, error: (e as Error).stack ?? String(e) } satisfies MarchReply);
  }
});
