import { randomBytes } from "node:crypto";
import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { type FileHandle, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { SegmentBlockError } from "./errors.js";
import type { SegmentRun } from "./options.js";

// lookup.bin, little-endian: u32 [fragments n, tables t], f64 ids[n] (ascending), then t tables of
// f64 segment[n] (table k: the segment of ids[i] at the k-th threshold, ascending).

/** Path of the fragment → segment lookup written by the agglomeration step. */
export function lookupFile(run: SegmentRun): string {
  return join(run.graph, "lookup.bin");
}

/** Values buffered per write of {@link LookupWriter}. */
const CHUNK = 1 << 16;

/**
 * Streaming, atomic writer of `lookup.bin`: the ids first, then each table value by value (buffered,
 * written in chunks), then {@link commit} renames the finished file over the target. Until then, and
 * after {@link abort}, the target is untouched.
 */
export class LookupWriter {
  readonly #path: string;
  readonly #temp: string;
  readonly #fd: number;
  readonly #n: number;
  readonly #tables: number;
  readonly #chunk = new Float64Array(CHUNK);
  #filled = 0;
  #written = 0;

  /** Start `path` with the sorted fragment ids and the number of tables that will follow. */
  constructor(path: string, ids: Float64Array, tables: number) {
    this.#path = path;
    this.#temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    this.#n = ids.length;
    this.#tables = tables;
    this.#fd = openSync(this.#temp, "w");
    try {
      this.#bytes(new Uint8Array(new Uint32Array([ids.length, tables]).buffer));
      this.#bytes(new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength));
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  #bytes(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(this.#fd, bytes, done);
  }

  #flush(): void {
    this.#bytes(new Uint8Array(this.#chunk.buffer, 0, this.#filled * 8));
    this.#filled = 0;
  }

  /** Append the next table value (tables one after another, `ids.length` values each). */
  push(segment: number): void {
    this.#chunk[this.#filled++] = segment;
    this.#written++;
    if (this.#filled === CHUNK) this.#flush();
  }

  /** Finish the file and rename it over the target. */
  commit(): void {
    this.#flush();
    closeSync(this.#fd);
    if (this.#written !== this.#n * this.#tables) {
      rmSync(this.#temp, { force: true });
      throw new SegmentBlockError("incomplete agglomeration lookup", {
        path: this.#path,
        expected: `${this.#n * this.#tables} table values`,
        found: String(this.#written),
      });
    }
    renameSync(this.#temp, this.#path);
  }

  /** Drop the temporary file (the target stays as it was). */
  abort(): void {
    try {
      closeSync(this.#fd);
    } catch {
      // already closed
    }
    rmSync(this.#temp, { force: true });
  }
}

function missing(run: SegmentRun, error: unknown): SegmentBlockError {
  return new SegmentBlockError("agglomeration lookup is missing (run `segment agglomerate` first)", {
    path: lookupFile(run),
    expected: "lookup.bin",
    found: "no file",
    cause: error,
  });
}

function checkSize(run: SegmentRun, n: number, t: number, bytes: number): void {
  const expected = 8 + 8 * n * (1 + t);
  if (bytes !== expected) {
    throw new SegmentBlockError("truncated or corrupt agglomeration lookup", {
      path: lookupFile(run),
      expected: `${expected} bytes for ${n} fragments and ${t} tables`,
      found: `${bytes} bytes`,
    });
  }
}

/** Read the whole lookup: fragment ids and one segment table per threshold. */
export async function readLookup(run: SegmentRun): Promise<{ ids: Float64Array; tables: Float64Array[] }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(lookupFile(run));
  } catch (error) {
    throw missing(run, error);
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  if (bytes.byteLength < 8) checkSize(run, 0, 0, bytes.byteLength);
  const [n, t] = new Uint32Array(buffer, 0, 2);
  checkSize(run, n, t, bytes.byteLength);
  const ids = new Float64Array(buffer, 8, n);
  const tables = Array.from({ length: t }, (_, k) => new Float64Array(buffer, 8 + 8 * n * (k + 1), n));
  return { ids, tables };
}

/** An open lookup file, for reading the parts of one table that blocks need. */
export interface LookupReader {
  /** Fragments in the lookup. */
  fragments: number;
  /**
   * The fragment ids in `[minId, maxId]` and their segments in the table (a binary search on the
   * file, then two reads), so relabelling a block reads memory in proportion to the block.
   */
  range(minId: number, maxId: number): Promise<{ ids: Float64Array; segments: Float64Array }>;
  /**
   * Like {@link LookupReader.range} for every table the reader was opened for, in that order
   * (`segments[j]` is the j-th table's), the ids read once.
   */
  ranges(minId: number, maxId: number): Promise<{ ids: Float64Array; segments: Float64Array[] }>;
  close(): Promise<void>;
}

/**
 * Open the lookup for reading table `tableIndex` (or each of several tables) by id ranges; checks the
 * file's size and the indices (typed errors naming the file) before anything else is read.
 */
export async function openLookup(
  run: SegmentRun,
  tableIndex: number | readonly number[],
): Promise<LookupReader> {
  const tableIndices = typeof tableIndex === "number" ? [tableIndex] : [...tableIndex];
  let handle: FileHandle;
  try {
    handle = await open(lookupFile(run), "r");
  } catch (error) {
    throw missing(run, error);
  }
  try {
    const { size } = await handle.stat();
    const head = new Uint32Array(2);
    const got = (await handle.read(new Uint8Array(head.buffer), 0, 8, 0)).bytesRead;
    if (got < 8) checkSize(run, 0, 0, size);
    const [n, t] = head;
    checkSize(run, n, t, size);
    const outside = tableIndices.find((k) => k >= t);
    if (outside !== undefined) {
      throw new SegmentBlockError("threshold index out of range", {
        path: lookupFile(run),
        field: "thresholdIndex",
        expected: `< ${t}`,
        found: String(outside),
      });
    }
    const value = new Float64Array(1);
    const idAt = async (i: number) => {
      await readFully(handle, value, 8 + 8 * i);
      return value[0];
    };
    // first index with id ≥ bound
    const lowerBound = async (bound: number) => {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if ((await idAt(mid)) < bound) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const ranges = async (minId: number, maxId: number) => {
      const begin = await lowerBound(minId);
      const end = maxId < minId ? begin : await lowerBound(maxId + 1);
      const ids = new Float64Array(end - begin);
      await readFully(handle, ids, 8 + 8 * begin);
      const segments: Float64Array[] = [];
      for (const k of tableIndices) {
        const table = new Float64Array(end - begin);
        await readFully(handle, table, 8 + 8 * n * (1 + k) + 8 * begin);
        segments.push(table);
      }
      return { ids, segments };
    };
    return {
      fragments: n,
      ranges,
      async range(minId, maxId) {
        const { ids, segments } = await ranges(minId, maxId);
        return { ids, segments: segments[0] };
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The fragment ids in `[minId, maxId]` and their segments in table `tableIndex` (see {@link openLookup}). */
export async function readLookupRange(
  run: SegmentRun,
  tableIndex: number,
  minId: number,
  maxId: number,
): Promise<{ ids: Float64Array; segments: Float64Array }> {
  const reader = await openLookup(run, tableIndex);
  try {
    return await reader.range(minId, maxId);
  } finally {
    await reader.close();
  }
}

/** Fill `into` from `handle` at byte `position` (the size was checked, so short reads only split). */
async function readFully(handle: FileHandle, into: Float64Array, position: number): Promise<void> {
  const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
  let done = 0;
  while (done < bytes.length) {
    const { bytesRead } = await handle.read(bytes, done, bytes.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
}
