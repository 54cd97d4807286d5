function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function rotl(x: number, r: number): number {
  return ((x << r) | (x >>> (32 - r))) >>> 0;
}

/**
 * MurmurHash3_x86_128 of `bytes` with `seed`; returns the four 32-bit words `[h1, h2, h3, h4]`.
 * Neuroglancer's sharded format hashes the 8-byte little-endian chunk id with seed 0 and keeps the
 * low 64 bits, `h2 << 32 | h1` (see {@link murmurHash64}).
 */
export function murmurHash3x86_128(bytes: Uint8Array, seed = 0): [number, number, number, number] {
  const c1 = 0x239b961b;
  const c2 = 0xab0e9789;
  const c3 = 0x38b34ae5;
  const c4 = 0xa1e38b93;
  let h1 = seed >>> 0;
  let h2 = seed >>> 0;
  let h3 = seed >>> 0;
  let h4 = seed >>> 0;
  const len = bytes.length;
  const blocks = len >>> 4;
  const word = (o: number) =>
    (bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24)) >>> 0;
  for (let i = 0; i < blocks; i++) {
    let k1 = word(i * 16);
    let k2 = word(i * 16 + 4);
    let k3 = word(i * 16 + 8);
    let k4 = word(i * 16 + 12);
    k1 = Math.imul(rotl(Math.imul(k1, c1), 15), c2);
    h1 = (h1 ^ k1) >>> 0;
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) >>> 0;
    k2 = Math.imul(rotl(Math.imul(k2, c2), 16), c3);
    h2 = (h2 ^ k2) >>> 0;
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) >>> 0;
    k3 = Math.imul(rotl(Math.imul(k3, c3), 17), c4);
    h3 = (h3 ^ k3) >>> 0;
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) >>> 0;
    k4 = Math.imul(rotl(Math.imul(k4, c4), 18), c1);
    h4 = (h4 ^ k4) >>> 0;
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) >>> 0;
  }
  const tail = blocks * 16;
  const rest = len & 15;
  let k1 = 0;
  let k2 = 0;
  let k3 = 0;
  let k4 = 0;
  for (let i = rest - 1; i >= 0; i--) {
    const b = bytes[tail + i];
    if (i >= 12) k4 = (k4 | (b << ((i - 12) * 8))) >>> 0;
    else if (i >= 8) k3 = (k3 | (b << ((i - 8) * 8))) >>> 0;
    else if (i >= 4) k2 = (k2 | (b << ((i - 4) * 8))) >>> 0;
    else k1 = (k1 | (b << (i * 8))) >>> 0;
  }
  if (rest > 12) h4 = (h4 ^ Math.imul(rotl(Math.imul(k4, c4), 18), c1)) >>> 0;
  if (rest > 8) h3 = (h3 ^ Math.imul(rotl(Math.imul(k3, c3), 17), c4)) >>> 0;
  if (rest > 4) h2 = (h2 ^ Math.imul(rotl(Math.imul(k2, c2), 16), c3)) >>> 0;
  if (rest > 0) h1 = (h1 ^ Math.imul(rotl(Math.imul(k1, c1), 15), c2)) >>> 0;
  h1 = (h1 ^ len) >>> 0;
  h2 = (h2 ^ len) >>> 0;
  h3 = (h3 ^ len) >>> 0;
  h4 = (h4 ^ len) >>> 0;
  h1 = (h1 + h2 + h3 + h4) >>> 0;
  h2 = (h2 + h1) >>> 0;
  h3 = (h3 + h1) >>> 0;
  h4 = (h4 + h1) >>> 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h3 = fmix32(h3);
  h4 = fmix32(h4);
  h1 = (h1 + h2 + h3 + h4) >>> 0;
  h2 = (h2 + h1) >>> 0;
  h3 = (h3 + h1) >>> 0;
  h4 = (h4 + h1) >>> 0;
  return [h1, h2, h3, h4];
}

/** Low 64 bits of MurmurHash3_x86_128 (seed 0) of a uint64 key in little-endian bytes. */
export function murmurHash64(key: bigint): bigint {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, key), true);
  const [h1, h2] = murmurHash3x86_128(bytes, 0);
  return (BigInt(h2) << 32n) | BigInt(h1);
}
