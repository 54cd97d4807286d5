import { closeSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { SegmentBlockError } from "./errors.js";
import { allocateFlatEdges, type FlatEdges } from "./flat-edges.js";
import { pairOrder } from "./pair-order.js";

// One edge record, little-endian, in 4-byte words: u32 u, u32 v, f64 sum, f64 count, f64 first face,
// u32 histogram[bins], padded to a multiple of 8 bytes.

/** Words (4 bytes) of one record with `bins` histogram bins. */
function recordWords(bins: number): number {
  return 8 + bins + (bins & 1);
}

/** Records read from a run per refill. */
const READ_RECORDS = 4096;

/**
 * External sort of region-graph edges, phase one: records are buffered in the order they are added,
 * and each time `runEdges` of them are buffered they are sorted by (u, v), stably, and written to a
 * run file in `folder`. {@link mergeEdgeRuns} then merges the runs.
 */
export class EdgeRunWriter {
  /** Paths of the runs written so far, in order. */
  readonly runs: string[] = [];
  /** Records added so far. */
  records = 0;
  readonly #folder: string;
  readonly #bins: number;
  readonly #words: number;
  readonly #capacity: number;
  readonly #u32: Uint32Array;
  readonly #f64: Float64Array;
  readonly #hi: Uint32Array;
  readonly #lo: Uint32Array;
  #buffered = 0;

  /**
   * @param folder where run files go (must exist)
   * @param bins histogram bins per record
   * @param runEdges records per run (memory ≈ runEdges · (40 + 4 · bins) bytes while sorting)
   */
  constructor(folder: string, bins: number, runEdges: number) {
    this.#folder = folder;
    this.#bins = bins;
    this.#words = recordWords(bins);
    this.#capacity = Math.max(1, Math.floor(runEdges));
    const buffer = new ArrayBuffer(this.#capacity * this.#words * 4);
    this.#u32 = new Uint32Array(buffer);
    this.#f64 = new Float64Array(buffer);
    this.#hi = new Uint32Array(this.#capacity);
    this.#lo = new Uint32Array(this.#capacity);
  }

  /** Add an edge (u, v: node indices below 2^32) with its statistics and histogram row at `hOffset`. */
  add(
    u: number,
    v: number,
    sum: number,
    count: number,
    first: number,
    histogram: Uint32Array | undefined,
    hOffset: number,
  ): void {
    if (this.#buffered === this.#capacity) this.flush();
    const k = this.#buffered++;
    const w = k * this.#words;
    this.#u32[w] = u;
    this.#u32[w + 1] = v;
    this.#f64[(w >> 1) + 1] = sum;
    this.#f64[(w >> 1) + 2] = count;
    this.#f64[(w >> 1) + 3] = first;
    for (let b = 0; b < this.#bins; b++) this.#u32[w + 8 + b] = (histogram as Uint32Array)[hOffset + b];
    this.#hi[k] = u;
    this.#lo[k] = v;
    this.records++;
  }

  /** Sort the buffered records and write them as one run (nothing when none are buffered). */
  flush(): void {
    const n = this.#buffered;
    if (n === 0) return;
    const order = pairOrder(this.#hi, this.#lo, n);
    const path = join(this.#folder, `run-0-${this.runs.length}.bin`);
    const out = new RunFileWriter(path, this.#words);
    for (let k = 0; k < n; k++) out.push(this.#u32, order[k] * this.#words);
    out.close();
    this.runs.push(path);
    this.#buffered = 0;
  }
}

/** Buffered sequential writer of records to a new file. */
class RunFileWriter {
  readonly #fd: number;
  readonly #words: number;
  readonly #chunk: Uint32Array;
  #filled = 0;

  constructor(path: string, words: number) {
    this.#fd = openSync(path, "w");
    this.#words = words;
    this.#chunk = new Uint32Array(READ_RECORDS * words);
  }

  /** Append the record at word `offset` of `from`. */
  push(from: Uint32Array, offset: number): void {
    if (this.#filled === this.#chunk.length) this.#write();
    const chunk = this.#chunk;
    const at = this.#filled;
    for (let w = 0; w < this.#words; w++) chunk[at + w] = from[offset + w];
    this.#filled += this.#words;
  }

  #write(): void {
    const bytes = new Uint8Array(this.#chunk.buffer, 0, this.#filled * 4);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.#fd, bytes, done);
    this.#filled = 0;
  }

  close(): void {
    this.#write();
    closeSync(this.#fd);
  }
}

/** Sequential reader of one run: the current record is at word `at` of `u32` / `f64`. */
class RunReader {
  readonly u32: Uint32Array;
  readonly f64: Float64Array;
  at = 0;
  readonly #fd: number;
  readonly #path: string;
  readonly #words: number;
  #end = 0;
  #position = 0;

  constructor(path: string, words: number) {
    this.#path = path;
    this.#fd = openSync(path, "r");
    this.#words = words;
    const buffer = new ArrayBuffer(READ_RECORDS * words * 4);
    this.u32 = new Uint32Array(buffer);
    this.f64 = new Float64Array(buffer);
  }

  /** Load the next chunk; false at the end of the run. */
  refill(): boolean {
    const bytes = new Uint8Array(this.u32.buffer);
    let got = 0;
    for (;;) {
      const n = readSync(this.#fd, bytes, got, bytes.length - got, this.#position + got);
      if (n === 0) break;
      got += n;
      if (got === bytes.length) break;
    }
    this.#position += got;
    const recordBytes = this.#words * 4;
    if (got % recordBytes !== 0) {
      throw new SegmentBlockError("truncated edge run file", {
        path: this.#path,
        expected: `a multiple of ${recordBytes} bytes`,
        found: `${this.#position} bytes`,
      });
    }
    this.at = 0;
    this.#end = (got / recordBytes) * this.#words;
    return got > 0;
  }

  /** Move to the next record; false at the end of the run. */
  advance(): boolean {
    this.at += this.#words;
    return this.at < this.#end || this.refill();
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/**
 * Merge sorted runs in one pass: `emit` sees every record in (u, v) order, records with equal (u, v)
 * in run order and, within a run, in file order (so the merge of runs written in input order is a
 * stable sort of the input).
 */
function mergePass(paths: readonly string[], words: number, emit: (r: RunReader) => void): void {
  const readers: RunReader[] = [];
  try {
    for (const path of paths) readers.push(new RunReader(path, words));
    // binary min-heap of reader indices by (u, v, reader index)
    const heap: number[] = [];
    const less = (i: number, j: number) => {
      const a = readers[i];
      const b = readers[j];
      const au = a.u32[a.at];
      const bu = b.u32[b.at];
      if (au !== bu) return au < bu;
      const av = a.u32[a.at + 1];
      const bv = b.u32[b.at + 1];
      if (av !== bv) return av < bv;
      return i < j;
    };
    const siftDown = (start: number) => {
      let p = start;
      for (;;) {
        const l = 2 * p + 1;
        if (l >= heap.length) return;
        const c = l + 1 < heap.length && less(heap[l + 1], heap[l]) ? l + 1 : l;
        if (!less(heap[c], heap[p])) return;
        const t = heap[c];
        heap[c] = heap[p];
        heap[p] = t;
        p = c;
      }
    };
    readers.forEach((r, i) => {
      if (r.refill()) heap.push(i);
    });
    for (let p = (heap.length >> 1) - 1; p >= 0; p--) siftDown(p);
    while (heap.length > 0) {
      const top = readers[heap[0]];
      emit(top);
      if (!top.advance()) {
        const last = heap.pop() as number;
        if (heap.length === 0) break;
        heap[0] = last;
      }
      siftDown(0);
    }
  } finally {
    for (const r of readers) r.close();
  }
}

/** Options of {@link mergeEdgeRuns}. */
export interface MergeEdgeRunsOptions {
  /** Histogram bins per record (as written). */
  bins: number;
  /** Most runs merged at once (default 64); more runs are first merged in groups into longer runs. */
  fanIn?: number;
  /** Folder for intermediate runs (default: the folder of the first run). */
  folder?: string;
  /** Upper bound of the number of merged edges (default: the number of records). */
  capacity?: number;
}

/**
 * External sort of region-graph edges, phase two: merge the runs of an {@link EdgeRunWriter} into
 * flat edges sorted by (u, v), one edge per pair. The statistics of records with the same pair are
 * added in the order the records were added to the writer (0 + first + second + …), so the sums are
 * bit for bit those of an in-memory merge in that order. Input runs are deleted as they are merged.
 */
export function mergeEdgeRuns(
  runs: readonly string[],
  records: number,
  options: MergeEdgeRunsOptions,
): FlatEdges {
  const bins = options.bins;
  const words = recordWords(bins);
  const fanIn = Math.max(2, options.fanIn ?? 64);
  let paths = [...runs];
  for (let pass = 1; paths.length > fanIn; pass++) {
    const folder = options.folder ?? join(paths[0], "..");
    const next: string[] = [];
    for (let g = 0; g < paths.length; g += fanIn) {
      const group = paths.slice(g, g + fanIn);
      const path = join(folder, `run-${pass}-${next.length}.bin`);
      const out = new RunFileWriter(path, words);
      mergePass(group, words, (r) => out.push(r.u32, r.at));
      out.close();
      for (const p of group) rmSync(p, { force: true });
      next.push(path);
    }
    paths = next;
  }
  const edges = allocateFlatEdges(options.capacity ?? records, bins);
  const { u, v, sum, count, first } = edges;
  const histogram = edges.histogram;
  let m = 0;
  let lastU = -1;
  let lastV = -1;
  mergePass(paths, words, (r) => {
    const w = r.at;
    const ru = r.u32[w];
    const rv = r.u32[w + 1];
    const f = w >> 1;
    if (ru !== lastU || rv !== lastV) {
      u[m] = ru;
      v[m] = rv;
      sum[m] = 0;
      count[m] = 0;
      first[m] = Number.POSITIVE_INFINITY;
      m++;
      lastU = ru;
      lastV = rv;
    }
    const e = m - 1;
    sum[e] += r.f64[f + 1];
    count[e] += r.f64[f + 2];
    if (r.f64[f + 3] < first[e]) first[e] = r.f64[f + 3];
    if (histogram) for (let b = 0; b < bins; b++) histogram[e * bins + b] += r.u32[w + 8 + b];
  });
  for (const p of paths) rmSync(p, { force: true });
  edges.size = m;
  return edges;
}
