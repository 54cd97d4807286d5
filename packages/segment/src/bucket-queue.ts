/**
 * FIFO bucket queue over integer levels 0..levels−1 with a two-level bitmap of non-empty buckets, so
 * finding the lowest non-empty bucket costs O(1) word scans even after an insertion below the
 * current level. Entries are voxel indices; each voxel may be queued at most once (links are per voxel).
 */
export class BucketQueue {
  readonly #head: Int32Array;
  readonly #tail: Int32Array;
  readonly #next: Int32Array;
  readonly #words: Uint32Array;
  readonly #summary: Uint32Array;
  size = 0;

  /** @param levels number of levels. @param capacity number of distinct entries (voxels). */
  constructor(levels: number, capacity: number) {
    this.#head = new Int32Array(levels).fill(-1);
    this.#tail = new Int32Array(levels).fill(-1);
    this.#next = new Int32Array(capacity);
    this.#words = new Uint32Array((levels + 31) >>> 5);
    this.#summary = new Uint32Array((this.#words.length + 31) >>> 5);
  }

  /** Append voxel `i` to bucket `level`. */
  push(i: number, level: number): void {
    this.#next[i] = -1;
    const t = this.#tail[level];
    if (t === -1) {
      this.#head[level] = i;
      const w = level >>> 5;
      if (this.#words[w] === 0) this.#summary[w >>> 5] |= 1 << (w & 31);
      this.#words[w] |= 1 << (level & 31);
    } else {
      this.#next[t] = i;
    }
    this.#tail[level] = i;
    this.size++;
  }

  /** Remove and return the oldest entry of the lowest non-empty bucket (−1 when empty). */
  pop(): number {
    if (this.size === 0) return -1;
    const level = this.#lowest();
    const i = this.#head[level];
    const n = this.#next[i];
    this.#head[level] = n;
    if (n === -1) {
      this.#tail[level] = -1;
      const w = level >>> 5;
      this.#words[w] &= ~(1 << (level & 31));
      if (this.#words[w] === 0) this.#summary[w >>> 5] &= ~(1 << (w & 31));
    }
    this.size--;
    return i;
  }

  #lowest(): number {
    const summary = this.#summary;
    for (let s = 0; s < summary.length; s++) {
      const bits = summary[s];
      if (bits === 0) continue;
      const w = (s << 5) + (31 - Math.clz32(bits & -bits));
      const word = this.#words[w];
      return (w << 5) + (31 - Math.clz32(word & -word));
    }
    return -1;
  }
}
