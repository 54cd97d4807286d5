// The table-driven CRC-64 against a bitwise BigInt CRC-64/XZ written here from the definition
// (reflected ECMA-182 polynomial 0xC96C5795D7870F42, init and xorout all ones), whose check value
// on "123456789" is the catalogue's 0x995DC9BBDF1939FA.
import { describe, expect, it } from "vitest";
import { Crc64, crc64, crc64Trailer, setCrc64Wasm } from "./crc64.js";
import { CRC64_TABLE, crc64Kernel } from "./crc64-kernel.js";
import { crc64WasmUpdate, WASM_CHUNK } from "./crc64-wasm.js";

const MASK = (1n << 64n) - 1n;

/** Bitwise CRC-64/XZ, one bit at a time (no tables). */
function bitwiseCrc64(bytes: Uint8Array): bigint {
  let crc = MASK;
  for (const b of bytes) {
    crc ^= BigInt(b);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ 0xc96c5795d7870f42n : crc >> 1n;
  }
  return crc ^ MASK;
}

function random(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

describe("crc64 (CRC-64/XZ)", () => {
  it("has the catalogue check value", () => {
    const check = new TextEncoder().encode("123456789");
    expect(bitwiseCrc64(check)).toBe(0x995dc9bbdf1939fan);
    expect(crc64(check)).toBe(0x995dc9bbdf1939fan);
    expect(crc64(new Uint8Array(0))).toBe(0n);
  });

  it("equals the bitwise CRC on every length 0–80 and on unaligned views", () => {
    const bytes = random(200, 7);
    for (let n = 0; n <= 80; n++) {
      for (const start of [0, 1, 3, 4, 5]) {
        const view = bytes.subarray(start, start + n);
        expect(crc64(view)).toBe(bitwiseCrc64(view));
      }
    }
  });

  it("is incremental: any split of the input gives the same checksum", () => {
    const bytes = random(4099, 11);
    const whole = crc64(bytes);
    for (const cut of [0, 1, 7, 8, 13, 2048, 4098, 4099]) {
      const c = new Crc64().update(bytes.subarray(0, cut)).update(bytes.subarray(cut));
      expect(c.digest()).toBe(whole);
      expect(c.hex()).toBe(whole.toString(16).padStart(16, "0"));
    }
  });

  it("trailer: the inverted checksum little-endian, so data+trailer has residue all ones", () => {
    const bytes = random(1000, 3);
    const c = new Crc64().update(bytes);
    const trailer = crc64Trailer(c);
    const stored = new DataView(trailer.buffer).getBigUint64(0, true);
    expect(stored).toBe(bitwiseCrc64(bytes) ^ MASK);
    const all = new Uint8Array(1008);
    all.set(bytes);
    all.set(trailer, 1000);
    expect(bitwiseCrc64(all)).toBe(MASK);
    expect(new Crc64().update(all).matchesResidue()).toBe(true);
    all[10] ^= 1;
    expect(new Crc64().update(all).matchesResidue()).toBe(false);
  });

  it("the WebAssembly and JavaScript kernels agree with each other and with the bitwise CRC", () => {
    const bytes = random(2 * WASM_CHUNK + 100, 5);
    for (const [start, n] of [
      [0, 512],
      [3, 1000],
      [1, 4096 + 13],
      [0, WASM_CHUNK],
      [7, WASM_CHUNK + 1],
      [5, 2 * WASM_CHUNK + 17],
    ]) {
      const view = bytes.subarray(start, start + n);
      const js = new Uint32Array([0xffffffff, 0xffffffff]);
      crc64Kernel(CRC64_TABLE, js, view, true);
      const bytewise = new Uint32Array([0xffffffff, 0xffffffff]);
      crc64Kernel(CRC64_TABLE, bytewise, view, false);
      const wasm = new Uint32Array([0xffffffff, 0xffffffff]);
      expect(crc64WasmUpdate(wasm, view)).toBe(true);
      expect([...wasm]).toEqual([...js]);
      expect([...bytewise]).toEqual([...js]);
      if (n <= 5000) expect(crc64(view)).toBe(bitwiseCrc64(view));
    }
    // the BigInt reference on one chunk-crossing input (slow, so only once)
    const long = bytes.subarray(1, WASM_CHUNK + 9);
    expect(crc64(long)).toBe(bitwiseCrc64(long));
    setCrc64Wasm(false);
    try {
      expect(crc64(long)).toBe(bitwiseCrc64(long));
    } finally {
      setCrc64Wasm(true);
    }
  });
});
