import { parentPort } from "node:worker_threads";
import { CellEmitter, classifyRows, LabelBuffers } from "./mc-march.js";
import type { Mesh } from "./mesh.js";
import { type PackedMeshes, packMeshes } from "./mesh-pack.js";

// Meshes at least this big (bytes) move with their own buffers; smaller ones are copied into one
// pack, since moving a buffer costs about as much as copying tens of kilobytes.
const OWN_BUFFER_BYTES = 1 << 18;

/** Shared lists of non-uniform cells: layer cz's at `cz * (Q - 1) * (R - 1)`, `counts[cz]` of them. */
interface CellLists {
  cid: Uint16Array | Uint32Array;
  Q: number;
  R: number;
  cells: Uint32Array;
  counts: Int32Array;
}

/**
 * First part of a worker's marching-cubes job (see `marchingCubesParallel`): list the non-uniform
 * cells of layers `z0..z1` while the grid is still being filled, following `progress`.
 */
export interface ListShare extends CellLists {
  kind: "list";
  job: number;
  z0: number;
  z1: number;
  /** Shared: [padded layers of the grid that are final, job abandoned]. */
  progress: Int32Array;
}

/** Second part: mesh the labels this worker owns over all listed cells. */
export interface EmitShare extends CellLists {
  kind: "emit";
  job: number;
  P: number;
  origin: [number, number, number];
  spacing: [number, number, number];
  runs: Float64Array;
  /** Worker index per compact id; this worker meshes the ids where it equals `me`. */
  owner: Uint8Array;
  me: number;
}

/**
 * The reply: the meshes of the owned compact ids, large ones with their buffers transferred, small
 * ones packed (none for a list), or the error.
 */
export type MarchReply =
  | { job: number; meshes: [number, Mesh][]; packed?: PackedMeshes }
  | { job: number; error: string };

function list(share: ListShare): void {
  const { cid, Q, R, cells, counts, progress } = share;
  const perLayer = (Q - 1) * (R - 1);
  for (let cz = share.z0; cz < share.z1; cz++) {
    // layer cz needs planes cz and cz + 1
    for (let done = Atomics.load(progress, 0); done < cz + 2; done = Atomics.load(progress, 0)) {
      if (Atomics.load(progress, 1) !== 0) return;
      Atomics.wait(progress, 0, done, 1000);
    }
    counts[cz] = classifyRows(cid, Q, R, cz, 0, Q - 1, cells, cz * perLayer);
  }
}

function emit(share: EmitShare): [MarchReply, ArrayBuffer[]] {
  const { cid, P, Q, R, cells, counts, owner, me } = share;
  const buffers = new LabelBuffers(owner.length, share.runs, owner, me);
  const emitter = new CellEmitter(cid, Q, R, share.origin, share.spacing, buffers, owner, me);
  const perLayer = (Q - 1) * (R - 1);
  for (let cz = 0; cz < P - 1; cz++) if (counts[cz] > 0) emitter.layer(cz, cells, cz * perLayer, counts[cz]);
  const meshes: [number, Mesh][] = [];
  const small: [number, Mesh][] = [];
  const transfer: ArrayBuffer[] = [];
  for (let k = 1; k < owner.length; k++) {
    if (owner[k] !== me) continue;
    const mesh = buffers.mesh(k);
    if (mesh.positions.byteLength + mesh.indices.byteLength < OWN_BUFFER_BYTES) {
      small.push([k, mesh]);
      continue;
    }
    meshes.push([k, mesh]);
    transfer.push(mesh.positions.buffer as ArrayBuffer, mesh.indices.buffer as ArrayBuffer);
  }
  const packed = packMeshes(small);
  transfer.push(packed.positions.buffer, packed.indices.buffer);
  return [{ job: share.job, meshes, packed }, transfer];
}

parentPort?.on("message", (share: ListShare | EmitShare) => {
  try {
    if (share.kind === "list") {
      list(share);
      parentPort?.postMessage({ job: share.job, meshes: [] } satisfies MarchReply);
    } else {
      const [reply, transfer] = emit(share);
      parentPort?.postMessage(reply, transfer);
    }
  } catch (e) {
    parentPort?.postMessage({ job: share.job, error: (e as Error).stack ?? String(e) } satisfies MarchReply);
  }
});
