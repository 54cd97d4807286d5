import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "@tessera/volume";
import { SegmentBlockError } from "./errors.js";
import type { RegionGraph } from "./region-graph.js";

const MAGIC = 0x54534547; // "TSEG"
const VERSION = 1;

/**
 * Write a block's region graph and the ids of its fragments to `path` (binary, little-endian,
 * atomically): header u32 [magic, version, edges, bins, hasArea, fragments, links, hasFirstFace], then f64
 * u, v, sum, count, (area), (first face), f64 fragment ids, f64 link pairs (fragments continuous across a block face),
 * u32 histogram.
 */
export async function writeGraphFile(
  path: string,
  graph: RegionGraph,
  fragmentIds: Float64Array,
  links: Float64Array = new Float64Array(0),
): Promise<void> {
  const m = graph.size;
  const hasArea = graph.areaNm2 !== undefined ? 1 : 0;
  const hasFirst = graph.firstFace !== undefined ? 1 : 0;
  const header = new Uint32Array([
    MAGIC,
    VERSION,
    m,
    graph.bins,
    hasArea,
    fragmentIds.length,
    links.length / 2,
    hasFirst,
  ]);
  const parts: ArrayBufferView[] = [
    header,
    graph.u.subarray(0, m),
    graph.v.subarray(0, m),
    graph.sum.subarray(0, m),
    graph.count.subarray(0, m),
  ];
  if (hasArea) parts.push((graph.areaNm2 as Float64Array).subarray(0, m));
  if (hasFirst) parts.push((graph.firstFace as Float64Array).subarray(0, m));
  parts.push(fragmentIds, links);
  if (graph.bins > 0) parts.push((graph.histogram as Uint32Array).subarray(0, m * graph.bins));
  const bytes = Buffer.concat(parts.map((p) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength)));
  await writeFileAtomic(path, bytes);
}

/** Read a file written by {@link writeGraphFile}; throws {@link SegmentBlockError} when absent or corrupt. */
export async function readGraphFile(
  path: string,
  block?: number,
): Promise<{ graph: RegionGraph; fragmentIds: Float64Array; links: Float64Array }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new SegmentBlockError(
      "region graph of a block is missing (run `segment agglomerate block --id N` first)",
      {
        path,
        block,
        expected: "an existing graph file",
        found: "no file",
        cause: error,
      },
    );
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const header = new Uint32Array(buffer, 0, 8);
  if (bytes.byteLength < 32 || header[0] !== MAGIC || header[1] !== VERSION) {
    throw new SegmentBlockError("not a region graph file", {
      path,
      block,
      expected: `magic ${MAGIC.toString(16)}, version ${VERSION}`,
      found: `${header[0]?.toString(16)}, ${header[1]}`,
    });
  }
  const [, , m, bins, hasArea, fragments, linkCount, hasFirst] = header;
  const expectedBytes = 32 + 8 * (m * (4 + hasArea + hasFirst) + fragments + 2 * linkCount) + 4 * m * bins;
  if (bytes.byteLength !== expectedBytes) {
    throw new SegmentBlockError("truncated region graph file", {
      path,
      block,
      expected: `${expectedBytes} bytes`,
      found: `${bytes.byteLength} bytes`,
    });
  }
  let offset = 32;
  const f64 = (count: number) => {
    const a = new Float64Array(buffer, offset, count);
    offset += 8 * count;
    return a;
  };
  const u = f64(m);
  const v = f64(m);
  const sum = f64(m);
  const count = f64(m);
  const areaNm2 = hasArea ? f64(m) : undefined;
  const firstFace = hasFirst ? f64(m) : undefined;
  const fragmentIds = f64(fragments);
  const links = f64(2 * linkCount);
  const histogram = bins > 0 ? new Uint32Array(buffer, offset, m * bins) : undefined;
  return { graph: { size: m, u, v, sum, count, areaNm2, bins, histogram, firstFace }, fragmentIds, links };
}
