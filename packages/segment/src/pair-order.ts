/**
 * Stable sort order of `count` pairs `(hi[k], lo[k])` of unsigned 32-bit keys, ascending by `hi`
 * then `lo`; equal pairs keep their input order. LSD radix sort with 16-bit digits (at most four
 * passes; a pass whose digit is the same for every pair is skipped), O(count) time, two index
 * arrays of memory.
 */
export function pairOrder(hi: Uint32Array, lo: Uint32Array, count: number): Uint32Array {
  let order = new Uint32Array(count);
  for (let k = 0; k < count; k++) order[k] = k;
  let next = new Uint32Array(count);
  const buckets = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const keys = pass < 2 ? lo : hi;
    const shift = (pass & 1) * 16;
    buckets.fill(0);
    for (let k = 0; k < count; k++) buckets[(keys[k] >>> shift) & 0xffff]++;
    if (count === 0 || buckets[(keys[0] >>> shift) & 0xffff] === count) continue;
    let total = 0;
    for (let d = 0; d < 65536; d++) {
      const c = buckets[d];
      buckets[d] = total;
      total += c;
    }
    for (let k = 0; k < count; k++) {
      const i = order[k];
      next[buckets[(keys[i] >>> shift) & 0xffff]++] = i;
    }
    const swap = order;
    order = next;
    next = swap;
  }
  return order;
}
