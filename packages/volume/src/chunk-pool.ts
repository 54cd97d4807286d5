// A persistent, unref'd pool of worker threads that read chunks: each job reads a chunk file,
// decodes it (raw, zlib, gzip, blosc) and copies the part a read needs into the read's output, a
// SharedArrayBuffer; the calling thread only hands out jobs. Writes compress large blosc chunks on
// the same workers.
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isMainThread, Worker } from "node:worker_threads";
import type { CompressorConfig } from "./compressor.js";

/** How chunks are read and compressed; see {@link configureChunkDecoding}. */
export interface ChunkDecodingOptions {
  /**
   * Worker threads reading and decoding chunks (and compressing blosc chunks). Default:
   * `$TESSERA_DECODE_THREADS`, else the available cores (at most 8) on the main thread and 1 (no
   * pool) inside worker threads. 0 or 1: everything on the calling thread.
   */
  threads?: number;
  /**
   * Reads of fewer bytes than this stay on the calling thread (default 1 MiB; a read must also touch
   * at least two chunks). Blosc chunks compress on the pool from 128 KiB (or `minBytes` if smaller).
   */
  minBytes?: number;
}

const settings: Required<ChunkDecodingOptions> = {
  threads: defaultThreads(),
  minBytes: 1024 * 1024,
};

function defaultThreads(): number {
  const env = Number(process.env.TESSERA_DECODE_THREADS);
  if (process.env.TESSERA_DECODE_THREADS && Number.isInteger(env) && env >= 0) return env;
  return isMainThread ? Math.min(availableParallelism(), 8) : 1;
}

/**
 * Set how chunks are read and compressed (process-wide): the number of worker threads and the size
 * under which work stays on the calling thread. Returns the settings now in force. The pool is
 * persistent and unref'd: it never keeps a process alive.
 */
export function configureChunkDecoding(options: ChunkDecodingOptions = {}): Required<ChunkDecodingOptions> {
  if (options.threads !== undefined) {
    settings.threads = Math.max(0, Math.floor(options.threads));
    // with 0 or 1 thread the pool is idle (unref'd): keep its workers for a later change back
    if (settings.threads > 1) pool?.shrinkTo(settings.threads);
  }
  if (options.minBytes !== undefined) settings.minBytes = Math.max(0, options.minBytes);
  return { ...settings };
}

const counts = { pool: 0, here: 0 };

/** How many reads ran on the pool and on the calling thread so far (diagnostics, tests). */
export function chunkDecodingCounts(): { pool: number; here: number } {
  return { ...counts };
}

/** Whether a read of `bytes` over `chunks` chunks should run on the pool (and counts it). */
export function readOnPool(bytes: number, chunks: number): boolean {
  const pooled = settings.threads > 1 && chunks >= 2 && bytes >= settings.minBytes;
  if (pooled) counts.pool++;
  else counts.here++;
  return pooled;
}

// Worker thread. "read": read a chunk file, decode it, check its size, copy a region of it into the
// shared output (byte strides; the last axis merged with the element bytes); a missing file is
// the fill value. "encode": compress with numcodecs blosc and transfer the result back.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const zlib = require("node:zlib");
const blosc = new Map();
function bloscCodec(config) {
  const key = JSON.stringify(config);
  let c = blosc.get(key);
  if (!c) {
    c = import(workerData.blosc).then((m) => m.default.fromConfig(config));
    blosc.set(key, c);
  }
  return c;
}
// compile blosc's wasm now, so the first chunk does not wait for it
bloscCodec({ cname: "lz4", clevel: 1, shuffle: 1, blocksize: 0 })
  .then(async (c) => c.decode(await c.encode(new Uint8Array(64))))
  .catch(() => {});
const outputs = new WeakMap();
function copyRegion(src, srcStrides, srcBegin, dst, dstStrides, dstBegin, shape) {
  const last = shape.length - 1;
  let s = 0, d = 0;
  for (let i = 0; i <= last; i++) { s += srcBegin[i] * srcStrides[i]; d += dstBegin[i] * dstStrides[i]; }
  const row = shape[last];
  let rows = 1;
  for (let i = 0; i < last; i++) rows *= shape[i];
  const counter = new Array(last).fill(0);
  for (let r = 0; r < rows; r++) {
    dst.set(src.subarray(s, s + row), d);
    for (let axis = last - 1; axis >= 0; axis--) {
      counter[axis]++;
      s += srcStrides[axis];
      d += dstStrides[axis];
      if (counter[axis] < shape[axis]) break;
      s -= srcStrides[axis] * shape[axis];
      d -= dstStrides[axis] * shape[axis];
      counter[axis] = 0;
    }
  }
}
function bloscMemcpyed(bytes) {
  // a frame blosc stored uncompressed (BLOSC_MEMCPYED): the data follows the 16-byte header
  if (bytes.length < 16 || (bytes[2] & 0x02) === 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  const nbytes = view.getUint32(4, true);
  if (view.getUint32(12, true) !== nbytes + 16 || bytes.length < nbytes + 16) return undefined;
  return bytes.subarray(16, 16 + nbytes);
}
// plain Uint8Array views: Buffer's own subarray is slower in the copy loop
const plain = (b) => (b instanceof Buffer ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : b);
async function decode(compressor, bytes) {
  if (compressor === null) return plain(bytes);
  if (compressor.id === "zlib") return plain(zlib.inflateSync(bytes));
  if (compressor.id === "gzip") return plain(zlib.gunzipSync(bytes));
  return plain(bloscMemcpyed(bytes) ?? (await bloscCodec(compressor)).decode(bytes));
}
async function read(m) {
  let output = outputs.get(m.output);
  if (!output) { output = new Uint8Array(m.output); outputs.set(m.output, output); }
  let bytes;
  try {
    bytes = fs.readFileSync(m.file);
  } catch (error) {
    if (error.code !== "ENOENT") return { error: { kind: "io", message: String(error.message) } };
    bytes = null;
  }
  let chunk = null;
  if (bytes !== null) {
    try {
      chunk = await decode(m.compressor, bytes);
    } catch (error) {
      return { error: { kind: "decode", message: String((error && error.message) || error) } };
    }
    if (chunk.length !== m.chunkBytes) return { error: { kind: "size", found: chunk.length } };
  }
  if (chunk !== null) {
    copyRegion(chunk, m.srcStrides, m.srcBegin, output, m.dstStrides, m.dstBegin, m.region);
  } else if (m.fill !== null) {
    // a chunk never written: rows of the fill value (the output starts zeroed: zero fills are done)
    const row = new Uint8Array(m.region[m.region.length - 1]);
    for (let i = 0; i < row.length; i += m.fill.length) row.set(m.fill, i);
    const flat = m.region.map((_, i) => (i === m.region.length - 1 ? 1 : 0));
    copyRegion(row, flat, m.region.map(() => 0), output, m.dstStrides, m.dstBegin, m.region);
  }
  return {};
}
parentPort.on("message", async (m) => {
  if (m.op === "read") {
    const reply = await read(m).catch((error) => ({ error: { kind: "io", message: String(error && error.message || error) } }));
    parentPort.postMessage({ job: m.job, ...reply });
    return;
  }
  try {
    let out = await (await bloscCodec(m.config)).encode(m.bytes);
    if (out.byteOffset !== 0 || out.byteLength !== out.buffer.byteLength) out = out.slice();
    parentPort.postMessage({ job: m.job, out }, [out.buffer]);
  } catch (error) {
    parentPort.postMessage({ job: m.job, error: { kind: "encode", message: String((error && error.message) || error) } });
  }
});
`;

/** File URL of numcodecs' blosc module (resolved here: an eval'd worker cannot resolve bare names). */
function bloscModule(): string {
  try {
    const url = import.meta.resolve?.("numcodecs/blosc");
    if (url?.startsWith("file:")) return url;
  } catch {
    // fall through to a search of node_modules
  }
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "node_modules", "numcodecs", "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8"));
      const target = pkg.exports?.["./blosc"]?.import ?? "./dist/blosc.js";
      return pathToFileURL(join(dirname(manifest), target)).href;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`numcodecs/blosc not found above ${import.meta.url}`);
    dir = parent;
  }
}

/** What a worker reports when a job fails. */
export interface PoolJobError {
  kind: "io" | "decode" | "size" | "encode";
  message?: string;
  found?: number;
}

/** A failed pool job; `detail` says how. */
export class PoolJobFailure extends Error {
  constructor(readonly detail: PoolJobError) {
    super(detail.message ?? `${detail.kind} failure`);
  }
}

interface Pending {
  resolve(out: Uint8Array | undefined): void;
  reject(error: Error): void;
}

class PoolWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  dead = false;

  constructor(blosc: string) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { blosc } });
    this.worker.on("message", (reply: { job: number; out?: Uint8Array; error?: PoolJobError }) => {
      const p = this.pending.get(reply.job);
      this.pending.delete(reply.job);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.error !== undefined) p?.reject(new PoolJobFailure(reply.error));
      else p?.resolve(reply.out);
    });
    const fail = (error: Error) => {
      this.dead = true;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", () => fail(new Error("chunk worker exited")));
    // after the listeners: adding a "message" listener refs the worker's port again, so a worker
    // unref'd before it (and never given a job) would keep the process alive
    this.worker.unref();
  }

  run(job: number, message: object, transfer: ArrayBuffer[] = []): Promise<Uint8Array | undefined> {
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(job, { resolve, reject });
      this.worker.postMessage({ job, ...message }, transfer);
    });
  }
}

class ChunkPool {
  #workers: PoolWorker[] = [];
  #blosc = bloscModule();
  #job = 0;

  constructor() {
    // start every worker now: their start-up and wasm compilation overlap the first jobs
    for (let i = 0; i < settings.threads; i++) this.#workers.push(new PoolWorker(this.#blosc));
  }

  run(message: object, transfer?: ArrayBuffer[]): Promise<Uint8Array | undefined> {
    this.#workers = this.#workers.filter((w) => !w.dead);
    while (this.#workers.length < settings.threads) this.#workers.push(new PoolWorker(this.#blosc));
    const worker = this.#workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    return worker.run(this.#job++, message, transfer);
  }

  shrinkTo(threads: number): void {
    for (const worker of this.#workers.splice(Math.max(threads, 0))) {
      worker.dead = true;
      void worker.worker.terminate();
    }
  }
}

let pool: ChunkPool | undefined;

/** One chunk of a pooled read: the part of chunk file `file` that lands in the output. */
export interface ChunkReadJob {
  file: string;
  /** Region start in the chunk, in elements. */
  srcBegin: readonly number[];
  /** Region start in the output, in elements. */
  dstBegin: readonly number[];
  /** Region shape, in elements. */
  region: readonly number[];
}

/**
 * Read `jobs` on the pool into `output` (a SharedArrayBuffer holding a C-order array of `shape`
 * elements of `elementSize` bytes). `chunkShape` and `compressor` describe the chunks; `fill` is the
 * fill value's bytes (null for zeros). `onError(job, failure)` turns a failure into the error thrown.
 */
export async function readChunksOnPool(
  output: SharedArrayBuffer,
  shape: readonly number[],
  elementSize: number,
  chunkShape: readonly number[],
  compressor: CompressorConfig | null,
  fill: Uint8Array | null,
  jobs: readonly ChunkReadJob[],
  onError: (job: ChunkReadJob, failure: PoolJobFailure | Error) => Error,
): Promise<void> {
  pool ??= new ChunkPool();
  const last = shape.length - 1;
  // byte strides with the last axis merged with the element bytes: each row is one copy
  const byteStrides = (s: readonly number[]) => {
    const strides = new Array<number>(s.length);
    let acc = 1;
    for (let d = last; d >= 0; d--) {
      strides[d] = acc;
      acc *= d === last ? s[d] * elementSize : s[d];
    }
    return strides;
  };
  const toBytes = (v: readonly number[]) => v.map((x, d) => (d === last ? x * elementSize : x));
  const dstStrides = byteStrides(shape);
  const srcStrides = byteStrides(chunkShape);
  const chunkBytes = chunkShape.reduce((a, b) => a * b, 1) * elementSize;
  const active = pool;
  await Promise.all(
    jobs.map((job) =>
      active
        .run({
          op: "read",
          file: job.file,
          output,
          compressor,
          chunkBytes,
          fill,
          srcStrides,
          dstStrides,
          srcBegin: toBytes(job.srcBegin),
          dstBegin: toBytes(job.dstBegin),
          region: toBytes(job.region),
        })
        .catch((error: Error) => {
          throw onError(job, error);
        }),
    ),
  );
}

/** Blosc chunks of at least this many bytes (or `minBytes`, when smaller) compress on the pool. */
const ENCODE_MIN_BYTES = 128 * 1024;

/**
 * Compress `bytes` with blosc (`config`) on the pool when the pool is on and the chunk is large, else
 * return undefined (the caller compresses here). Results are byte-identical.
 */
export function encodeOnPool(
  config: { id: "blosc" } & Record<string, unknown>,
  bytes: Uint8Array,
): Promise<Uint8Array> | undefined {
  if (settings.threads <= 1 || bytes.length < Math.min(settings.minBytes, ENCODE_MIN_BYTES)) return undefined;
  pool ??= new ChunkPool();
  return pool.run({ op: "encode", config, bytes }) as Promise<Uint8Array>;
}
