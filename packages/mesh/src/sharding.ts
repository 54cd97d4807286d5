import { gunzipSync, gzipSync } from "node:zlib";
import { z } from "zod";
import { MeshFormatError, MeshWriteError } from "./errors.js";
import { murmurHash64 } from "./murmurhash3.js";

/** Zod schema of a `neuroglancer_uint64_sharded_v1` sharding specification. */
export const shardingSpecSchema = z.object({
  "@type": z.literal("neuroglancer_uint64_sharded_v1"),
  preshift_bits: z.number().int().min(0).max(64),
  hash: z.enum(["identity", "murmurhash3_x86_128"]),
  minishard_bits: z.number().int().min(0).max(32),
  shard_bits: z.number().int().min(0).max(32),
  minishard_index_encoding: z.enum(["raw", "gzip"]).default("raw"),
  data_encoding: z.enum(["raw", "gzip"]).default("raw"),
});

/** A `neuroglancer_uint64_sharded_v1` sharding specification. */
export type ShardingSpec = z.infer<typeof shardingSpecSchema>;

/** Where a chunk id lands: its shard and minishard numbers. */
export interface ShardLocation {
  shard: number;
  minishard: number;
}

/** Shard and minishard of a chunk id: `hash(id >> preshift_bits)`, low bits minishard, next bits shard. */
export function shardLocation(spec: ShardingSpec, id: bigint): ShardLocation {
  const shifted = BigInt.asUintN(64, id) >> BigInt(spec.preshift_bits);
  const h = spec.hash === "identity" ? shifted : murmurHash64(shifted);
  const minishard = Number(h & ((1n << BigInt(spec.minishard_bits)) - 1n));
  const shard = Number((h >> BigInt(spec.minishard_bits)) & ((1n << BigInt(spec.shard_bits)) - 1n));
  return { shard, minishard };
}

/** File name of shard `n`: lowercase hex, zero-padded to `ceil(shard_bits / 4)` digits, `.shard`. */
export function shardFileName(spec: ShardingSpec, shard: number): string {
  return `${shard.toString(16).padStart(Math.ceil(spec.shard_bits / 4), "0")}.shard`;
}

/** One chunk to store: its id, its data, and optional bytes placed immediately before the data. */
export interface ShardEntry {
  id: bigint;
  /** The chunk (e.g. a multi-resolution mesh manifest); encoded with `data_encoding`. */
  data: Uint8Array;
  /** Bytes written just before the chunk and not indexed (multi-resolution mesh fragments). */
  prefix?: Uint8Array;
}

/**
 * Build the bytes of every non-empty shard: `{ shard index | per minishard: [prefix, chunk]... ,
 * minishard index }`, chunks sorted by id. Raises {@link MeshWriteError} on empty chunk data or
 * duplicate ids, so a shard is never written empty or ambiguous.
 */
export function encodeShards(spec: ShardingSpec, entries: ShardEntry[]): Map<number, Uint8Array> {
  const byShard = new Map<number, Map<number, ShardEntry[]>>();
  const seen = new Set<bigint>();
  for (const e of entries) {
    if (seen.has(e.id))
      throw new MeshWriteError("duplicate chunk id in sharded output", {
        field: "id",
        expected: "unique ids",
        found: String(e.id),
      });
    seen.add(e.id);
    if (e.data.length === 0)
      throw new MeshWriteError("refusing to store an empty chunk", {
        field: `chunk ${e.id}`,
        expected: "non-empty data",
        found: "0 bytes",
      });
    const loc = shardLocation(spec, e.id);
    let minis = byShard.get(loc.shard);
    if (!minis) byShard.set(loc.shard, (minis = new Map()));
    const list = minis.get(loc.minishard) ?? [];
    list.push(e);
    minis.set(loc.minishard, list);
  }
  const out = new Map<number, Uint8Array>();
  const nMini = 2 ** spec.minishard_bits;
  for (const [shard, minis] of byShard) {
    const parts: Uint8Array[] = [];
    let offset = 0; // relative to the end of the shard index
    const shardIndex = new DataView(new ArrayBuffer(nMini * 16));
    for (let m = 0; m < nMini; m++) {
      const list = (minis.get(m) ?? []).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      if (list.length === 0) continue;
      const n = list.length;
      const index = new DataView(new ArrayBuffer(24 * n));
      let prevId = 0n;
      let prevEnd = 0;
      for (let i = 0; i < n; i++) {
        const e = list[i];
        if (e.prefix && e.prefix.length > 0) {
          parts.push(e.prefix);
          offset += e.prefix.length;
        }
        const data = spec.data_encoding === "gzip" ? gzipSync(e.data) : e.data;
        index.setBigUint64(i * 8, e.id - prevId, true);
        index.setBigUint64((n + i) * 8, BigInt(offset - prevEnd), true);
        index.setBigUint64((2 * n + i) * 8, BigInt(data.length), true);
        parts.push(data);
        offset += data.length;
        prevId = e.id;
        prevEnd = offset;
      }
      const raw = new Uint8Array(index.buffer);
      const encoded = spec.minishard_index_encoding === "gzip" ? gzipSync(raw) : raw;
      shardIndex.setBigUint64(m * 16, BigInt(offset), true);
      parts.push(encoded);
      offset += encoded.length;
      shardIndex.setBigUint64(m * 16 + 8, BigInt(offset), true);
    }
    const bytes = new Uint8Array(nMini * 16 + offset);
    bytes.set(new Uint8Array(shardIndex.buffer), 0);
    let o = nMini * 16;
    for (const p of parts) {
      bytes.set(p, o);
      o += p.length;
    }
    out.set(shard, bytes);
  }
  return out;
}

/** A chunk read back from a shard: its data (decoded) and its byte range in the shard file. */
export interface ShardChunk {
  data: Uint8Array;
  /** Start of the (encoded) chunk in the shard file. */
  start: number;
}

/** Decode a minishard index into `[id, start, size]` triples (absolute start offsets). */
export function decodeMinishardIndex(
  spec: ShardingSpec,
  shard: Uint8Array,
  minishard: number,
  path?: string,
): [bigint, number, number][] {
  const nMini = 2 ** spec.minishard_bits;
  const dv = new DataView(shard.buffer, shard.byteOffset, shard.byteLength);
  if (shard.length < nMini * 16)
    throw new MeshFormatError("shard shorter than its index", {
      path,
      field: "shard index",
      expected: `${nMini * 16} bytes`,
      found: `${shard.length}`,
    });
  const start = Number(dv.getBigUint64(minishard * 16, true)) + nMini * 16;
  const end = Number(dv.getBigUint64(minishard * 16 + 8, true)) + nMini * 16;
  if (end === start) return [];
  if (end > shard.length || end < start)
    throw new MeshFormatError("minishard index out of range", {
      path,
      field: `minishard ${minishard}`,
      expected: `within ${shard.length} bytes`,
      found: `${start}..${end}`,
    });
  let raw = shard.subarray(start, end);
  if (spec.minishard_index_encoding === "gzip") raw = gunzipSync(raw);
  const idv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = raw.length / 24;
  const out: [bigint, number, number][] = [];
  let id = 0n;
  let pos = nMini * 16;
  for (let i = 0; i < n; i++) {
    id += idv.getBigUint64(i * 8, true);
    pos += Number(idv.getBigUint64((n + i) * 8, true));
    const size = Number(idv.getBigUint64((2 * n + i) * 8, true));
    out.push([id, pos, size]);
    pos += size;
  }
  return out;
}

/** Look a chunk up in the bytes of its shard; `undefined` when absent. */
export function readShardChunk(
  spec: ShardingSpec,
  shard: Uint8Array,
  id: bigint,
  path?: string,
): ShardChunk | undefined {
  const { minishard } = shardLocation(spec, id);
  for (const [cid, start, size] of decodeMinishardIndex(spec, shard, minishard, path)) {
    if (cid !== id) continue;
    let data = shard.subarray(start, start + size);
    if (spec.data_encoding === "gzip") data = gunzipSync(data);
    return { data, start };
  }
  return undefined;
}
