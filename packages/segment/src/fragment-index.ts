/**
 * Position of a fragment id in a strictly ascending list of ids (below 2^53), in a few steps for any
 * spread of ids: the id range is cut into about as many buckets as there are ids, each bucket knows
 * where its ids start, and a lookup binary-searches only its bucket. Memory: the ids plus one
 * `Int32Array` of about `ids.length` entries.
 */
export class FragmentIndex {
  readonly ids: Float64Array;
  #start: Int32Array;
  #min: number;
  #width: number;

  /** @param ids strictly ascending non-negative ids (not copied; do not change them afterwards) */
  constructor(ids: Float64Array) {
    this.ids = ids;
    const n = ids.length;
    this.#min = n > 0 ? ids[0] : 0;
    const span = n > 0 ? ids[n - 1] - this.#min + 1 : 1;
    let width = 1;
    while (span / width > Math.max(n, 1)) width *= 2;
    this.#width = width;
    const buckets = Math.ceil(span / width);
    const start = new Int32Array(buckets + 1);
    // start[b] = first k with bucket(ids[k]) >= b
    let k = 0;
    for (let b = 0; b <= buckets; b++) {
      while (k < n && Math.floor((ids[k] - this.#min) / width) < b) k++;
      start[b] = k;
    }
    this.#start = start;
  }

  /** Index of `id` in the list, or −1 when it is not listed. */
  indexOf(id: number): number {
    const offset = id - this.#min;
    if (!(offset >= 0)) return -1;
    const b = Math.floor(offset / this.#width);
    if (b >= this.#start.length - 1) return -1;
    const ids = this.ids;
    let lo = this.#start[b];
    let hi = this.#start[b + 1];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.#start[b + 1] && ids[lo] === id ? lo : -1;
  }
}
