/**
 * Open-addressing hash set of live edges keyed by their current endpoints `{u[e], v[e]}` (arrays
 * owned by the caller), for finding the edge between two regions. It stores only edge indices
 * (4 bytes per slot, at most half the slots used) and deletes in place (backward shift), so it never
 * fills with stale entries. Call {@link delete} before changing an edge's endpoints, then
 * {@link insert} again.
 */
export class LivePairTable {
  readonly #slots: Int32Array;
  readonly #mask: number;
  readonly #u: Int32Array;
  readonly #v: Int32Array;

  /** @param capacity most edges held at once */
  constructor(capacity: number, u: Int32Array, v: Int32Array) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.#slots = new Int32Array(slots).fill(-1);
    this.#mask = slots - 1;
    this.#u = u;
    this.#v = v;
  }

  #home(p: number, q: number): number {
    const lo = Math.min(p, q);
    const hi = Math.max(p, q);
    let h = (Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi + 0x7f4a7c15, 0x85ebca77)) >>> 0;
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d) >>> 0;
    return (h ^ (h >>> 12)) & this.#mask;
  }

  /** The edge between nodes p and q, or −1. */
  find(p: number, q: number): number {
    const slots = this.#slots;
    const u = this.#u;
    const v = this.#v;
    for (let h = this.#home(p, q); ; h = (h + 1) & this.#mask) {
      const e = slots[h];
      if (e === -1) return -1;
      if ((u[e] === p && v[e] === q) || (u[e] === q && v[e] === p)) return e;
    }
  }

  /** Add edge `e` under its current endpoints (it must not be held). */
  insert(e: number): void {
    const slots = this.#slots;
    let h = this.#home(this.#u[e], this.#v[e]);
    while (slots[h] !== -1) h = (h + 1) & this.#mask;
    slots[h] = e;
  }

  /** Remove edge `e` (held under its current endpoints). */
  delete(e: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let i = this.#home(this.#u[e], this.#v[e]);
    while (slots[i] !== e) {
      if (slots[i] === -1) return;
      i = (i + 1) & mask;
    }
    // backward shift: move later entries of the probe sequence into the hole
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const f = slots[j];
      if (f === -1) break;
      const k = this.#home(this.#u[f], this.#v[f]);
      const stays = i <= j ? i < k && k <= j : i < k || k <= j;
      if (stays) continue;
      slots[i] = f;
      i = j;
    }
    slots[i] = -1;
  }
}
