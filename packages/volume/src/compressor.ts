import { promisify } from "node:util";
import * as zlib from "node:zlib";
import * as zarr from "zarrita";
import { encodeOnPool } from "./chunk-pool.js";
import { UnsupportedCompressorError } from "./errors.js";

/** zlib stream (numcodecs `zlib`), encoded and decoded with node:zlib. */
export interface ZlibCompressor {
  id: "zlib";
  /** 0–9 (default 5). */
  level?: number;
}

/** gzip member (numcodecs `gzip`), encoded and decoded with node:zlib. */
export interface GzipCompressor {
  id: "gzip";
  /** 0–9 (default 5). */
  level?: number;
}

/** Blosc frame (numcodecs `blosc`), through numcodecs' wasm build. */
export interface BloscCompressor {
  id: "blosc";
  /** Internal codec (default lz4). */
  cname?: "lz4" | "lz4hc" | "blosclz" | "zstd" | "zlib";
  /** 0–9 (default 5). */
  clevel?: number;
  /** 0 none, 1 byte shuffle (default), 2 bit shuffle. */
  shuffle?: 0 | 1 | 2;
  /** Block size in bytes, 0 = automatic (default). */
  blocksize?: number;
}

/** A compressor Tessera writes and reads; `null` stores raw bytes. */
export type CompressorConfig = ZlibCompressor | GzipCompressor | BloscCompressor;

/** Compressor used when none is given: zlib level 5 (what python zarr reads everywhere). */
export const DEFAULT_COMPRESSOR: CompressorConfig = { id: "zlib", level: 5 };

const deflate = promisify(zlib.deflate);
const inflate = promisify(zlib.inflate);
const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

/** Encodes chunk bytes for storage. */
export interface ChunkEncoder {
  encode(bytes: Uint8Array): Promise<Uint8Array>;
}

function toU8(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function checkLevel(level: unknown, field: string, path?: string): number | undefined {
  if (level === undefined) return undefined;
  if (typeof level !== "number" || !Number.isInteger(level) || level < 0 || level > 9) {
    throw new UnsupportedCompressorError("invalid compression level", {
      path,
      field,
      expected: "an integer 0–9",
      found: JSON.stringify(level),
    });
  }
  return level;
}

/**
 * Check a compressor config read from `.zarray` or given by a caller. Returns it typed, or throws
 * {@link UnsupportedCompressorError} naming the id found.
 */
export function validateCompressor(config: unknown, path?: string): CompressorConfig | null {
  if (config === null || config === undefined) return null;
  const id = (config as { id?: unknown }).id;
  if (id === "zlib" || id === "gzip") {
    checkLevel((config as ZlibCompressor).level, "compressor.level", path);
    return config as CompressorConfig;
  }
  if (id === "blosc") {
    checkLevel((config as BloscCompressor).clevel, "compressor.clevel", path);
    return config as CompressorConfig;
  }
  throw new UnsupportedCompressorError("unsupported compressor", {
    path,
    field: "compressor.id",
    expected: "null, zlib, gzip or blosc",
    found: JSON.stringify(id ?? config),
  });
}

/** The encoder for a compressor (identity for `null`). */
export async function createEncoder(config: CompressorConfig | null): Promise<ChunkEncoder> {
  if (config === null) return { encode: async (bytes) => bytes };
  switch (config.id) {
    case "zlib": {
      const options = { level: config.level ?? 5 };
      return { encode: async (bytes) => toU8(await deflate(bytes, options)) };
    }
    case "gzip": {
      const options = { level: config.level ?? 5 };
      return { encode: async (bytes) => toU8(await gzip(bytes, options)) };
    }
    case "blosc": {
      const Blosc = (await import("numcodecs/blosc")).default;
      const full = {
        id: "blosc" as const,
        cname: config.cname ?? "lz4",
        clevel: config.clevel ?? 5,
        shuffle: config.shuffle ?? 1,
        blocksize: config.blocksize ?? 0,
      };
      const codec = Blosc.fromConfig(full);
      // large chunks are compressed on the worker pool (byte-identical to compressing here)
      return { encode: async (bytes) => encodeOnPool(full, bytes) ?? codec.encode(bytes) };
    }
  }
}

/** zarrita codec (bytes → bytes) backed by node:zlib, used for both directions of zlib and gzip. */
function nodeZlibCodec(format: "zlib" | "gzip") {
  return class NodeZlibCodec {
    readonly kind = "bytes_to_bytes";
    readonly #level: number;
    constructor(level: number) {
      this.#level = level;
    }
    static fromConfig(config: { level?: number }) {
      return new NodeZlibCodec(config?.level ?? 5);
    }
    async encode(bytes: Uint8Array): Promise<Uint8Array> {
      const options = { level: this.#level };
      const out = format === "zlib" ? await deflate(bytes, options) : await gzip(bytes, options);
      return toU8(out);
    }
    async decode(bytes: Uint8Array): Promise<Uint8Array> {
      return toU8(format === "zlib" ? await inflate(bytes) : await gunzip(bytes));
    }
  };
}

let registered = false;

/**
 * The payload of a blosc frame stored without compression (flag BLOSC_MEMCPYED: blosc found the data
 * incompressible and copied it after the 16-byte header, unshuffled), else undefined. Such frames
 * decode by taking that slice, as C-Blosc does, instead of a round trip through the wasm codec.
 */
export function bloscMemcpyedPayload(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length < 16 || (bytes[2] & 0x02) === 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  const nbytes = view.getUint32(4, true);
  const cbytes = view.getUint32(12, true);
  if (cbytes !== nbytes + 16 || bytes.length < cbytes) return undefined;
  return bytes.subarray(16, 16 + nbytes);
}

/** zarrita's numcodecs blosc, with {@link bloscMemcpyedPayload}'s shortcut for uncompressed frames. */
class BloscCodec {
  readonly kind = "bytes_to_bytes";
  readonly #codec: Promise<{
    encode(b: Uint8Array): Uint8Array | Promise<Uint8Array>;
    decode(b: Uint8Array): Uint8Array | Promise<Uint8Array>;
  }>;
  constructor(config: Record<string, unknown>) {
    this.#codec = import("numcodecs/blosc").then((m) => m.default.fromConfig(config as never));
  }
  static fromConfig(config: Record<string, unknown>) {
    return new BloscCodec(config ?? {});
  }
  async encode(bytes: Uint8Array): Promise<Uint8Array> {
    return (await this.#codec).encode(bytes);
  }
  async decode(bytes: Uint8Array): Promise<Uint8Array> {
    const payload = bloscMemcpyedPayload(bytes);
    return payload ? payload.slice() : (await this.#codec).decode(bytes);
  }
}

/**
 * Replace zarrita's decode-only zlib/gzip codecs with node:zlib ones that also encode and that decode
 * on libuv's thread pool, and its blosc codec with one that takes uncompressed frames as they are.
 * Idempotent.
 */
export function registerNodeCodecs(): void {
  if (registered) return;
  registered = true;
  const zlibCodec = nodeZlibCodec("zlib");
  const gzipCodec = nodeZlibCodec("gzip");
  for (const prefix of ["", "numcodecs."]) {
    // biome-ignore lint/suspicious/noExplicitAny: zarrita's registry is typed for its own codec classes.
    zarr.registry.set(`${prefix}zlib`, (() => zlibCodec) as any);
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    zarr.registry.set(`${prefix}gzip`, (() => gzipCodec) as any);
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    zarr.registry.set(`${prefix}blosc`, (() => BloscCodec) as any);
  }
}
