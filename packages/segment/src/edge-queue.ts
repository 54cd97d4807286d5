/**
 * Indexed binary min-heap of edges `0 … capacity−1` ordered by `(score[e], first[e])` (arrays owned by
 * the caller). Unlike {@link EdgeHeap} it holds each edge at most once, and an edge can be removed or
 * re-ordered in place after its score changed: 8 bytes per edge, no stale entries.
 */
export class EdgeQueue {
  /** Edges in heap order (valid below `size`). */
  readonly #heap: Int32Array;
  /** Heap position of each edge, −1 when not queued. */
  readonly #pos: Int32Array;
  readonly #score: Float64Array;
  readonly #first: Float64Array;
  size = 0;

  constructor(capacity: number, score: Float64Array, first: Float64Array) {
    this.#heap = new Int32Array(capacity);
    this.#pos = new Int32Array(capacity).fill(-1);
    this.#score = score;
    this.#first = first;
  }

  #less(e: number, f: number): boolean {
    const s = this.#score;
    if (s[e] !== s[f]) return s[e] < s[f];
    return this.#first[e] < this.#first[f];
  }

  #up(i: number): void {
    const heap = this.#heap;
    const pos = this.#pos;
    const e = heap[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      const q = heap[p];
      if (!this.#less(e, q)) break;
      heap[i] = q;
      pos[q] = i;
      i = p;
    }
    heap[i] = e;
    pos[e] = i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const pos = this.#pos;
    const n = this.size;
    const e = heap[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const c = l + 1 < n && this.#less(heap[l + 1], heap[l]) ? l + 1 : l;
      const q = heap[c];
      if (!this.#less(q, e)) break;
      heap[i] = q;
      pos[q] = i;
      i = c;
    }
    heap[i] = e;
    pos[e] = i;
  }

  /** Queue every edge `e` with `keep(e)` at once (O(n) heapify). Only on an empty queue. */
  fill(count: number, keep: (e: number) => boolean): void {
    let n = 0;
    for (let e = 0; e < count; e++) {
      if (!keep(e)) continue;
      this.#heap[n] = e;
      this.#pos[e] = n;
      n++;
    }
    this.size = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.#down(i);
  }

  /** Whether edge `e` is queued. */
  has(e: number): boolean {
    return this.#pos[e] >= 0;
  }

  /** The lowest edge (−1 when empty). */
  top(): number {
    return this.size > 0 ? this.#heap[0] : -1;
  }

  /** Take edge `e` out of the queue (no-op when not queued). */
  remove(e: number): void {
    const i = this.#pos[e];
    if (i < 0) return;
    this.#pos[e] = -1;
    const last = --this.size;
    if (i === last) return;
    const moved = this.#heap[last];
    this.#heap[i] = moved;
    this.#pos[moved] = i;
    this.#up(i);
    this.#down(this.#pos[moved]);
  }

  /** Restore the order after `score[e]` or `first[e]` of a queued edge changed. */
  update(e: number): void {
    const i = this.#pos[e];
    if (i < 0) return;
    this.#up(i);
    this.#down(this.#pos[e]);
  }
}
