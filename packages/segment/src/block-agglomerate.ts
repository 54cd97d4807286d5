import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "@tessera/volume";
import { agglomerate } from "./agglomerate.js";
import { graphFile } from "./block-graph.js";
import { runGrid } from "./block-run.js";
import { SegmentBlockError } from "./errors.js";
import { readGraphFile } from "./graph-file.js";
import type { SegmentRun } from "./options.js";
import { mergeRegionGraphs, type RegionGraph } from "./region-graph.js";

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
  // keep one copy of the graph at a time: block graphs → joined → without self-edges
  const merged = withoutSelfEdges(mergeRegionGraphs(graphs.splice(0)));
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
    firstFace: g.firstFace ? pick(g.firstFace) : undefined,
    bins: g.bins,
    histogram: histogram
      ? Uint32Array.from(
          { length: keep.length * g.bins },
          (_, k) => histogram[keep[Math.floor(k / g.bins)] * g.bins + (k % g.bins)],
        )
      : undefined,
  };
}

/** Read the lookup written by {@link agglomerateRun}: fragment ids and one segment table per threshold. */
export async function readLookup(run: SegmentRun): Promise<{ ids: Float64Array; tables: Float64Array[] }> {
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
