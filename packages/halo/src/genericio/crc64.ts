/**
 * CRC-64/XZ (ECMA-182 polynomial, reflected, initial value and final xor all ones), the checksum
 * GenericIO stores after its header and after every data block. Long inputs go through the
 * WebAssembly kernel (`crc64-wasm.ts`), short ones and hosts without WebAssembly through the
 * JavaScript kernel (`crc64-kernel.ts`); both give the same register.
 */
import { CRC64_TABLE, crc64Kernel } from "./crc64-kernel.js";
import { crc64WasmUpdate } from "./crc64-wasm.js";

/** Inputs at least this long use the WebAssembly kernel. */
const WASM_MIN_BYTES = 512;

/** True when this platform stores integers little-endian (the kernel's word loop assumes it). */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let useWasm = true;

/** Use (default) or bypass the WebAssembly kernel; for tests and benchmarks. */
export function setCrc64Wasm(enabled: boolean): void {
  useWasm = enabled;
}

/**
 * Incremental CRC-64/XZ. `update` as many times as needed, then `digest()` (the checksum as a
 * BigInt) or compare with `matchesResidue()` after feeding a GenericIO block with its 8-byte trailer.
 */
export class Crc64 {
  /** Register (low, high), not inverted. */
  readonly state: Uint32Array = new Uint32Array([0xffffffff, 0xffffffff]);

  /** Feed bytes. */
  update(bytes: Uint8Array): this {
    if (
      bytes.length >= WASM_MIN_BYTES &&
      LITTLE_ENDIAN_HOST &&
      useWasm &&
      crc64WasmUpdate(this.state, bytes)
    ) {
      return this;
    }
    // the word loop reads host-order words: only valid on little-endian hosts
    crc64Kernel(CRC64_TABLE, this.state, bytes, LITTLE_ENDIAN_HOST);
    return this;
  }

  /** Low 32 bits of the checksum. */
  get lo(): number {
    return ~this.state[0] >>> 0;
  }

  /** High 32 bits of the checksum. */
  get hi(): number {
    return ~this.state[1] >>> 0;
  }

  /** The checksum (final xor applied). */
  digest(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** The checksum as 16 hex digits. */
  hex(): string {
    return this.hi.toString(16).padStart(8, "0") + this.lo.toString(16).padStart(8, "0");
  }

  /**
   * True when the bytes fed so far end with a valid GenericIO trailer: the checksum of data plus
   * trailer is all ones (the trailer is the inverted checksum of the data, little-endian).
   */
  matchesResidue(): boolean {
    return this.state[0] === 0 && this.state[1] === 0;
  }
}

/** CRC-64/XZ of `bytes` as a BigInt (check value: `crc64("123456789") = 0x995dc9bbdf1939fa`). */
export function crc64(bytes: Uint8Array): bigint {
  return new Crc64().update(bytes).digest();
}

/**
 * The 8 bytes GenericIO stores after a block whose checksum is `crc`: the inverted checksum,
 * little-endian, so that the CRC of block plus trailer is all ones.
 */
export function crc64Trailer(crc: Crc64): Uint8Array {
  const out = new Uint8Array(8);
  const v = new DataView(out.buffer);
  v.setUint32(0, crc.state[0], true);
  v.setUint32(4, crc.state[1], true);
  return out;
}
