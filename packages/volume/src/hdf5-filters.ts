import { inflateSync } from "node:zlib";
import { CorruptChunkError } from "./errors.js";
import type { PipelineFilter } from "./hdf5-format.js";
import { lzfDecompress } from "./lzf.js";

/** Names of the registered HDF5 filter ids Tessera may meet (for error messages). */
export const HDF5_FILTER_NAMES: Readonly<Record<number, string>> = {
  1: "deflate",
  2: "shuffle",
  3: "fletcher32",
  4: "szip",
  5: "nbit",
  6: "scaleoffset",
  307: "bzip2",
  32000: "lzf",
  32001: "blosc",
  32004: "lz4",
  32008: "bitshuffle",
  32013: "zfp",
  32015: "zstd",
  32017: "sz",
  32026: "blosc2",
};

/** Filters h5wasm's HDF5 build decodes itself (no plugins are installed). */
export const H5WASM_FILTERS: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6]);

/** Filters Tessera decodes in TypeScript from the raw chunks: deflate, shuffle, fletcher32, lzf. */
export const TESSERA_FILTERS: ReadonlySet<number> = new Set([1, 2, 3, 32000]);

/** `name(id)` of a filter: the registered name for known ids, else the name stored in the file. */
export function filterLabel(id: number, storedName = ""): string {
  return `${HDF5_FILTER_NAMES[id] ?? (storedName || "unknown")}(${id})`;
}

/** Where a chunk is, for error messages. */
export interface ChunkContext {
  file: string;
  dataset: string;
  chunk: string;
}

function corrupt(context: ChunkContext, expected: string, found: string, cause?: unknown): CorruptChunkError {
  return new CorruptChunkError("HDF5 chunk cannot be decoded", {
    path: context.file,
    field: `dataset "${context.dataset}" chunk ${context.chunk}`,
    expected,
    found,
    cause,
  });
}

/** HDF5's Fletcher-32 checksum (H5_checksum_fletcher32: big-endian 16-bit words, odd byte padded). */
export function fletcher32(data: Uint8Array): number {
  let sum1 = 0;
  let sum2 = 0;
  let words = data.length >>> 1;
  let i = 0;
  while (words > 0) {
    let block = Math.min(words, 360);
    words -= block;
    do {
      sum1 += (data[i] << 8) | data[i + 1];
      i += 2;
      sum2 += sum1;
    } while (--block);
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  if (data.length & 1) {
    sum1 += data[i] << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  return ((sum2 << 16) | sum1) >>> 0;
}

/** Undo the shuffle filter: byte `b` of element `i` was stored at `b * n + i`. */
export function unshuffle(input: Uint8Array, elementSize: number): Uint8Array {
  if (elementSize <= 1 || input.length < elementSize) return input;
  const n = Math.floor(input.length / elementSize);
  const out = new Uint8Array(input.length);
  for (let b = 0; b < elementSize; b++) {
    const from = b * n;
    for (let i = 0, o = b; i < n; i++, o += elementSize) out[o] = input[from + i];
  }
  // bytes beyond the last whole element are stored unshuffled
  out.set(input.subarray(n * elementSize), n * elementSize);
  return out;
}

/**
 * Decode a raw chunk through `pipeline` (applied in reverse; filters whose bit is set in
 * `filterMask` were skipped when the chunk was written). Returns exactly `chunkBytes` bytes or throws
 * {@link CorruptChunkError} naming the file, dataset and chunk.
 */
export function decodeHdf5Chunk(
  raw: Uint8Array,
  pipeline: readonly PipelineFilter[],
  filterMask: number,
  chunkBytes: number,
  context: ChunkContext,
): Uint8Array {
  let data = raw;
  for (let i = pipeline.length - 1; i >= 0; i--) {
    if (filterMask & (1 << i)) continue;
    const filter = pipeline[i];
    switch (filter.id) {
      case 32000: {
        const expected = filter.clientData[2] || chunkBytes;
        const out = new Uint8Array(expected);
        let written: number;
        try {
          written = lzfDecompress(data, out);
        } catch (error) {
          throw corrupt(
            context,
            "a valid LZF stream",
            (error as CorruptChunkError).found ?? String(error),
            error,
          );
        }
        data = out.subarray(0, written);
        break;
      }
      case 2:
        data = unshuffle(data, filter.clientData[0] ?? 1);
        break;
      case 1:
        try {
          data = new Uint8Array(inflateSync(data));
        } catch (error) {
          throw corrupt(context, "a zlib stream (deflate filter)", (error as Error).message, error);
        }
        break;
      case 3: {
        if (data.length < 4)
          throw corrupt(context, "data followed by a Fletcher-32 checksum", `${data.length} bytes`);
        const body = data.subarray(0, data.length - 4);
        const stored = new DataView(data.buffer, data.byteOffset + body.length, 4);
        const sum = fletcher32(body);
        const swapped = ((sum & 0xff) << 24) | ((sum & 0xff00) << 8) | ((sum >>> 8) & 0xff00) | (sum >>> 24);
        const little = stored.getUint32(0, true);
        if (little !== sum && little !== swapped >>> 0) {
          throw corrupt(context, `Fletcher-32 checksum ${sum}`, `${little}`);
        }
        data = body;
        break;
      }
      default:
        throw corrupt(
          context,
          "filters deflate, shuffle, fletcher32 or lzf",
          filterLabel(filter.id, filter.name),
        );
    }
  }
  if (data.length !== chunkBytes) {
    throw corrupt(context, `${chunkBytes} bytes after decoding`, `${data.length} bytes`);
  }
  return data;
}
