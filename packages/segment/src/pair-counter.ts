/**
 * Open-addressing hash table counting (a, b) pairs of non-negative integer ids (exact up to 2^53).
 * Used for contingency tables and region-graph edges: flat typed arrays, no per-entry allocation.
 */
export class PairCounter {
  /** First id of each entry (valid for indices `< size`). */
  a: Float64Array;
  /** Second id of each entry. */
  b: Float64Array;
  /** Accumulated count of each entry. */
  count: Float64Array;
  /** Number of distinct pairs. */
  size = 0;
  #slots: Int32Array;
  #mask: number;

  /** @param capacity expected number of distinct pairs (the table grows as needed). */
  constructor(capacity = 1024) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.#slots = new Int32Array(slots).fill(-1);
    this.#mask = slots - 1;
    const entries = slots >>> 1;
    this.a = new Float64Array(entries);
    this.b = new Float64Array(entries);
    this.count = new Float64Array(entries);
  }

  /** Entry index of (a, b), creating it with count 0 when absent. */
  index(a: number, b: number): number {
    const mask = this.#mask;
    let h = (Math.imul(a >>> 0, 0x9e3779b1) ^ Math.imul((b >>> 0) + 0x7f4a7c15, 0x85ebca77)) >>> 0;
    h = (h ^ (h >>> 15)) & mask;
    const slots = this.#slots;
    for (;;) {
      const e = slots[h];
      if (e === -1) break;
      if (this.a[e] === a && this.b[e] === b) return e;
      h = (h + 1) & mask;
    }
    const e = this.size++;
    slots[h] = e;
    this.a[e] = a;
    this.b[e] = b;
    if (this.size * 2 >= slots.length) this.#grow();
    return e;
  }

  /** Add `n` to the count of (a, b). */
  add(a: number, b: number, n: number): void {
    const e = this.index(a, b);
    this.count[e] += n;
  }

  #grow(): void {
    const slotsLength = this.#slots.length * 2;
    const entries = slotsLength >>> 1;
    const grow = (old: Float64Array) => {
      const next = new Float64Array(entries);
      next.set(old.subarray(0, this.size));
      return next;
    };
    this.a = grow(this.a);
    this.b = grow(this.b);
    this.count = grow(this.count);
    this.#slots = new Int32Array(slotsLength).fill(-1);
    this.#mask = slotsLength - 1;
    for (let e = 0; e < this.size; e++) {
      const a = this.a[e];
      const b = this.b[e];
      let h = (Math.imul(a >>> 0, 0x9e3779b1) ^ Math.imul((b >>> 0) + 0x7f4a7c15, 0x85ebca77)) >>> 0;
      h = (h ^ (h >>> 15)) & this.#mask;
      while (this.#slots[h] !== -1) h = (h + 1) & this.#mask;
      this.#slots[h] = e;
    }
  }
}
