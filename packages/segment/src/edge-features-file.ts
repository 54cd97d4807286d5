import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "@tessera/volume";
import type { BlockEdgeFeatures } from "./block-edge-features.js";
import type { ContactStats } from "./edge-features.js";
import { SegmentBlockError } from "./errors.js";

const MAGIC = 0x54534546; // "TSEF"
const VERSION = 2;
const HEADER_BYTES = 32;

/** The arrays of one set of contact statistics, in file order. */
const statsParts = (s: ContactStats): ArrayBufferView[] => [
  s.count,
  s.sum,
  s.sumSq,
  s.min,
  s.max,
  s.histogram,
];

/**
 * Write a block's edge-feature accumulators ({@link BlockEdgeFeatures}) to `path`, atomically, as
 * little-endian binary: header u32 [magic 0x54534546 "TSEF", version 2, bins, regions R, edges E,
 * raw (0 or 1), 0, 0]; with raw, f64 [raw range low, high]; then f64 region ids, voxels, surfaces (R
 * each); f64 u, v (fragment ids, u < v), then the boundary statistics: f64 count, sum, sumSq, min,
 * max (E each) and u32 histograms (E × bins, edge-major); with raw, the raw statistics in the same
 * layout. 32 + 8 (3R + 7E) + 4 E bins bytes, plus 16 + 8 · 5E + 4 E bins with raw. Version 1 files
 * (no raw flag, no raw statistics) are read too.
 */
export async function writeEdgeFeaturesFile(path: string, f: BlockEdgeFeatures): Promise<void> {
  const raw = f.raw && f.rawRange ? 1 : 0;
  const header = new Uint32Array([MAGIC, VERSION, f.bins, f.regionIds.length, f.edges, raw, 0, 0]);
  const parts: ArrayBufferView[] = [
    header,
    ...(f.raw && f.rawRange ? [Float64Array.from(f.rawRange)] : []),
    f.regionIds,
    f.regionVoxels,
    f.regionSurface,
    f.u,
    f.v,
    ...statsParts(f.boundary),
    ...(f.raw && f.rawRange ? statsParts(f.raw) : []),
  ];
  const bytes = Buffer.concat(parts.map((p) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength)));
  await writeFileAtomic(path, bytes);
}

/**
 * Read a file written by {@link writeEdgeFeaturesFile}; throws {@link SegmentBlockError} naming the
 * file (and `block`) when it is absent, foreign or truncated.
 */
export async function readEdgeFeaturesFile(path: string, block?: number): Promise<BlockEdgeFeatures> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new SegmentBlockError(
      "edge features of a block are missing (run the agglomerate step's graph blocks with agglomerate.model set)",
      { path, block, expected: "an existing .features file", found: "no file", cause: error },
    );
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const header = new Uint32Array(buffer, 0, Math.min(8, bytes.byteLength >> 2));
  if (bytes.byteLength < HEADER_BYTES || header[0] !== MAGIC || (header[1] !== 1 && header[1] !== VERSION)) {
    throw new SegmentBlockError("not an edge features file", {
      path,
      block,
      expected: `magic ${MAGIC.toString(16)}, version 1 or ${VERSION}`,
      found: `${header[0]?.toString(16)}, ${header[1]}`,
    });
  }
  const [, version, bins, regions, edges, rawFlag] = header;
  const hasRaw = version >= 2 && rawFlag === 1;
  const statsBytes = 8 * 5 * edges + 4 * edges * bins;
  const expected = HEADER_BYTES + 8 * (3 * regions + 2 * edges) + statsBytes + (hasRaw ? 16 + statsBytes : 0);
  if (bytes.byteLength !== expected) {
    throw new SegmentBlockError("truncated edge features file", {
      path,
      block,
      expected: `${expected} bytes`,
      found: `${bytes.byteLength} bytes`,
    });
  }
  let offset = HEADER_BYTES;
  const f64 = (n: number) => {
    // the raw statistics follow u32 histograms, so they start 8-byte aligned only when E · bins is even
    const a =
      offset % 8 === 0
        ? new Float64Array(buffer, offset, n)
        : new Float64Array(buffer.slice(offset, offset + 8 * n));
    offset += 8 * n;
    return a;
  };
  const rawRange = hasRaw ? (Array.from(f64(2)) as [number, number]) : undefined;
  const regionIds = f64(regions);
  const regionVoxels = f64(regions);
  const regionSurface = f64(regions);
  const u = f64(edges);
  const v = f64(edges);
  const stats = (): ContactStats => {
    const s = { count: f64(edges), sum: f64(edges), sumSq: f64(edges), min: f64(edges), max: f64(edges) };
    const histogram = new Uint32Array(buffer, offset, edges * bins);
    offset += 4 * edges * bins;
    return { ...s, histogram };
  };
  const boundary = stats();
  const raw = hasRaw ? stats() : undefined;
  return {
    bins,
    regionIds,
    regionVoxels,
    regionSurface,
    edges,
    u,
    v,
    boundary,
    ...(raw && rawRange ? { raw, rawRange } : {}),
  };
}
