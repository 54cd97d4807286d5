import { type Affinities, checkAffinities } from "./affinities.js";
import type { Agglomeration } from "./agglomerate.js";
import { checkShape } from "./arrays.js";
import { SegmentOptionsError, SegmentShapeError, SegmentValueError } from "./errors.js";
import { PairCounter } from "./pair-counter.js";

const f32 = Math.fround;

/**
 * Agglomeration that reproduces `waterz.agglomerate(affs, thresholds)` (funkey/waterz 0.9.6 with its
 * default `OneMinus<MeanAffinity>` scoring and exact queue) merge for merge, for fragments that are
 * waterz's own (e.g. {@link affinityWatershed} without size merging). It differs from
 * {@link agglomerate} in exactly the points where waterz does:
 *
 * - arithmetic: each edge's mean affinity is a float32 running mean, `(a + mean·n) / (n + 1)`, over
 *   its faces in C order of their voxel (axes z, y, x per voxel), and two edges are combined as
 *   `(mean₁·n₁ + mean₂·n₂) / (n₁ + n₂)` in float32; scores are `float32(1 − mean)` and thresholds are
 *   rounded to float32 (agglomerate: exact float64 sums and counts);
 * - order among equal scores: edges are numbered by (smaller id, larger id), pushed in that order into
 *   a binary heap that compares scores only, with libstdc++'s `std::priority_queue` sift rules, so
 *   ties fall out of the heap's shape (agglomerate: by the edges' first-face positions);
 * - combining: when a merge makes two edges join the same pair of regions, the one with the higher
 *   recorded score is folded into the other, which is re-scored when it next reaches the top of the
 *   heap (lazily), and a merge folds the larger id's region into the smaller one.
 *
 * Like waterz, it builds its own region graph (every face between two different non-zero fragments)
 * and is meant for whole volumes; use {@link agglomerate} for blockwise runs. Fragment ids must be
 * integers in [0, 2^32).
 */
export function agglomerateLikeWaterz(
  fragments: ArrayLike<number>,
  shape: readonly number[],
  affinities: Affinities,
  thresholds: readonly number[],
): Agglomeration {
  const [Z, Y, X] = checkShape(shape);
  checkAffinities(affinities, shape);
  const n = Z * Y * X;
  if (fragments.length !== n) {
    throw new SegmentShapeError("fragments do not match the affinities", {
      field: "fragments",
      expected: `${n} values (${shape.join("×")})`,
      found: `${fragments.length} values`,
    });
  }
  const sorted = [...thresholds].sort((a, b) => a - b);
  if (sorted.some((t) => !Number.isFinite(t))) {
    throw new SegmentOptionsError("invalid thresholds", {
      field: "thresholds",
      expected: "finite numbers",
      found: JSON.stringify(thresholds),
    });
  }
  const { ids, index } = fragmentIndex(fragments);
  const graph = waterzGraph(fragments, Z, Y, X, affinities, index);
  const merging = new WaterzMerging(ids.length, graph);
  const segments: Float64Array[] = [];
  const merges: number[] = [];
  let total = 0;
  for (const threshold of sorted) {
    total += merging.mergeUntil(f32(threshold));
    const seg = new Float64Array(ids.length);
    for (let k = 0; k < ids.length; k++) seg[k] = ids[merging.root(k)];
    segments.push(seg);
    merges.push(total);
  }
  return { thresholds: sorted, fragmentIds: Float64Array.from(ids), segments, merges };
}

/** Non-zero fragment ids ascending, and id → node index (a dense table). */
function fragmentIndex(fragments: ArrayLike<number>): { ids: Uint32Array; index: Int32Array } {
  let max = 0;
  for (let i = 0; i < fragments.length; i++) {
    const f = fragments[i];
    if (!(f >= 0 && f < 2 ** 32 && f === Math.floor(f))) {
      throw new SegmentValueError("fragment ids must be integers in [0, 2^32)", {
        field: "fragments",
        expected: "integers in [0, 2^32)",
        found: `${f} at flat index ${i}`,
      });
    }
    if (f > max) max = f;
  }
  const index = new Int32Array(max + 1).fill(-1);
  for (let i = 0; i < fragments.length; i++) index[fragments[i]] = 0;
  let count = 0;
  for (let id = 1; id <= max; id++) if (index[id] === 0) count++;
  const ids = new Uint32Array(count);
  let k = 0;
  for (let id = 1; id <= max; id++) {
    if (index[id] === 0) {
      index[id] = k;
      ids[k++] = id;
    }
  }
  index[0] = -1;
  return { ids, index };
}

/** Edges numbered by (u, v) ascending (node indices follow ids), with float32 means and face counts. */
interface WaterzGraph {
  size: number;
  u: Int32Array;
  v: Int32Array;
  mean: Float64Array;
  count: Float64Array;
}

/**
 * The region graph as waterz's `get_region_graph` builds it: faces visited voxel by voxel in C order,
 * axes z, y, x at each voxel, every face between two different non-zero fragments added to the
 * running float32 mean of its pair; edges numbered by (smaller id, larger id).
 */
function waterzGraph(
  fragments: ArrayLike<number>,
  Z: number,
  Y: number,
  X: number,
  affinities: Float32Array,
  index: Int32Array,
): WaterzGraph {
  const n = Z * Y * X;
  const XY = X * Y;
  const pairs = new PairCounter(1024);
  let mean = new Float64Array(1024);
  const addFace = (p: number, q: number, affinity: number) => {
    const e = p < q ? pairs.index(p, q) : pairs.index(q, p);
    if (e >= mean.length) {
      const grown = new Float64Array(mean.length * 2);
      grown.set(mean);
      mean = grown;
    }
    const count = pairs.count[e];
    mean[e] = f32(f32(affinity + f32(mean[e] * count)) / f32(count + 1));
    pairs.count[e] = count + 1;
  };
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++) {
        const i = (z * Y + y) * X + x;
        const a = fragments[i];
        if (z > 0) {
          const b = fragments[i - XY];
          if (a !== b && a !== 0 && b !== 0) addFace(index[a], index[b], affinities[i]);
        }
        if (y > 0) {
          const b = fragments[i - X];
          if (a !== b && a !== 0 && b !== 0) addFace(index[a], index[b], affinities[n + i]);
        }
        if (x > 0) {
          const b = fragments[i - 1];
          if (a !== b && a !== 0 && b !== 0) addFace(index[a], index[b], affinities[2 * n + i]);
        }
      }
    }
  }
  // number the edges by (u, v)
  const size = pairs.size;
  const order = Array.from({ length: size }, (_, e) => e);
  order.sort((p, q) => pairs.a[p] - pairs.a[q] || pairs.b[p] - pairs.b[q]);
  const graph: WaterzGraph = {
    size,
    u: new Int32Array(size),
    v: new Int32Array(size),
    mean: new Float64Array(size),
    count: new Float64Array(size),
  };
  order.forEach((e, k) => {
    graph.u[k] = pairs.a[e];
    graph.v[k] = pairs.b[e];
    graph.mean[k] = mean[e];
    graph.count[k] = pairs.count[e];
  });
  return graph;
}

/**
 * waterz's `IterativeRegionMerging` with `MeanAffinityProvider`: a heap of (edge, score) entries with
 * stale and deleted flags per edge, merged lazily.
 */
class WaterzMerging {
  readonly #heap = new StdMinHeap();
  readonly #score: Float64Array;
  readonly #stale: Uint8Array;
  readonly #deleted: Uint8Array;
  /** `end[slot]`: the node whose incident list holds the slot; the edge's other end is `end[slot ^ 1]`. */
  readonly #end: Int32Array;
  readonly #mean: Float64Array;
  readonly #count: Float64Array;
  /** Incident edges: slots 2e and 2e + 1 are edge e in the lists of its two ends. */
  readonly #next: Int32Array;
  readonly #head: Int32Array;
  readonly #tail: Int32Array;
  /** (u, v) → edge + 1 of the live edge joining them. */
  readonly #pairs: PairCounter;
  readonly #parent: Int32Array;

  constructor(nodes: number, graph: WaterzGraph) {
    const m = graph.size;
    this.#end = new Int32Array(2 * m);
    this.#mean = graph.mean;
    this.#count = graph.count;
    this.#score = new Float64Array(m);
    this.#stale = new Uint8Array(m);
    this.#deleted = new Uint8Array(m);
    this.#next = new Int32Array(2 * m).fill(-1);
    this.#head = new Int32Array(nodes).fill(-1);
    this.#tail = new Int32Array(nodes).fill(-1);
    this.#pairs = new PairCounter(m + 16);
    this.#parent = Int32Array.from({ length: nodes }, (_, k) => k);
    for (let e = 0; e < m; e++) {
      this.#end[2 * e] = graph.u[e];
      this.#end[2 * e + 1] = graph.v[e];
      this.#append(graph.u[e], 2 * e);
      this.#append(graph.v[e], 2 * e + 1);
      this.#setPair(e, graph.u[e], graph.v[e]);
      this.#scoreEdge(e);
    }
  }

  /** Root node of node k's region (the smallest node of the region). */
  root(k: number): number {
    const parent = this.#parent;
    while (parent[k] !== k) {
      parent[k] = parent[parent[k]];
      k = parent[k];
    }
    return k;
  }

  /** Merge while the cheapest edge scores below `threshold` (float32); returns the merges done. */
  mergeUntil(threshold: number): number {
    const heap = this.#heap;
    let merged = 0;
    while (heap.size > 0) {
      const e = heap.topEdge();
      if (heap.topScore() >= threshold) break;
      heap.pop();
      if (this.#deleted[e] === 1) continue;
      if (this.#stale[e] === 1) {
        this.#scoreEdge(e);
        this.#stale[e] = 0;
        continue;
      }
      this.#merge(e);
      merged++;
    }
    return merged;
  }

  #scoreEdge(e: number): void {
    const score = f32(1 - this.#mean[e]);
    this.#score[e] = score;
    this.#heap.push(e, score);
  }

  #append(node: number, slot: number): void {
    if (this.#tail[node] === -1) this.#head[node] = slot;
    else this.#next[this.#tail[node]] = slot;
    this.#tail[node] = slot;
  }

  /** The live edge joining nodes p and q, or −1. */
  #find(p: number, q: number): number {
    const k = p < q ? this.#pairs.index(p, q) : this.#pairs.index(q, p);
    const e = this.#pairs.count[k] - 1;
    return e >= 0 && this.#deleted[e] === 0 ? e : -1;
  }

  #setPair(e: number, p: number, q: number): void {
    const k = p < q ? this.#pairs.index(p, q) : this.#pairs.index(q, p);
    this.#pairs.count[k] = e + 1;
  }

  /** Fold edge `from` into edge `to` (float32 weighted mean). */
  #combine(from: number, to: number): void {
    const mean = this.#mean;
    const count = this.#count;
    const total = count[from] + count[to];
    mean[to] = f32(f32(f32(mean[from] * count[from]) + f32(mean[to] * count[to])) / f32(total));
    count[to] = total;
  }

  /** Merge the regions of edge e: the larger node b joins the smaller node a (node order = id order). */
  #merge(e: number): void {
    const end = this.#end;
    const a = Math.min(end[2 * e], end[2 * e + 1]);
    const b = Math.max(end[2 * e], end[2 * e + 1]);
    this.#parent[b] = a;
    this.#deleted[e] = 1; // waterz leaves it in the graph, where it is never looked at again
    for (let slot = this.#head[b]; slot !== -1; slot = this.#next[slot]) {
      const f = slot >> 1;
      if (this.#deleted[f] === 1) continue;
      const neighbour = end[slot ^ 1];
      const shared = this.#find(a, neighbour);
      if (shared === -1) {
        end[slot] = a;
        this.#setPair(f, a, neighbour);
      } else if (this.#score[f] > this.#score[shared]) {
        // b's edge is the more expensive: fold it into a's, which becomes stale
        this.#combine(f, shared);
        this.#deleted[f] = 1;
        this.#stale[shared] = 1;
      } else {
        // a's edge is the more expensive (or as expensive): fold it into b's edge, which moves to a
        this.#combine(shared, f);
        this.#deleted[shared] = 1;
        end[slot] = a;
        this.#setPair(f, a, neighbour);
        this.#stale[f] = 1;
      }
    }
    // b's list (its live edges now end at a) joins a's list
    if (this.#head[b] !== -1) {
      if (this.#tail[a] === -1) this.#head[a] = this.#head[b];
      else this.#next[this.#tail[a]] = this.#head[b];
      this.#tail[a] = this.#tail[b];
    }
    this.#head[b] = -1;
    this.#tail[b] = -1;
  }
}

/**
 * Min-heap of (edge, score) that compares scores only and sifts exactly as libstdc++'s
 * `std::priority_queue<…, std::greater<>>` (`push_heap`, and `pop_heap`'s move of the hole to a leaf
 * along the preferred child followed by a sift-up of the former last element), so that entries of
 * equal score leave in the same order as in waterz.
 */
class StdMinHeap {
  #edge = new Int32Array(1024);
  #score = new Float64Array(1024);
  size = 0;

  push(edge: number, score: number): void {
    if (this.size === this.#edge.length) {
      const edges = new Int32Array(this.size * 2);
      edges.set(this.#edge);
      this.#edge = edges;
      const scores = new Float64Array(this.size * 2);
      scores.set(this.#score);
      this.#score = scores;
    }
    this.#siftUp(this.size++, 0, edge, score);
  }

  topEdge(): number {
    return this.#edge[0];
  }

  topScore(): number {
    return this.#score[0];
  }

  pop(): void {
    const length = this.size - 1;
    if (length > 0) {
      const edge = this.#edge[length];
      const score = this.#score[length];
      this.#edge[length] = this.#edge[0];
      this.#score[length] = this.#score[0];
      this.#adjust(length, edge, score);
    }
    this.size = length;
  }

  /** Move the hole at 0 down to a leaf (right child unless the left one is smaller), then sift up. */
  #adjust(length: number, edge: number, score: number): void {
    const edges = this.#edge;
    const scores = this.#score;
    let hole = 0;
    let child = 0;
    while (child < (length - 1) >> 1) {
      child = 2 * (child + 1);
      if (scores[child] > scores[child - 1]) child--;
      edges[hole] = edges[child];
      scores[hole] = scores[child];
      hole = child;
    }
    if ((length & 1) === 0 && child === (length - 2) >> 1) {
      child = 2 * (child + 1);
      edges[hole] = edges[child - 1];
      scores[hole] = scores[child - 1];
      hole = child - 1;
    }
    this.#siftUp(hole, 0, edge, score);
  }

  /** Move the entry up from `hole` while its parent scores strictly higher. */
  #siftUp(hole: number, top: number, edge: number, score: number): void {
    const edges = this.#edge;
    const scores = this.#score;
    let parent = (hole - 1) >> 1;
    while (hole > top && scores[parent] > score) {
      edges[hole] = edges[parent];
      scores[hole] = scores[parent];
      hole = parent;
      parent = (hole - 1) >> 1;
    }
    edges[hole] = edge;
    scores[hole] = score;
  }
}
