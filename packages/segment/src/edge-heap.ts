/**
 * Binary min-heap of region-graph edges keyed by (score, lo, hi): equal scores are broken by the ids
 * of the regions (or any other two keys), so the merge order does not depend on insertion order.
 * Entries carry the edge's version at push time; stale entries are skipped by the caller. Entries
 * live in parallel typed arrays and move along a hole while sifting (no swaps).
 */
export class EdgeHeap {
  #score = new Float64Array(1024);
  #lo = new Float64Array(1024);
  #hi = new Float64Array(1024);
  #edge = new Int32Array(1024);
  #version = new Int32Array(1024);
  size = 0;

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

  /** Move the entry at `from` to `to`. */
  #move(from: number, to: number): void {
    this.#score[to] = this.#score[from];
    this.#lo[to] = this.#lo[from];
    this.#hi[to] = this.#hi[from];
    this.#edge[to] = this.#edge[from];
    this.#version[to] = this.#version[from];
  }

  /** Add edge `edge` (at `version`) with its score and the two region ids it joins. */
  push(score: number, lo: number, hi: number, edge: number, version: number): void {
    if (this.size === this.#score.length) this.#grow();
    const scores = this.#score;
    const los = this.#lo;
    const his = this.#hi;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const s = scores[p];
      if (s < score || (s === score && (los[p] < lo || (los[p] === lo && his[p] <= hi)))) break;
      this.#move(p, i);
      i = p;
    }
    scores[i] = score;
    los[i] = lo;
    his[i] = hi;
    this.#edge[i] = edge;
    this.#version[i] = version;
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
    const scores = this.#score;
    const los = this.#lo;
    const his = this.#hi;
    const score = scores[last];
    const lo = los[last];
    const hi = his[last];
    const edge = this.#edge[last];
    const version = this.#version[last];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= last) break;
      const r = c + 1;
      if (
        r < last &&
        (scores[r] < scores[c] ||
          (scores[r] === scores[c] && (los[r] < los[c] || (los[r] === los[c] && his[r] < his[c]))))
      )
        c = r;
      const s = scores[c];
      if (score < s || (score === s && (lo < los[c] || (lo === los[c] && hi <= his[c])))) break;
      this.#move(c, i);
      i = c;
    }
    scores[i] = score;
    los[i] = lo;
    his[i] = hi;
    this.#edge[i] = edge;
    this.#version[i] = version;
  }
}
