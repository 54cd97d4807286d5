import { type FileHandle, open, readFile } from "node:fs/promises";
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

function missingGraph(path: string, block: number | undefined, error: unknown): SegmentBlockError {
  return new SegmentBlockError(
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

/** Header fields of a graph file, checked against the file's size. */
interface GraphHeader {
  edges: number;
  bins: number;
  hasArea: number;
  fragments: number;
  links: number;
  hasFirst: number;
}

function checkHeader(
  path: string,
  block: number | undefined,
  header: Uint32Array,
  bytes: number,
): GraphHeader {
  if (bytes < 32 || header[0] !== MAGIC || header[1] !== VERSION) {
    throw new SegmentBlockError("not a region graph file", {
      path,
      block,
      expected: `magic ${MAGIC.toString(16)}, version ${VERSION}`,
      found: `${header[0]?.toString(16)}, ${header[1]}`,
    });
  }
  const [, , edges, bins, hasArea, fragments, links, hasFirst] = header;
  const expectedBytes =
    32 + 8 * (edges * (4 + hasArea + hasFirst) + fragments + 2 * links) + 4 * edges * bins;
  if (bytes !== expectedBytes) {
    throw new SegmentBlockError("truncated region graph file", {
      path,
      block,
      expected: `${expectedBytes} bytes`,
      found: `${bytes} bytes`,
    });
  }
  return { edges, bins, hasArea, fragments, links, hasFirst };
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
    throw missingGraph(path, block, error);
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const header = new Uint32Array(buffer, 0, Math.min(8, bytes.byteLength >> 2));
  const {
    edges: m,
    bins,
    hasArea,
    fragments,
    links: linkCount,
    hasFirst,
  } = checkHeader(path, block, header, bytes.byteLength);
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

/**
 * Read only the fragment ids and the links of a graph file (not its edges), e.g. to number the
 * fragments of a run before streaming its edges; same checks as {@link readGraphFile}.
 */
export async function readGraphNodes(
  path: string,
  block?: number,
): Promise<{ fragmentIds: Float64Array; links: Float64Array; edges: number; bins: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw missingGraph(path, block, error);
  }
  try {
    const { size } = await handle.stat();
    const header = new Uint32Array(8);
    await handle.read(new Uint8Array(header.buffer), 0, Math.min(32, size), 0);
    const h = checkHeader(path, block, header, size);
    const fragmentIds = new Float64Array(h.fragments);
    const links = new Float64Array(2 * h.links);
    const start = 32 + 8 * h.edges * (4 + h.hasArea + h.hasFirst);
    await readAt(handle, fragmentIds, start);
    await readAt(handle, links, start + fragmentIds.byteLength);
    return { fragmentIds, links, edges: h.edges, bins: h.bins };
  } finally {
    await handle.close();
  }
}

async function readAt(handle: FileHandle, into: Float64Array, position: number): Promise<void> {
  const bytes = new Uint8Array(into.buffer);
  let done = 0;
  while (done < bytes.length) {
    const { bytesRead } = await handle.read(bytes, done, bytes.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
}
