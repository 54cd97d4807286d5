import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "@tessera/volume";
import type { BlockEdgeFeatures } from "./block-edge-features.js";
import { SegmentBlockError } from "./errors.js";

const MAGIC = 0x54534546; // "TSEF"
const VERSION = 1;
const HEADER_BYTES = 32;

/**
 * Write a block's edge-feature accumulators ({@link BlockEdgeFeatures}) to `path`, atomically, as
 * little-endian binary: header u32 [magic 0x54534546 "TSEF", version 1, bins, regions R, edges E,
 * 0, 0, 0]; then f64 region ids, voxels, surfaces (R each); f64 u, v (fragment ids, u < v), count,
 * sum, sumSq, min, max (E each); then u32 histograms (E × bins, edge-major). 32 + 8 (3R + 7E) +
 * 4 E bins bytes.
 */
export async function writeEdgeFeaturesFile(path: string, f: BlockEdgeFeatures): Promise<void> {
  const header = new Uint32Array([MAGIC, VERSION, f.bins, f.regionIds.length, f.edges, 0, 0, 0]);
  const s = f.boundary;
  const parts: ArrayBufferView[] = [
    header,
    f.regionIds,
    f.regionVoxels,
    f.regionSurface,
    f.u,
    f.v,
    s.count,
    s.sum,
    s.sumSq,
    s.min,
    s.max,
    s.histogram,
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
  if (bytes.byteLength < HEADER_BYTES || header[0] !== MAGIC || header[1] !== VERSION) {
    throw new SegmentBlockError("not an edge features file", {
      path,
      block,
      expected: `magic ${MAGIC.toString(16)}, version ${VERSION}`,
      found: `${header[0]?.toString(16)}, ${header[1]}`,
    });
  }
  const [, , bins, regions, edges] = header;
  const expected = HEADER_BYTES + 8 * (3 * regions + 7 * edges) + 4 * edges * bins;
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
    const a = new Float64Array(buffer, offset, n);
    offset += 8 * n;
    return a;
  };
  const regionIds = f64(regions);
  const regionVoxels = f64(regions);
  const regionSurface = f64(regions);
  const u = f64(edges);
  const v = f64(edges);
  const count = f64(edges);
  const sum = f64(edges);
  const sumSq = f64(edges);
  const min = f64(edges);
  const max = f64(edges);
  const histogram = new Uint32Array(buffer, offset, edges * bins);
  return {
    bins,
    regionIds,
    regionVoxels,
    regionSurface,
    edges,
    u,
    v,
    boundary: { count, sum, sumSq, min, max, histogram },
  };
}
