/**
 * CRC-64/XZ tables and the JavaScript kernel: the register is held as two 32-bit halves and the
 * input is consumed 8 bytes at a time with slicing-by-8 tables (no BigInt). The tables hold, for
 * each of the 8 byte positions and each byte value, the low and high halves of the register
 * contribution, interleaved (`table[2 * (256 * k + byte)]` low, `+ 1` high).
 */

/** Reflected ECMA-182 polynomial, low and high 32-bit halves (0xC96C5795D7870F42). */
const POLY_LO = 0xd7870f42;
const POLY_HI = 0xc96c5795;

function buildTable(): Uint32Array {
  const t = new Uint32Array(8 * 256 * 2);
  for (let n = 0; n < 256; n++) {
    let lo = n;
    let hi = 0;
    for (let b = 0; b < 8; b++) {
      const bit = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = hi >>> 1;
      if (bit) {
        lo = (lo ^ POLY_LO) >>> 0;
        hi = (hi ^ POLY_HI) >>> 0;
      }
    }
    t[2 * n] = lo;
    t[2 * n + 1] = hi;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const plo = t[2 * (256 * (k - 1) + n)];
      const phi = t[2 * (256 * (k - 1) + n) + 1];
      const i = 2 * (plo & 0xff);
      // one more byte step: (prev >>> 8) ^ T0[prev & 0xff]
      t[2 * (256 * k + n)] = (((plo >>> 8) | (phi << 24)) ^ t[i]) >>> 0;
      t[2 * (256 * k + n) + 1] = ((phi >>> 8) ^ t[i + 1]) >>> 0;
    }
  }
  return t;
}

/** The slicing-by-8 table shared by every {@link Crc64} (also shipped to worker threads). */
export const CRC64_TABLE: Uint32Array = buildTable();

/**
 * Advance a CRC-64/XZ register (held as `state[0]` low, `state[1]` high, not inverted) over `bytes`.
 * Self-contained (it references nothing outside its parameters), so worker threads can evaluate its
 * source text. `wordLoop` reads 8 bytes at a time as two host-order words: pass it only on
 * little-endian hosts (the byte loop is correct everywhere).
 */
export function crc64Kernel(
  table: Uint32Array,
  state: Uint32Array,
  bytes: Uint8Array,
  wordLoop: boolean,
): void {
  let lo = state[0] | 0;
  let hi = state[1] | 0;
  let i = 0;
  const n = bytes.length;
  const end8 = n - (n % 8);
  const t = table;
  if (wordLoop && (bytes.byteOffset & 3) === 0 && end8 > 0) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, end8 >>> 2);
    const nw = words.length;
    for (let w = 0; w < nw; w += 2) {
      const a = lo ^ words[w];
      const b = hi ^ words[w + 1];
      const i7 = (1792 + (a & 0xff)) << 1;
      const i6 = (1536 + ((a >>> 8) & 0xff)) << 1;
      const i5 = (1280 + ((a >>> 16) & 0xff)) << 1;
      const i4 = (1024 + (a >>> 24)) << 1;
      const i3 = (768 + (b & 0xff)) << 1;
      const i2 = (512 + ((b >>> 8) & 0xff)) << 1;
      const i1 = (256 + ((b >>> 16) & 0xff)) << 1;
      const i0 = (b >>> 24) << 1;
      lo = t[i7] ^ t[i6] ^ t[i5] ^ t[i4] ^ t[i3] ^ t[i2] ^ t[i1] ^ t[i0];
      hi = t[i7 + 1] ^ t[i6 + 1] ^ t[i5 + 1] ^ t[i4 + 1] ^ t[i3 + 1] ^ t[i2 + 1] ^ t[i1 + 1] ^ t[i0 + 1];
    }
    i = end8;
  }
  for (; i < n; i++) {
    const j = ((lo ^ bytes[i]) & 0xff) << 1;
    lo = ((lo >>> 8) | (hi << 24)) ^ t[j];
    hi = (hi >>> 8) ^ t[j + 1];
  }
  state[0] = lo;
  state[1] = hi;
}
