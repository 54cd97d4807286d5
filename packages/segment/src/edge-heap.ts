/**
 * Binary min-heap of region-graph edges keyed by (score, lo, hi): equal scores are broken by the ids
 * of the regions, so the merge order does not depend on insertion order. Entries carry the edge's
 * version at push time; stale entries are skipped by the caller.
 */
export class EdgeHeap {
  #score = new Float64Array(1024);
  #lo = new Float64Array(1024);
  #hi = new Float64Array(1024);
  #edge = new Int32Array(1024);
  #version = new Int32Array(1024);
  size = 0;

  #less(i: number, j: number): boolean {
    const s = this.#score;
    if (s[i] !== s[j]) return s[i] < s[j];
    if (this.#lo[i] !== this.#lo[j]) return this.#lo[i] < this.#lo[j];
    return this.#hi[i] < this.#hi[j];
  }

  #swap(i: number, j: number): void {
    const score = this.#score;
    const lo = this.#lo;
    const hi = this.#hi;
    const edge = this.#edge;
    const version = this.#version;
    let t = score[i];
    score[i] = score[j];
    score[j] = t;
    t = lo[i];
    lo[i] = lo[j];
    lo[j] = t;
    t = hi[i];
    hi[i] = hi[j];
    hi[j] = t;
    t = edge[i];
    edge[i] = edge[j];
    edge[j] = t;
    t = version[i];
    version[i] = version[j];
    version[j] = t;
  }

  #grow(): void {
    const grow = <T extends Float64Array | Int32Array>(old: T): T => {
      const next = new (old.constructor as new (n: number) => T)(old.length * 2);
      next.set(old);
      return next;
    };
    this.#score = grow(this.#score);
    this.#lo = grow(this.#lo);
    this.#hi = grow(this.#hi);
    this.#edge = grow(this.#edge);
    this.#version = grow(this.#version);
  }

  /** Add edge `edge` (at `version`) with its score and the two region ids it joins. */
  push(score: number, lo: number, hi: number, edge: number, version: number): void {
    if (this.size === this.#score.length) this.#grow();
    let i = this.size++;
    this.#score[i] = score;
    this.#lo[i] = lo;
    this.#hi[i] = hi;
    this.#edge[i] = edge;
    this.#version[i] = version;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(i, p)) break;
      this.#swap(i, p);
      i = p;
    }
  }

  /** Score of the top entry (Infinity when empty). */
  topScore(): number {
    return this.size === 0 ? Number.POSITIVE_INFINITY : this.#score[0];
  }

  /** Edge of the top entry. */
  topEdge(): number {
    return this.#edge[0];
  }

  /** Version of the top entry. */
  topVersion(): number {
    return this.#version[0];
  }

  /** Remove the top entry. */
  pop(): void {
    const last = --this.size;
    if (last === 0) return;
    this.#swap(0, last);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < last && this.#less(l, m)) m = l;
      if (r < last && this.#less(r, m)) m = r;
      if (m === i) break;
      this.#swap(i, m);
      i = m;
    }
  }
}
