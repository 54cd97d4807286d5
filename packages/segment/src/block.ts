import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  BlockGrid,
  Box,
  createVolume,
  openVolume,
  type TypedArray,
  type Volume,
  writeFileAtomic,
} from "@tessera/volume";
import { affinitiesFromBoundaries } from "./affinities.js";
import { agglomerate } from "./agglomerate.js";
import type { ScalarArray } from "./arrays.js";
import { SegmentBlockError, SegmentError, SegmentShapeError } from "./errors.js";
import { readGraphFile, writeGraphFile } from "./graph-file.js";
import { parseOptions, type SegmentRun, type SegmentRunInput, segmentRunSchema } from "./options.js";
import { fragmentsFromBoundaries, scaleBoundaries } from "./pipeline.js";
import { buildRegionGraph, mergeRegionGraphs, type RegionGraph } from "./region-graph.js";

/** What a block task reports to the workflow. */
export interface BlockSummary {
  block: number;
  /** Voxels written (or read, for graph tasks). */
  voxels: number;
  /** Fragments, edges or segments produced, depending on the step. */
  count: number;
  seconds: number;
}

/** Validate a run configuration (throws {@link SegmentOptionsError} naming the field). */
export function parseRun(config: SegmentRunInput | SegmentRun | unknown, path?: string): SegmentRun {
  return parseOptions(segmentRunSchema, config, path);
}

/** The block grid of a run over its boundary volume. */
export async function runGrid(run: SegmentRun): Promise<{ grid: BlockGrid; boundaries: Volume }> {
  const boundaries = await openVolume(run.boundaries);
  if (boundaries.shape.length !== 3) {
    throw new SegmentShapeError("boundaries must be 3-D", {
      path: run.boundaries,
      field: "shape",
      expected: "[z, y, x]",
      found: JSON.stringify(boundaries.shape),
    });
  }
  const grid = new BlockGrid({
    roi: boundaries.bounds,
    blockShape: run.blockShape,
    context: run.context,
    bounds: boundaries.bounds,
  });
  return { grid, boundaries };
}

/** Ids of block `id` start above `id · (voxels of a full block)`: unique without coordination. */
function idOffset(grid: BlockGrid, id: number): number {
  return id * grid.blockShape.reduce((a, b) => a * b, 1);
}

function fragmentsDtype(grid: BlockGrid): "uint32" | "uint64" {
  return idOffset(grid, grid.count) < 2 ** 32 ? "uint32" : "uint64";
}

/**
 * Create the outputs of a run (fragments and segmentation volumes chunked like the blocks, the graph
 * folder). Idempotent unless `overwrite` was asked for on an existing run with another shape.
 */
export async function prepareRun(run: SegmentRun): Promise<BlockGrid> {
  const { grid, boundaries } = await runGrid(run);
  const attrs = { resolution: boundaries.resolution, source: run.boundaries };
  const ensure = async (path: string, dtype: "uint32" | "uint64") => {
    try {
      const v = await openVolume(path);
      if (!run.overwrite && v.shape.every((s, i) => s === boundaries.shape[i]) && v.dtype === dtype) return;
    } catch {
      // absent: create below
    }
    await createVolume(path, {
      shape: boundaries.shape,
      chunks: run.blockShape,
      dtype,
      attrs,
      overwrite: true,
    });
  };
  await ensure(run.fragments, fragmentsDtype(grid));
  await ensure(run.segmentation, "uint32");
  await mkdir(run.graph, { recursive: true });
  return grid;
}

function asScalar(data: TypedArray, path: string): ScalarArray {
  if (
    data instanceof Uint8Array ||
    data instanceof Uint16Array ||
    data instanceof Float32Array ||
    data instanceof Float64Array
  ) {
    return data;
  }
  throw new SegmentShapeError("unsupported boundary dtype", {
    path,
    field: "dtype",
    expected: "uint8, uint16, float32 or float64",
    found: data.constructor.name,
  });
}

function shape3(box: Box): [number, number, number] {
  const s = box.shape;
  return [s[0], s[1], s[2]];
}

async function withBlock<T>(block: number, path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SegmentError && error.block !== undefined) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new SegmentBlockError(`block task failed: ${message}`, { path, block, cause: error });
  }
}

/**
 * Fragments of block `id`: read the block plus context from the boundary map, run the watershed,
 * keep the write block, give its fragments globally unique ids (`id · blockVoxels + local id`) and
 * write them.
 */
export async function runFragmentsBlock(run: SegmentRun, id: number): Promise<BlockSummary> {
  return withBlock(id, run.fragments, async () => {
    const started = performance.now();
    const { grid, boundaries } = await runGrid(run);
    const block = grid.block(id);
    const p = scaleBoundaries(
      asScalar((await boundaries.read(block.readBox)).data, run.boundaries),
      run.boundary,
    );
    const readShape = shape3(block.readBox);
    const { fragments } = fragmentsFromBoundaries(p, readShape, run.fragmentsOptions);
    const out = await openVolume(run.fragments);
    const [wz, wy, wx] = block.writeBox.shape;
    const o = block.writeBox.begin.map((b, i) => b - block.readBox.begin[i]);
    const [, RY, RX] = readShape;
    const offset = idOffset(grid, id);
    // local ids → consecutive within the write block, then offset
    const local = new Map<number, number>();
    const ids = new Float64Array(wz * wy * wx);
    let k = 0;
    for (let z = 0; z < wz; z++) {
      for (let y = 0; y < wy; y++) {
        const row = ((z + o[0]) * RY + y + o[1]) * RX + o[2];
        for (let x = 0; x < wx; x++) {
          const f = fragments[row + x];
          if (f === 0) {
            ids[k++] = 0;
            continue;
          }
          let g = local.get(f);
          if (g === undefined) {
            g = offset + local.size + 1;
            local.set(f, g);
          }
          ids[k++] = g;
        }
      }
    }
    const data = out.dtype === "uint64" ? BigUint64Array.from(ids, (v) => BigInt(v)) : Uint32Array.from(ids);
    await out.write(block.writeBox, data);
    await writeFileAtomic(
      faceFile(run, id),
      faceContinuity(fragments, readShape, block.readBox, block.writeBox, grid),
    );
    return {
      block: id,
      voxels: ids.length,
      count: local.size,
      seconds: (performance.now() - started) / 1000,
    };
  });
}

/** Path of block `id`'s face-continuity file. */
export function faceFile(run: SegmentRun, id: number): string {
  return join(run.graph, `block-${id}.faces`);
}

/**
 * For each of the write box's six faces that borders another block (axis 0..2, low side then high
 * side), one byte per face voxel pair (inside voxel, outside voxel): 1 when this block's watershed put
 * both in the same fragment. Two blocks that agree a fragment continues across their face get it joined.
 */
function faceContinuity(
  fragments: Uint32Array,
  readShape: readonly number[],
  readBox: Box,
  writeBox: Box,
  grid: BlockGrid,
): Uint8Array {
  const [, RY, RX] = readShape;
  const parts: Uint8Array[] = [];
  for (let c = 0; c < 3; c++) {
    for (const side of [0, 1]) {
      const inside = side === 0 ? writeBox.begin[c] : writeBox.end[c] - 1;
      const outside = side === 0 ? inside - 1 : inside + 1;
      if (outside < grid.roi.begin[c] || outside >= grid.roi.end[c]) {
        parts.push(new Uint8Array(0));
        continue;
      }
      const [a1, a2] = [0, 1, 2].filter((a) => a !== c);
      const n1 = writeBox.end[a1] - writeBox.begin[a1];
      const n2 = writeBox.end[a2] - writeBox.begin[a2];
      const bits = new Uint8Array(n1 * n2);
      const at = (pos: number[]) =>
        ((pos[0] - readBox.begin[0]) * RY + pos[1] - readBox.begin[1]) * RX + pos[2] - readBox.begin[2];
      const pos = [0, 0, 0];
      for (let u = 0; u < n1; u++) {
        for (let v = 0; v < n2; v++) {
          pos[a1] = writeBox.begin[a1] + u;
          pos[a2] = writeBox.begin[a2] + v;
          pos[c] = inside;
          const f = fragments[at(pos)];
          pos[c] = outside;
          bits[u * n2 + v] = f !== 0 && fragments[at(pos)] === f ? 1 : 0;
        }
      }
      parts.push(bits);
    }
  }
  return Buffer.concat(parts);
}

/** The face-continuity bytes of block `id`'s face (axis c, side 0 low / 1 high). */
async function readFace(
  run: SegmentRun,
  grid: BlockGrid,
  id: number,
  c: number,
  side: number,
): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(faceFile(run, id));
  } catch (error) {
    throw new SegmentBlockError(
      "face file of a block is missing (run `segment fragments block --id N` first)",
      {
        path: faceFile(run, id),
        block: id,
        expected: "an existing .faces file",
        found: "no file",
        cause: error,
      },
    );
  }
  const w = grid.block(id).writeBox;
  let offset = 0;
  for (let a = 0; a < 3; a++) {
    for (const s of [0, 1]) {
      const outside = s === 0 ? w.begin[a] - 1 : w.end[a];
      const present = outside >= grid.roi.begin[a] && outside < grid.roi.end[a];
      const [a1, a2] = [0, 1, 2].filter((k) => k !== a);
      const size = present ? (w.end[a1] - w.begin[a1]) * (w.end[a2] - w.begin[a2]) : 0;
      if (a === c && s === side) return new Uint8Array(bytes.buffer, bytes.byteOffset + offset, size);
      offset += size;
    }
  }
  return new Uint8Array(0);
}

function numberData(data: TypedArray): ArrayLike<number> {
  if (data instanceof BigUint64Array || data instanceof BigInt64Array)
    return Float64Array.from(data, (v) => Number(v));
  return data as ArrayLike<number>;
}

/** Path of block `id`'s region graph file. */
export function graphFile(run: SegmentRun, id: number): string {
  return join(run.graph, `block-${id}.graph`);
}

/**
 * Region graph of block `id`: every face between a voxel of the write block and its neighbour at −1
 * along an axis (which may lie in the previous block), with affinities 1 − max(p, p′) from the
 * boundary map. Cross-block faces are therefore counted exactly once, by the later block.
 */
export async function runGraphBlock(run: SegmentRun, id: number): Promise<BlockSummary> {
  return withBlock(id, graphFile(run, id), async () => {
    const started = performance.now();
    const { grid, boundaries } = await runGrid(run);
    const block = grid.block(id);
    const box = new Box(
      block.writeBox.begin.map((b) => Math.max(0, b - 1)),
      block.writeBox.end,
    );
    const shape = shape3(box);
    const fragmentsVolume = await openVolume(run.fragments);
    const fragments = numberData((await fragmentsVolume.read(box)).data);
    const p = scaleBoundaries(asScalar((await boundaries.read(box)).data, run.boundaries), run.boundary);
    const aff = affinitiesFromBoundaries(p, shape, { maxValue: 1 });
    const begin = block.writeBox.begin.map((b, i) => b - box.begin[i]);
    const end = block.writeBox.end.map((e, i) => e - box.begin[i]);
    const graph = buildRegionGraph(fragments, shape, aff, {
      histogramBins: run.agglomerate.histogramBins,
      resolutionNm: boundaries.resolution as [number, number, number] | undefined,
      region: { begin, end },
    });
    // fragments owned by this block (so isolated ones still get a segment)
    const owned = new Set<number>();
    const [, Y, X] = shape;
    for (let z = begin[0]; z < end[0]; z++)
      for (let y = begin[1]; y < end[1]; y++) {
        let prev = -1;
        for (let x = begin[2]; x < end[2]; x++) {
          const f = fragments[(z * Y + y) * X + x];
          if (f !== prev && f !== 0) owned.add(f);
          prev = f;
        }
      }
    // links: fragments that both neighbouring blocks saw continue across a lower face
    const links: number[] = [];
    const w = block.writeBox;
    for (let c = 0; c < 3; c++) {
      if (w.begin[c] === grid.roi.begin[c]) continue;
      const coords = [...block.coords];
      coords[c]--;
      const mine = await readFace(run, grid, id, c, 0);
      const theirs = await readFace(run, grid, grid.idOf(coords), c, 1);
      const [a1, a2] = [0, 1, 2].filter((a) => a !== c);
      const n2 = w.end[a2] - w.begin[a2];
      const pos = [0, 0, 0];
      const at = () => (pos[0] * Y + pos[1]) * X + pos[2];
      for (let k = 0; k < mine.length; k++) {
        if (mine[k] === 0 || theirs[k] === 0) continue;
        pos[a1] = begin[a1] + Math.floor(k / n2);
        pos[a2] = begin[a2] + (k % n2);
        pos[c] = begin[c];
        const inside = fragments[at()];
        pos[c] = begin[c] - 1;
        const outside = fragments[at()];
        if (inside !== outside && inside !== 0 && outside !== 0)
          links.push(Math.min(inside, outside), Math.max(inside, outside));
      }
    }
    await writeGraphFile(
      graphFile(run, id),
      graph,
      Float64Array.from(owned).sort(),
      Float64Array.from(links),
    );
    return {
      block: id,
      voxels: block.writeBox.size,
      count: graph.size,
      seconds: (performance.now() - started) / 1000,
    };
  });
}

/** Path of the fragment → segment lookup written by {@link agglomerateRun}. */
export function lookupFile(run: SegmentRun): string {
  return join(run.graph, "lookup.bin");
}

/**
 * Global agglomeration: merge every block's region graph, agglomerate at all thresholds in one pass,
 * and write the lookup fragment → consecutive segment id for each threshold (`lookup.bin`, plus
 * `agglomeration.json` with thresholds and counts).
 */
export async function agglomerateRun(
  run: SegmentRun,
  onProgress?: (done: number, total: number) => void,
): Promise<{ fragments: number; edges: number; segments: number[]; seconds: number }> {
  const started = performance.now();
  const { grid } = await runGrid(run);
  const graphs = [];
  const ids: Float64Array[] = [];
  const parent = new Map<number, number>();
  const find = (f: number): number => {
    let r = f;
    for (let p = parent.get(r); p !== undefined && p !== r; p = parent.get(r)) r = p;
    parent.set(f, r);
    return r;
  };
  for (let id = 0; id < grid.count; id++) {
    const { graph, fragmentIds, links } = await readGraphFile(graphFile(run, id), id);
    graphs.push(graph);
    ids.push(fragmentIds);
    for (let k = 0; k < links.length; k += 2) {
      const a = find(links[k]);
      const b = find(links[k + 1]);
      if (a < b) parent.set(b, a);
      else if (b < a) parent.set(a, b);
    }
    onProgress?.(id + 1, grid.count);
  }
  // join fragments continuous across faces: rename to the smallest id of each linked set
  for (const g of graphs) {
    for (let e = 0; e < g.size; e++) {
      const a = find(g.u[e]);
      const b = find(g.v[e]);
      g.u[e] = Math.min(a, b);
      g.v[e] = Math.max(a, b);
    }
  }
  const joined = mergeRegionGraphs(graphs);
  const merged = withoutSelfEdges(joined);
  const allIds = new Float64Array(ids.reduce((s, a) => s + a.length, 0));
  let k = 0;
  for (const a of ids) {
    allIds.set(a, k);
    k += a.length;
  }
  allIds.sort();
  const roots = allIds.map((f) => find(f));
  const result = agglomerate(merged, run.agglomerate.thresholds, {
    scoring: run.agglomerate.scoring,
    fragmentIds: roots,
  });
  const rootIndex = new Map<number, number>();
  result.fragmentIds.forEach((f, k) => {
    rootIndex.set(f, k);
  });
  // consecutive segment ids per threshold, in order of the smallest fragment id of each segment
  const n = allIds.length;
  const tables = result.segments.map((seg) => {
    const map = new Map<number, number>();
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const segment = seg[rootIndex.get(roots[i]) as number];
      let s = map.get(segment);
      if (s === undefined) {
        s = map.size + 1;
        map.set(segment, s);
      }
      out[i] = s;
    }
    return { out, count: map.size };
  });
  const header = new Uint32Array([n, tables.length]);
  const parts = [header, allIds, ...tables.map((t) => t.out)];
  await writeFileAtomic(
    lookupFile(run),
    Buffer.concat(parts.map((p) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength))),
  );
  const segments = tables.map((t) => t.count);
  await writeFileAtomic(
    join(run.graph, "agglomeration.json"),
    `${JSON.stringify({ thresholds: result.thresholds, merges: result.merges, segments, fragments: n, edges: merged.size }, null, 2)}\n`,
  );
  return { fragments: n, edges: merged.size, segments, seconds: (performance.now() - started) / 1000 };
}

function withoutSelfEdges(g: RegionGraph): RegionGraph {
  const keep: number[] = [];
  for (let e = 0; e < g.size; e++) if (g.u[e] !== g.v[e]) keep.push(e);
  const pick = (a: Float64Array) => Float64Array.from(keep, (e) => a[e]);
  const histogram = g.histogram;
  return {
    size: keep.length,
    u: pick(g.u),
    v: pick(g.v),
    sum: pick(g.sum),
    count: pick(g.count),
    areaNm2: g.areaNm2 ? pick(g.areaNm2) : undefined,
    bins: g.bins,
    histogram: histogram
      ? Uint32Array.from(
          { length: keep.length * g.bins },
          (_, k) => histogram[keep[Math.floor(k / g.bins)] * g.bins + (k % g.bins)],
        )
      : undefined,
  };
}

async function readLookup(run: SegmentRun): Promise<{ ids: Float64Array; tables: Float64Array[] }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(lookupFile(run));
  } catch (error) {
    throw new SegmentBlockError("agglomeration lookup is missing (run `segment agglomerate` first)", {
      path: lookupFile(run),
      expected: "lookup.bin",
      found: "no file",
      cause: error,
    });
  }
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const [n, t] = new Uint32Array(buffer, 0, 2);
  const ids = new Float64Array(buffer, 8, n);
  const tables = Array.from({ length: t }, (_, k) => new Float64Array(buffer, 8 + 8 * n * (k + 1), n));
  return { ids, tables };
}

/** Relabel block `id`: map its fragments through the lookup of `run.thresholdIndex` and write the segmentation. */
export async function runRelabelBlock(run: SegmentRun, id: number): Promise<BlockSummary> {
  return withBlock(id, run.segmentation, async () => {
    const started = performance.now();
    const { grid } = await runGrid(run);
    const block = grid.block(id);
    const { ids, tables } = await readLookup(run);
    const table = tables[run.thresholdIndex];
    if (table === undefined) {
      throw new SegmentBlockError("threshold index out of range", {
        field: "thresholdIndex",
        expected: `< ${tables.length}`,
        found: String(run.thresholdIndex),
      });
    }
    const fragments = numberData((await (await openVolume(run.fragments)).read(block.writeBox)).data);
    const out = new Uint32Array(fragments.length);
    let prev = -1;
    let mapped = 0;
    const segments = new Set<number>();
    for (let i = 0; i < fragments.length; i++) {
      const f = fragments[i];
      if (f !== prev) {
        prev = f;
        if (f === 0) mapped = 0;
        else {
          // binary search in the sorted fragment ids
          let lo = 0;
          let hi = ids.length - 1;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (ids[mid] < f) lo = mid + 1;
            else hi = mid;
          }
          if (ids[lo] !== f) {
            throw new SegmentBlockError("fragment missing from the agglomeration lookup", {
              block: id,
              field: "fragment id",
              expected: "an id listed by the block graphs",
              found: String(f),
            });
          }
          mapped = table[lo];
        }
        segments.add(mapped);
      }
      out[i] = mapped;
    }
    await (await openVolume(run.segmentation)).write(block.writeBox, out);
    return {
      block: id,
      voxels: out.length,
      count: segments.size,
      seconds: (performance.now() - started) / 1000,
    };
  });
}

/** Run every step of a blockwise segmentation in this process (blocks one after another). */
export async function segmentBlockwise(
  config: SegmentRunInput | SegmentRun,
  onProgress?: (step: "fragments" | "graph" | "agglomerate" | "relabel", done: number, total: number) => void,
): Promise<{ blocks: number; fragments: number; segments: number }> {
  const run = parseRun(config);
  const grid = await prepareRun(run);
  let fragments = 0;
  for (let id = 0; id < grid.count; id++) {
    fragments += (await runFragmentsBlock(run, id)).count;
    onProgress?.("fragments", id + 1, grid.count);
  }
  for (let id = 0; id < grid.count; id++) {
    await runGraphBlock(run, id);
    onProgress?.("graph", id + 1, grid.count);
  }
  const agg = await agglomerateRun(run, (d, t) => onProgress?.("agglomerate", d, t));
  for (let id = 0; id < grid.count; id++) {
    await runRelabelBlock(run, id);
    onProgress?.("relabel", id + 1, grid.count);
  }
  return { blocks: grid.count, fragments, segments: agg.segments[run.thresholdIndex] ?? 0 };
}
