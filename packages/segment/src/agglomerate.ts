import { EdgeHeap } from "./edge-heap.js";
import { SegmentOptionsError } from "./errors.js";
import { PairCounter } from "./pair-counter.js";
import type { RegionGraph } from "./region-graph.js";

/** Options of {@link agglomerate}. */
export interface AgglomerateOptions {
  /**
   * Edge score: `mean` (default) is 1 − mean affinity; a number q in [0, 1] is 1 − the q-quantile of
   * the affinity histogram (the graph needs `histogramBins`), as waterz's quantile scoring.
   */
  scoring?: "mean" | number;
  /** Fragment ids with no edge that should still appear in the result (default: only graph nodes). */
  fragmentIds?: ArrayLike<number>;
}

/** Segmentations at several thresholds, as fragment → segment lookups. */
export interface Agglomeration {
  /** Thresholds, ascending. */
  thresholds: number[];
  /** Fragment ids, ascending. */
  fragmentIds: Float64Array;
  /** `segments[t][k]`: segment of `fragmentIds[k]` at `thresholds[t]` (the smallest fragment id of its set). */
  segments: Float64Array[];
  /** Merges done up to each threshold. */
  merges: number[];
}

function quantileScore(h: Uint32Array, base: number, bins: number, total: number, q: number): number {
  const target = q * total;
  let cumulative = 0;
  for (let b = 0; b < bins; b++) {
    cumulative += h[base + b];
    if (cumulative >= target && cumulative > 0) return 1 - (b + 0.5) / bins;
  }
  return 1 - (bins - 0.5) / bins;
}

/**
 * Agglomerate fragments by a priority queue on edge scores (1 − mean affinity, or 1 − a quantile):
 * repeatedly merge the two regions of the lowest-scoring edge while its score is below the current
 * threshold, combining edge statistics of merged regions. One pass yields the segmentation at every
 * threshold (ascending). Equal scores are broken by the edges' first-face positions (see
 * {@link RegionGraph.firstFace}; the same in a whole-volume and a blockwise graph), or, for graphs
 * without positions, by the fragment ids each edge joined; the result never depends on edge order.
 */
export function agglomerate(
  graph: RegionGraph,
  thresholds: readonly number[],
  options: AgglomerateOptions = {},
): Agglomeration {
  const sorted = [...thresholds].sort((a, b) => a - b);
  if (sorted.some((t) => !Number.isFinite(t))) {
    throw new SegmentOptionsError("invalid thresholds", {
      field: "thresholds",
      expected: "finite numbers",
      found: JSON.stringify(thresholds),
    });
  }
  const scoring = options.scoring ?? "mean";
  const bins = graph.bins;
  if (scoring !== "mean" && (!(scoring >= 0 && scoring <= 1) || bins === 0 || !graph.histogram)) {
    throw new SegmentOptionsError("quantile scoring needs a quantile in [0, 1] and a graph with histograms", {
      field: "scoring",
      expected: "'mean', or a quantile with histogramBins > 0 in the region graph",
      found: `${scoring} (graph bins ${bins})`,
    });
  }
  const { fragmentIds, indexOf } = nodeIndex(graph, options.fragmentIds);
  const nodes = fragmentIds.length;
  // mutable copies of edge statistics
  const m = graph.size;
  const sum = Float64Array.from(graph.sum);
  const count = Float64Array.from(graph.count);
  const histogram = bins > 0 && graph.histogram ? Uint32Array.from(graph.histogram) : undefined;
  const a = new Int32Array(m);
  const b = new Int32Array(m);
  const version = new Int32Array(m);
  const alive = new Uint8Array(m).fill(1);
  // incident-edge lists: slot 2e is edge e in the list of a[e], slot 2e+1 in the list of b[e]; lists
  // are spliced in O(1) on a merge and dead edges are skipped lazily
  const nextSlot = new Int32Array(2 * m).fill(-1);
  const head = new Int32Array(nodes).fill(-1);
  const tail = new Int32Array(nodes).fill(-1);
  const listLength = new Float64Array(nodes);
  const append = (node: number, slot: number) => {
    if (tail[node] === -1) head[node] = slot;
    else nextSlot[tail[node]] = slot;
    tail[node] = slot;
    listLength[node]++;
  };
  // (region, region) → edge, for finding the edge a moved edge must be combined with
  const pairs = new PairCounter(m + 16);
  const lookup = (p: number, q: number) => {
    const k = p < q ? pairs.index(p, q) : pairs.index(q, p);
    return k;
  };
  const parent = new Int32Array(nodes);
  for (let k = 0; k < nodes; k++) parent[k] = k;
  const find = (k: number) => {
    while (parent[k] !== k) {
      parent[k] = parent[parent[k]];
      k = parent[k];
    }
    return k;
  };
  // rep[root] = smallest node index of the region (node indices follow id order)
  const rep = new Int32Array(nodes);
  for (let k = 0; k < nodes; k++) rep[k] = k;
  const byMean = scoring === "mean";
  const quantile = byMean ? 0 : scoring;
  const score = (e: number) =>
    byMean
      ? 1 - sum[e] / count[e]
      : quantileScore(histogram as Uint32Array, e * bins, bins, count[e], quantile);
  // edges scoring at or above the highest threshold are never merged (nor are combinations of them: a
  // combined score lies between its parts' scores), so they never enter the heap
  const maxThreshold = sorted.length > 0 ? sorted[sorted.length - 1] : Number.NEGATIVE_INFINITY;
  const heap = new EdgeHeap();
  // tie-break keys: the edge's first face position when the graph has it (independent of ids and of
  // blocks; a combined edge keeps the lower), else the fragment ids it joined in the input graph
  const key1 = graph.firstFace ? Float64Array.from(graph.firstFace) : graph.u;
  const key2 = graph.firstFace ? new Float64Array(m) : graph.v;
  const push = (e: number) => {
    const s = score(e);
    if (s < maxThreshold) heap.push(s, key1[e], key2[e], e, version[e]);
  };
  const combine = (into: number, from: number) => {
    if (graph.firstFace && key1[from] < key1[into]) key1[into] = key1[from];
    sum[into] += sum[from];
    count[into] += count[from];
    if (histogram) for (let q = 0; q < bins; q++) histogram[into * bins + q] += histogram[from * bins + q];
    alive[from] = 0;
    version[into]++;
  };
  for (let e = 0; e < m; e++) {
    a[e] = indexOf(graph.u[e]);
    b[e] = indexOf(graph.v[e]);
    if (a[e] === b[e]) {
      alive[e] = 0;
      continue;
    }
    const k = lookup(a[e], b[e]);
    const existing = pairs.count[k] - 1;
    if (existing >= 0) {
      // a repeated pair in the input: combine into the first
      combine(existing, e);
      continue;
    }
    pairs.count[k] = e + 1;
    append(a[e], 2 * e);
    append(b[e], 2 * e + 1);
  }
  for (let e = 0; e < m; e++) if (alive[e] === 1) push(e);
  const segments: Float64Array[] = [];
  const merges: number[] = [];
  let mergeCount = 0;
  for (const threshold of sorted) {
    while (heap.size > 0 && heap.topScore() < threshold) {
      const e = heap.topEdge();
      const v = heap.topVersion();
      heap.pop();
      if (alive[e] === 0 || version[e] !== v) continue;
      alive[e] = 0;
      // the region with the shorter edge list moves over (its list is walked, then spliced)
      let keep = a[e];
      let gone = b[e];
      if (listLength[keep] < listLength[gone]) [keep, gone] = [gone, keep];
      parent[gone] = keep;
      if (rep[gone] < rep[keep]) rep[keep] = rep[gone];
      mergeCount++;
      for (let slot = head[gone]; slot !== -1; slot = nextSlot[slot]) {
        const f = slot >> 1;
        if (alive[f] === 0) continue;
        const mine = (slot & 1) === 0;
        const w = mine ? b[f] : a[f];
        if (w === keep) {
          alive[f] = 0;
          continue;
        }
        if (mine) a[f] = keep;
        else b[f] = keep;
        const k = lookup(keep, w);
        const existing = pairs.count[k] - 1;
        if (existing >= 0 && alive[existing] === 1 && existing !== f) {
          combine(existing, f);
          push(existing);
        } else {
          pairs.count[k] = f + 1;
        }
      }
      if (head[gone] !== -1) {
        if (tail[keep] === -1) head[keep] = head[gone];
        else nextSlot[tail[keep]] = head[gone];
        tail[keep] = tail[gone];
      }
      listLength[keep] += listLength[gone];
      head[gone] = -1;
      tail[gone] = -1;
    }
    const seg = new Float64Array(nodes);
    for (let k = 0; k < nodes; k++) seg[k] = fragmentIds[rep[find(k)]];
    segments.push(seg);
    merges.push(mergeCount);
  }
  return { thresholds: sorted, fragmentIds, segments, merges };
}

/** Largest id for which node indices are kept in a dense table (else a Map). */
const DENSE_IDS = 1 << 24;

/**
 * The graph's nodes: fragment ids ascending (the edges' ids plus `extra`, without 0) and id → node
 * index. Small non-negative integer ids (the usual case) are sorted by marking them in a table.
 */
function nodeIndex(
  graph: RegionGraph,
  extra: ArrayLike<number> | undefined,
): { fragmentIds: Float64Array; indexOf: (id: number) => number } {
  const m = graph.size;
  const extraLength = extra?.length ?? 0;
  let maxId = 0;
  let dense = true;
  const scan = (ids: ArrayLike<number>, length: number) => {
    for (let e = 0; e < length; e++) {
      const id = ids[e];
      if (id > maxId) maxId = id;
      if (!(id >= 0 && id === Math.floor(id))) dense = false;
    }
  };
  scan(graph.u, m);
  scan(graph.v, m);
  if (extra) scan(extra, extraLength);
  if (dense && maxId < DENSE_IDS && maxId < 4 * (2 * m + extraLength) + 1024) {
    const table = new Int32Array(maxId + 1);
    for (let e = 0; e < m; e++) {
      table[graph.u[e]] = 1;
      table[graph.v[e]] = 1;
    }
    for (let k = 0; k < extraLength; k++) table[(extra as ArrayLike<number>)[k]] = 1;
    table[0] = 0; // background is no node
    let nodes = 0;
    for (let id = 1; id <= maxId; id++) if (table[id] !== 0) nodes++;
    const fragmentIds = new Float64Array(nodes);
    let k = 0;
    for (let id = 1; id <= maxId; id++) {
      if (table[id] !== 0) {
        table[id] = k;
        fragmentIds[k++] = id;
      }
    }
    return { fragmentIds, indexOf: (id) => table[id] };
  }
  const idSet = new Set<number>();
  for (let e = 0; e < m; e++) {
    idSet.add(graph.u[e]);
    idSet.add(graph.v[e]);
  }
  for (let k = 0; k < extraLength; k++) idSet.add((extra as ArrayLike<number>)[k]);
  idSet.delete(0);
  const fragmentIds = Float64Array.from(idSet).sort();
  const map = new Map<number, number>();
  fragmentIds.forEach((id, k) => {
    map.set(id, k);
  });
  return { fragmentIds, indexOf: (id) => map.get(id) as number };
}

/**
 * Apply the segmentation at `thresholds[index]` of an agglomeration to a fragment volume: each
 * fragment id becomes its segment id (ids absent from the agglomeration stay as they are).
 */
export function applyAgglomeration(
  fragments: ArrayLike<number>,
  agglomeration: Agglomeration,
  index: number,
): Uint32Array | Float64Array {
  const seg = agglomeration.segments[index];
  if (seg === undefined) {
    throw new SegmentOptionsError("no such threshold index", {
      field: "index",
      expected: `0..${agglomeration.segments.length - 1}`,
      found: String(index),
    });
  }
  const ids = agglomeration.fragmentIds;
  const maxId = ids.length > 0 ? ids[ids.length - 1] : 0;
  if (fragments instanceof Uint32Array && maxId < DENSE_IDS) {
    // the usual case: u32 fragments, ids small enough for a table; larger fragments stay as they are
    let maxSegment = 0;
    for (let k = 0; k < seg.length; k++) if (seg[k] > maxSegment) maxSegment = seg[k];
    if (maxSegment < 2 ** 32) {
      const lut = new Uint32Array(maxId + 1);
      for (let k = 0; k <= maxId; k++) lut[k] = k;
      for (let k = 0; k < ids.length; k++) lut[ids[k]] = seg[k];
      const out = new Uint32Array(fragments.length);
      for (let i = 0; i < fragments.length; i++) {
        const f = fragments[i];
        out[i] = f <= maxId ? lut[f] : f;
      }
      return out;
    }
  }
  let maxFragment = 0;
  for (let i = 0; i < fragments.length; i++) if (fragments[i] > maxFragment) maxFragment = fragments[i];
  const out =
    maxFragment < 2 ** 32 && maxId < 2 ** 32
      ? new Uint32Array(fragments.length)
      : new Float64Array(fragments.length);
  if (maxFragment < 1 << 24) {
    const lut = new Float64Array(maxFragment + 1);
    for (let k = 0; k <= maxFragment; k++) lut[k] = k;
    for (let k = 0; k < ids.length; k++) if (ids[k] <= maxFragment) lut[ids[k]] = seg[k];
    for (let i = 0; i < fragments.length; i++) out[i] = lut[fragments[i]];
    return out;
  }
  const map = new Map<number, number>();
  ids.forEach((id, k) => {
    map.set(id, seg[k]);
  });
  let prev = -1;
  let mapped = 0;
  for (let i = 0; i < fragments.length; i++) {
    const f = fragments[i];
    if (f !== prev) {
      mapped = map.get(f) ?? f;
      prev = f;
    }
    out[i] = mapped;
  }
  return out;
}
