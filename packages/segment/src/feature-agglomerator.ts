import { mergeEdgeFeatures, mergeRegionFeatures } from "./edge-feature-vector.js";
import type { ContactStats, EdgeFeatureTable } from "./edge-features.js";
import { EdgeHeap } from "./edge-heap.js";
import { PairCounter } from "./pair-counter.js";

function cloneStats(s: ContactStats): ContactStats {
  return {
    count: s.count.slice(),
    sum: s.sum.slice(),
    sumSq: s.sumSq.slice(),
    min: s.min.slice(),
    max: s.max.slice(),
    histogram: s.histogram.slice(),
  };
}

/** A deep copy of an edge feature table (the agglomerator merges accumulators in place). */
export function cloneEdgeFeatureTable(t: EdgeFeatureTable): EdgeFeatureTable {
  return {
    ...t,
    regionIds: t.regionIds.slice(),
    regionVoxels: t.regionVoxels.slice(),
    regionSurface: t.regionSurface.slice(),
    u: t.u.slice(),
    v: t.v.slice(),
    boundary: cloneStats(t.boundary),
    raw: t.raw ? cloneStats(t.raw) : undefined,
  };
}

/**
 * Priority-queue agglomeration over an {@link EdgeFeatureTable} whose edge and region accumulators
 * are merged as regions merge (no voxel rescans), with any edge score: the engine of the learned
 * agglomeration (training replay and model-driven merging).
 *
 * Its `table` is a private copy (or, with `inPlace`, the table passed in, which it then changes):
 * `table.u[e]`, `table.v[e]` always name the current regions (root region indices) of a live edge,
 * and the accumulators of a live edge describe its whole contact.
 * After a merge, every live edge of the merged region changes (its contact or the regions' sizes),
 * so each one is scored again and re-queued; a popped edge that was not merged stays in the graph
 * out of the queue until such a change. Ties are broken by the smaller, then the larger, lowest
 * fragment id of the two regions, so the order depends only on the inputs.
 */
export class FeatureAgglomerator {
  /** The evolving copy of the table (the table itself with `inPlace`). */
  readonly table: EdgeFeatureTable;
  /** Merges done so far. */
  merges = 0;
  #score: (e: number) => number = () => 0;
  readonly #alive: Uint8Array;
  readonly #version: Int32Array;
  readonly #next: Int32Array;
  readonly #head: Int32Array;
  readonly #tail: Int32Array;
  readonly #length: Float64Array;
  readonly #parent: Int32Array;
  /** Lowest fragment id of each root's region. */
  readonly #rep: Float64Array;
  readonly #pairs: PairCounter;
  readonly #heap = new EdgeHeap();
  /** Whether edge e has a valid queue entry, and that entry's score and keys. */
  readonly #queued: Uint8Array;
  readonly #last: Float64Array;
  readonly #lo: Float64Array;
  readonly #hi: Float64Array;

  /**
   * @param options.inPlace merge the accumulators of `table` itself instead of a copy: for a caller
   *   that does not need the table afterwards (saves the copy: about 60 + 4 × bins bytes per edge,
   *   twice that with raw statistics)
   */
  constructor(table: EdgeFeatureTable, options: { inPlace?: boolean } = {}) {
    const t = options.inPlace ? table : cloneEdgeFeatureTable(table);
    this.table = t;
    const m = t.edges;
    const r = t.regions;
    this.#alive = new Uint8Array(m).fill(1);
    this.#version = new Int32Array(m);
    this.#queued = new Uint8Array(m);
    this.#last = new Float64Array(m);
    this.#lo = new Float64Array(m);
    this.#hi = new Float64Array(m);
    this.#next = new Int32Array(2 * m).fill(-1);
    this.#head = new Int32Array(r).fill(-1);
    this.#tail = new Int32Array(r).fill(-1);
    this.#length = new Float64Array(r);
    this.#parent = new Int32Array(r);
    for (let k = 0; k < r; k++) this.#parent[k] = k;
    this.#rep = t.regionIds.slice();
    this.#pairs = new PairCounter(m + 16);
    for (let e = 0; e < m; e++) {
      const k = this.#pairKey(t.u[e], t.v[e]);
      this.#pairs.count[k] = e + 1;
      this.#append(t.u[e], 2 * e);
      this.#append(t.v[e], 2 * e + 1);
    }
  }

  #pairKey(p: number, q: number): number {
    return p < q ? this.#pairs.index(p, q) : this.#pairs.index(q, p);
  }

  #append(node: number, slot: number): void {
    if (this.#tail[node] === -1) this.#head[node] = slot;
    else this.#next[this.#tail[node]] = slot;
    this.#tail[node] = slot;
    this.#length[node]++;
  }

  /**
   * Score edge `e` and queue it, unless a valid queue entry has the same score and tie-break keys
   * already (then the heap is left as it is: the order is the same either way).
   */
  #requeue(e: number): void {
    const t = this.table;
    const a = this.#rep[t.u[e]];
    const b = this.#rep[t.v[e]];
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const score = this.#score(e);
    if (this.#queued[e] === 1 && score === this.#last[e] && lo === this.#lo[e] && hi === this.#hi[e]) return;
    this.#version[e]++;
    this.#queued[e] = 1;
    this.#last[e] = score;
    this.#lo[e] = lo;
    this.#hi[e] = hi;
    this.#heap.push(score, lo, hi, e, this.#version[e]);
  }

  /** Root region of region `k`. */
  find(k: number): number {
    const parent = this.#parent;
    while (parent[k] !== k) {
      parent[k] = parent[parent[k]];
      k = parent[k];
    }
    return k;
  }

  /** Whether edge `e` is still an edge of the graph (not merged away nor combined into another). */
  isLive(e: number): boolean {
    return this.#alive[e] === 1;
  }

  /** (Re)fill the queue with every live edge scored by `score` (lower pops first). */
  start(score: (e: number) => number): void {
    this.#score = score;
    this.#heap.size = 0;
    this.#queued.fill(0);
    for (let e = 0; e < this.table.edges; e++) if (this.#alive[e] === 1) this.#requeue(e);
  }

  /**
   * Pop edges while the lowest score is ≤ `limit`; merge each popped edge's regions when `decide(e)`
   * says so (default: always). Returns the merges done in this call.
   */
  mergeUpTo(limit: number, decide: (e: number) => boolean = () => true): number {
    const heap = this.#heap;
    const before = this.merges;
    while (heap.size > 0 && heap.topScore() <= limit) {
      const e = heap.topEdge();
      const version = heap.topVersion();
      heap.pop();
      if (this.#alive[e] === 0 || this.#version[e] !== version) continue;
      // out of the queue until its features change
      this.#version[e]++;
      this.#queued[e] = 0;
      if (decide(e)) this.#merge(e);
    }
    return this.merges - before;
  }

  #merge(e: number): void {
    const t = this.table;
    const next = this.#next;
    const alive = this.#alive;
    let keep = t.u[e];
    let gone = t.v[e];
    if (this.#length[keep] < this.#length[gone]) [keep, gone] = [gone, keep];
    alive[e] = 0;
    mergeRegionFeatures(t, keep, gone, t.boundary.count[e]);
    this.#parent[gone] = keep;
    if (this.#rep[gone] < this.#rep[keep]) this.#rep[keep] = this.#rep[gone];
    this.merges++;
    for (let slot = this.#head[gone]; slot !== -1; slot = next[slot]) {
      const f = slot >> 1;
      if (alive[f] === 0) continue;
      const mine = (slot & 1) === 0;
      const w = mine ? t.v[f] : t.u[f];
      if (mine) t.u[f] = keep;
      else t.v[f] = keep;
      const k = this.#pairKey(keep, w);
      const existing = this.#pairs.count[k] - 1;
      if (existing >= 0 && alive[existing] === 1 && existing !== f) {
        mergeEdgeFeatures(t, existing, f);
        alive[f] = 0;
      } else {
        this.#pairs.count[k] = f + 1;
      }
    }
    if (this.#head[gone] !== -1) {
      if (this.#tail[keep] === -1) this.#head[keep] = this.#head[gone];
      else next[this.#tail[keep]] = this.#head[gone];
      this.#tail[keep] = this.#tail[gone];
    }
    this.#head[gone] = -1;
    this.#tail[gone] = -1;
    this.#length[gone] = 0;
    // walk keep's list: drop dead slots, re-score every live edge (its regions or contact changed)
    let prev = -1;
    let length = 0;
    for (let slot = this.#head[keep]; slot !== -1; slot = next[slot]) {
      const f = slot >> 1;
      if (alive[f] === 0) {
        if (prev === -1) this.#head[keep] = next[slot];
        else next[prev] = next[slot];
        continue;
      }
      prev = slot;
      length++;
      this.#requeue(f);
    }
    this.#tail[keep] = prev;
    if (prev !== -1) next[prev] = -1;
    else this.#head[keep] = -1;
    this.#length[keep] = length;
  }

  /**
   * The current segmentation as a fragment → segment lookup: `fragmentIds` ascending, `segments[k]`
   * the lowest fragment id of the segment of `fragmentIds[k]`.
   */
  segments(): { fragmentIds: Float64Array; segments: Float64Array } {
    const ids = this.table.regionIds;
    const order = Array.from({ length: ids.length }, (_, k) => k).sort((p, q) => ids[p] - ids[q]);
    const fragmentIds = new Float64Array(ids.length);
    const segments = new Float64Array(ids.length);
    order.forEach((r, k) => {
      fragmentIds[k] = ids[r];
      segments[k] = this.#rep[this.find(r)];
    });
    return { fragmentIds, segments };
  }
}
