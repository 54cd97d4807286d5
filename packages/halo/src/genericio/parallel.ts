/**
 * Reading uncompressed blocks on worker threads: each worker opens the files itself, reads its
 * share of the blocks straight into shared output memory, checks their CRC-64 with the same
 * WebAssembly kernel as the main thread (module bytes and tables are handed over) and swaps byte
 * order when needed. Failures come back as data; the caller turns them into typed errors.
 */
import { Worker } from "node:worker_threads";
import { swapBytes } from "./byteswap.js";
import { crc64WasmBytes, crc64WasmTables, TABLE_BYTES, WASM_CHUNK, wasmCrcRun } from "./crc64-wasm.js";

/** One block to read: `size` bytes at `start` of `path` into `output` at byte `offset`. */
export interface WorkerBlockJob {
  path: string;
  start: number;
  size: number;
  /** Index of the output buffer in the `outputs` list. */
  output: number;
  offset: number;
  /** Element size to byte-swap (0: no swap). */
  swap: number;
}

/** What happened to a job. */
export type WorkerBlockResult =
  | { ok: true }
  | { ok: false; kind: "crc"; stored: string; computed: string }
  | { ok: false; kind: "truncated"; got: number }
  | { ok: false; kind: "error"; message: string };

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { wasmBytes, tables, tableBytes, chunk, jobs, outputs, verifyCrc } = workerData;
const swapBytes = ${swapBytes.toString()};
const wasmCrcRun = ${wasmCrcRun.toString()};
const instance = new WebAssembly.Instance(new WebAssembly.Module(wasmBytes), {});
const heap = new Uint8Array(instance.exports.mem.buffer);
heap.set(tables, 0);
const views = outputs.map((b) => new Uint8Array(b));
const fds = new Map();
const hex = (c) => BigInt.asUintN(64, c).toString(16).padStart(16, "0");
const update = (c, bytes) => BigInt.asUintN(64, wasmCrcRun(instance.exports, heap, c, bytes, tableBytes, chunk));
function readFully(fd, target, position) {
  let done = 0;
  while (done < target.length) {
    const n = fs.readSync(fd, target, done, Math.min(target.length - done, 1 << 30), position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
const results = jobs.map((job) => {
  try {
    let fd = fds.get(job.path);
    if (fd === undefined) { fd = fs.openSync(job.path, "r"); fds.set(job.path, fd); }
    const target = views[job.output].subarray(job.offset, job.offset + job.size);
    const trailer = new Uint8Array(8);
    const got = readFully(fd, target, job.start);
    const gotT = readFully(fd, trailer, job.start + job.size);
    if (got < job.size || gotT < 8) return { ok: false, kind: "truncated", got: job.start + got };
    if (verifyCrc) {
      const c = update(0xffffffffffffffffn, target);
      if (update(c, trailer) !== 0n) {
        const stored = new DataView(trailer.buffer).getBigUint64(0, true);
        return { ok: false, kind: "crc", stored: hex(~stored), computed: hex(~c) };
      }
    }
    if (job.swap > 1) swapBytes(target, job.swap);
    return { ok: true };
  } catch (e) {
    return { ok: false, kind: "error", message: String(e && e.message ? e.message : e) };
  }
});
for (const fd of fds.values()) fs.closeSync(fd);
parentPort.postMessage(results);
`;

/**
 * Run `jobs` on `threads` workers (blocks dealt out to balance bytes) and return each job's result,
 * in job order.
 */
export async function readBlocksInWorkers(
  jobs: readonly WorkerBlockJob[],
  outputs: readonly SharedArrayBuffer[],
  threads: number,
  verifyCrc: boolean,
): Promise<WorkerBlockResult[]> {
  const shares: { jobs: WorkerBlockJob[]; index: number[]; bytes: number }[] = Array.from(
    { length: threads },
    () => ({
      jobs: [],
      index: [],
      bytes: 0,
    }),
  );
  const order = jobs.map((_, i) => i).sort((a, b) => jobs[b].size - jobs[a].size);
  for (const i of order) {
    const share = shares.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    share.jobs.push(jobs[i]);
    share.index.push(i);
    share.bytes += jobs[i].size;
  }
  const wasmBytes = crc64WasmBytes();
  const tables = crc64WasmTables();
  const results: WorkerBlockResult[] = new Array(jobs.length);
  await Promise.all(
    shares
      .filter((s) => s.jobs.length > 0)
      .map(
        (share) =>
          new Promise<void>((resolve, reject) => {
            const worker = new Worker(WORKER_SOURCE, {
              eval: true,
              execArgv: [],
              workerData: {
                wasmBytes,
                tables,
                tableBytes: TABLE_BYTES,
                chunk: WASM_CHUNK,
                jobs: share.jobs,
                outputs,
                verifyCrc,
              },
            });
            worker.once("message", (r: WorkerBlockResult[]) => {
              r.forEach((x, k) => {
                results[share.index[k]] = x;
              });
              resolve();
            });
            worker.once("error", reject);
            worker.once("exit", (code) => {
              if (code !== 0) reject(new Error(`GenericIO read worker exited with code ${code}`));
              else resolve();
            });
          }),
      ),
  );
  return results;
}
