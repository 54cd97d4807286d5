import { EdgeQueue } from "./edge-queue.js";
import { SegmentOptionsError, SegmentValueError } from "./errors.js";
import type { FlatEdges } from "./flat-edges.js";
import { LivePairTable } from "./live-pair-table.js";

/** Options of {@link agglomerateFlat}. */
export interface AgglomerateFlatOptions {
  /** `mean` (default): 1 − mean affinity; a quantile q in [0, 1]: 1 − the q-quantile of the histogram. */
  scoring?: "mean" | number;
}

/**
 * Agglomeration over {@link FlatEdges} between nodes `0 … nodes−1`, with the merge order of
 * {@link agglomerate}: repeatedly merge the two regions of the lowest-scoring live edge (1 − mean
 * affinity, or 1 − a quantile) while its score is below the threshold, combining the statistics of
 * edges that come to join the same two regions; equal scores are broken by the edges' first-face
 * positions, which every edge must have (distinct between edges, as faces are). The result is
 * therefore the one {@link agglomerate} gives for the same graph (same sums, same partitions).
 *
 * Built for the global step of a large blockwise run: it works in place on the edge arrays (which
 * it changes) and adds about 40 bytes per edge (score, queue, pair table, incident lists) and
 * 16 bytes per node — no per-edge objects, no maps keyed by strings or pairs.
 *
 * @param onThreshold called once per threshold, ascending, after its merges, with `find(node)`: the
 *   representative node of the node's region at that threshold (valid only during the call).
 * @returns the thresholds (ascending) and the merges done up to each.
 */
export function agglomerateFlat(
  nodes: number,
  edges: FlatEdges,
  thresholds: readonly number[],
  options: AgglomerateFlatOptions,
  onThreshold: (index: number, threshold: number, find: (node: number) => number) => void,
): { thresholds: number[]; merges: number[] } {
  const sorted = [...thresholds].sort((x, y) => x - y);
  if (sorted.some((t) => !Number.isFinite(t))) {
    throw new SegmentOptionsError("invalid thresholds", {
      field: "thresholds",
      expected: "finite numbers",
      found: JSON.stringify(thresholds),
    });
  }
  const scoring = options.scoring ?? "mean";
  const bins = edges.bins;
  const histogram = edges.histogram;
  if (scoring !== "mean" && (!(scoring >= 0 && scoring <= 1) || bins === 0 || !histogram)) {
    throw new SegmentOptionsError("quantile scoring needs a quantile in [0, 1] and a graph with histograms", {
      field: "scoring",
      expected: "'mean', or a quantile with histogramBins > 0 in the region graph",
      found: `${scoring} (graph bins ${bins})`,
    });
  }
  const m = edges.size;
  const { u: a, v: b, sum, count, first } = edges;
  for (let e = 0; e < m; e++) {
    if (!(a[e] >= 0 && a[e] < nodes && b[e] >= 0 && b[e] < nodes)) {
      throw new SegmentValueError("edge joins a node outside the graph", {
        field: `edges[${e}]`,
        expected: `nodes in [0, ${nodes})`,
        found: `${a[e]}, ${b[e]}`,
      });
    }
  }
  const q = scoring === "mean" ? -1 : scoring;
  const scoreOf = (e: number): number =>
    q < 0 ? 1 - sum[e] / count[e] : quantileScore(histogram as Uint32Array, e * bins, bins, count[e], q);
  const combine = (into: number, from: number) => {
    sum[into] += sum[from];
    count[into] += count[from];
    if (first[from] < first[into]) first[into] = first[from];
    if (histogram) for (let k = 0; k < bins; k++) histogram[into * bins + k] += histogram[from * bins + k];
  };
  // incident-edge lists: slot 2e is edge e in the list of a[e], slot 2e+1 in the list of b[e]; lists
  // are spliced in O(1) on a merge and dead edges are skipped when walked
  const nextSlot = new Int32Array(2 * m).fill(-1);
  const head = new Int32Array(nodes).fill(-1);
  const tail = new Int32Array(nodes).fill(-1);
  const listLength = new Int32Array(nodes);
  const append = (node: number, slot: number) => {
    if (tail[node] === -1) head[node] = slot;
    else nextSlot[tail[node]] = slot;
    tail[node] = slot;
    listLength[node]++;
  };
  const pairs = new LivePairTable(m, a, b);
  const queued = new Uint8Array(m);
  for (let e = 0; e < m; e++) {
    if (a[e] === b[e]) continue;
    const existing = pairs.find(a[e], b[e]);
    if (existing >= 0) {
      combine(existing, e); // a repeated pair: into the first
      continue;
    }
    pairs.insert(e);
    append(a[e], 2 * e);
    append(b[e], 2 * e + 1);
    queued[e] = 1;
  }
  const score = new Float64Array(m);
  for (let e = 0; e < m; e++) if (queued[e] === 1) score[e] = scoreOf(e);
  const queue = new EdgeQueue(m, score, first);
  queue.fill(m, (e) => queued[e] === 1);
  const parent = new Int32Array(nodes);
  for (let k = 0; k < nodes; k++) parent[k] = k;
  const find = (node: number): number => {
    let k = node;
    while (parent[k] !== k) {
      parent[k] = parent[parent[k]];
      k = parent[k];
    }
    return k;
  };
  const merges: number[] = [];
  let mergeCount = 0;
  sorted.forEach((threshold, index) => {
    for (;;) {
      const e = queue.top();
      if (e < 0 || !(score[e] < threshold)) break;
      queue.remove(e);
      pairs.delete(e);
      // the region with the shorter edge list moves over (its list is walked, then spliced)
      let keep = a[e];
      let gone = b[e];
      if (listLength[keep] < listLength[gone]) {
        keep = b[e];
        gone = a[e];
      }
      parent[gone] = keep;
      mergeCount++;
      for (let slot = head[gone]; slot !== -1; slot = nextSlot[slot]) {
        const f = slot >> 1;
        if (!queue.has(f)) continue;
        const mine = (slot & 1) === 0;
        const w = mine ? b[f] : a[f];
        pairs.delete(f);
        if (w === keep) {
          queue.remove(f);
          continue;
        }
        if (mine) a[f] = keep;
        else b[f] = keep;
        const g = pairs.find(keep, w);
        if (g >= 0) {
          combine(g, f);
          queue.remove(f);
          score[g] = scoreOf(g);
          queue.update(g);
        } else {
          pairs.insert(f);
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
    merges.push(mergeCount);
    onThreshold(index, threshold, find);
  });
  return { thresholds: sorted, merges };
}

/** 1 − the q-quantile (bin centre) of histogram row `base` with `total` faces, as {@link agglomerate} scores. */
function quantileScore(h: Uint32Array, base: number, bins: number, total: number, q: number): number {
  const target = q * total;
  let cumulative = 0;
  for (let k = 0; k < bins; k++) {
    cumulative += h[base + k];
    if (cumulative >= target && cumulative > 0) return 1 - (k + 0.5) / bins;
  }
  return 1 - (bins - 0.5) / bins;
}
