/**
 * A WebAssembly CRC-64/XZ kernel, assembled here byte by byte so that no binary file or toolchain
 * is needed: slicing-by-8 on native 64-bit words over 4 independent lanes of 64 KiB (combined with
 * "shift by a lane of zeros" tables), ~3× the speed of the JS kernel, which works on 32-bit halves
 * (measured here: 2.5–2.7 GB/s against 0.8). Data are copied into the module's memory in 256 KiB
 * chunks; the slicing tables are {@link CRC64_TABLE}'s (whose interleaved low/high halves are
 * exactly little-endian u64s).
 */
import { HOST_LITTLE_ENDIAN } from "./byteswap.js";
import { CRC64_TABLE, crc64Kernel } from "./crc64-kernel.js";

/** Bytes consumed per lane and iteration (slicing-by-8: measured here as fast as by-16 with lanes). */
const SLICES: number = 8;
/** Independent lanes of `crc3` (the CPU overlaps their dependency chains). */
const LANES = 4;
/** Bytes of one lane of `crc3`: full chunks are checksummed as LANES lanes of this size. */
export const LANE = 64 * 1024;
/** Bytes copied and checksummed per call (all lanes). */
export const WASM_CHUNK = LANES * LANE;
/** Address of the lane-combination tables (8 × 256 u64, after the slicing tables). */
const SHIFT_AT = SLICES * 256 * 8;
/** Bytes of all tables at address 0 (data chunks follow them). */
export const TABLE_BYTES = SHIFT_AT + 8 * 256 * 8;
const PAGES = Math.ceil((TABLE_BYTES + WASM_CHUNK) / 65536);

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const str = (s: string) => [...uleb(s.length), ...new TextEncoder().encode(s)];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

// opcodes
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const I64_CONST = 0x42;
const I64_LOAD = 0x29;
const I32_LOAD8_U = 0x2d;
const I32_AND = 0x71;
const I32_ADD = 0x6a;
const I32_SHL = 0x74;
const I32_XOR = 0x73;
const I32_GE_U = 0x4f;
const I32_LT_U = 0x49;
const I64_XOR = 0x85;
const I64_SHR_U = 0x88;
const I32_WRAP_I64 = 0xa7;
const BLOCK = 0x02;
const LOOP = 0x03;
const BR_IF = 0x0d;
const END = 0x0b;
const VOID = 0x40;

// locals: 0 p (i32), 1 n (i32), 2 c (i64 register, not inverted), 3 end (i32), 4 x, 5 y (i64)
const [P, N, C, E, X, Y] = [0, 1, 2, 3, 4, 5];

function body(): number[] {
  const code: number[] = [];
  const emit = (...b: number[]) => code.push(...b);
  // end = p + (n & -16)
  emit(LOCAL_GET, P, LOCAL_GET, N, I32_CONST, ...sleb(-SLICES), I32_AND, I32_ADD, LOCAL_SET, E);
  emit(BLOCK, VOID, LOCAL_GET, P, LOCAL_GET, E, I32_GE_U, BR_IF, 0);
  emit(LOOP, VOID);
  // x = c ^ load64(p), y = load64(p + 8)
  emit(LOCAL_GET, C, LOCAL_GET, P, I64_LOAD, 0, 0, I64_XOR, LOCAL_SET, X);
  emit(LOCAL_GET, P, I64_LOAD, 0, 8, LOCAL_SET, Y);
  // c = T15[x & 255] ^ … ^ T8[x >> 56] ^ T7[y & 255] ^ … ^ T0[y >> 56]; Tk lives at k × 2048
  for (let k = 0; k < SLICES; k++) {
    emit(LOCAL_GET, k < 8 ? X : Y);
    if (k % 8 > 0) emit(I64_CONST, ...sleb(8 * (k % 8)), I64_SHR_U);
    emit(I32_WRAP_I64, I32_CONST, ...sleb(255), I32_AND, I32_CONST, 3, I32_SHL);
    emit(I64_LOAD, 3, ...uleb((SLICES - 1 - k) * 2048));
    if (k > 0) emit(I64_XOR);
  }
  emit(LOCAL_SET, C);
  emit(LOCAL_GET, P, I32_CONST, SLICES, I32_ADD, LOCAL_TEE, P, LOCAL_GET, E, I32_LT_U, BR_IF, 0);
  emit(END, END);
  // tail: end = p + (n & 15); one byte at a time
  emit(LOCAL_GET, P, LOCAL_GET, N, I32_CONST, SLICES - 1, I32_AND, I32_ADD, LOCAL_SET, E);
  emit(BLOCK, VOID, LOCAL_GET, P, LOCAL_GET, E, I32_GE_U, BR_IF, 0);
  emit(LOOP, VOID);
  emit(LOCAL_GET, C, I64_CONST, 8, I64_SHR_U);
  emit(LOCAL_GET, C, I32_WRAP_I64, LOCAL_GET, P, I32_LOAD8_U, 0, 0, I32_XOR);
  emit(I32_CONST, ...sleb(255), I32_AND, I32_CONST, 3, I32_SHL, I64_LOAD, 3, 0, I64_XOR, LOCAL_SET, C);
  emit(LOCAL_GET, P, I32_CONST, 1, I32_ADD, LOCAL_TEE, P, LOCAL_GET, E, I32_LT_U, BR_IF, 0);
  emit(END, END);
  emit(LOCAL_GET, C, END);
  const locals = [2, 1, 0x7f, 2, 0x7e];
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

/** Emit one slicing step of the register in local `c` over the SLICES bytes at p + `offset`. */
function sliceStep(emit: (...b: number[]) => void, c: number, x: number, y: number, offset: number): void {
  emit(LOCAL_GET, c, LOCAL_GET, P, I64_LOAD, 0, ...uleb(offset), I64_XOR, LOCAL_SET, x);
  if (SLICES === 16) emit(LOCAL_GET, P, I64_LOAD, 0, ...uleb(offset + 8), LOCAL_SET, y);
  for (let k = 0; k < SLICES; k++) {
    emit(LOCAL_GET, k < 8 ? x : y);
    if (k % 8 > 0) emit(I64_CONST, ...sleb(8 * (k % 8)), I64_SHR_U);
    emit(I32_WRAP_I64, I32_CONST, ...sleb(255), I32_AND, I32_CONST, 3, I32_SHL);
    emit(I64_LOAD, 3, ...uleb((SLICES - 1 - k) * 2048));
    if (k > 0) emit(I64_XOR);
  }
  emit(LOCAL_SET, c);
}

/** Emit `Z(x)`: the register after feeding LANE zero bytes to register x (left on the stack). */
function shiftLane(emit: (...b: number[]) => void, x: number): void {
  for (let k = 0; k < 8; k++) {
    emit(LOCAL_GET, x);
    if (k > 0) emit(I64_CONST, ...sleb(8 * k), I64_SHR_U);
    emit(I32_WRAP_I64, I32_CONST, ...sleb(255), I32_AND, I32_CONST, 3, I32_SHL);
    emit(I64_LOAD, 3, ...uleb(SHIFT_AT + k * 2048));
    if (k > 0) emit(I64_XOR);
  }
}

/**
 * `crc3(p, c)`: the register after the LANES × LANE bytes at p, from register c. The lanes are
 * independent chains (all but the first start from 0), so the CPU overlaps them; the result is
 * Z(…Z(Z(c0) ^ c1)…) ^ c_last, Z being "feed LANE zero bytes" (linear, applied with byte tables).
 */
function body3(): number[] {
  const code: number[] = [];
  const emit = (...b: number[]) => code.push(...b);
  // locals: 0 p (i32), 1 lane 0 register (i64); 2 end (i32); 3 x, 4 y, 5… lane 1… registers (i64)
  const [END3, X3, Y3] = [2, 3, 4];
  const lane = (i: number) => (i === 0 ? 1 : 4 + i);
  emit(LOCAL_GET, P, I32_CONST, ...sleb(LANE), I32_ADD, LOCAL_SET, END3);
  emit(LOOP, VOID);
  for (let i = 0; i < LANES; i++) sliceStep(emit, lane(i), X3, Y3, i * LANE);
  emit(LOCAL_GET, P, I32_CONST, SLICES, I32_ADD, LOCAL_TEE, P, LOCAL_GET, END3, I32_LT_U, BR_IF, 0);
  emit(END);
  // r = Z(…Z(Z(c0) ^ c1)…) ^ c_last
  emit(LOCAL_GET, lane(0), LOCAL_SET, X3);
  for (let i = 1; i < LANES; i++) {
    shiftLane(emit, X3);
    emit(LOCAL_GET, lane(i), I64_XOR, LOCAL_SET, X3);
  }
  emit(LOCAL_GET, X3, END);
  const locals = [2, 1, 0x7f, 1 + LANES, 0x7e];
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

/** The module's bytes. */
export function crc64WasmBytes(): Uint8Array {
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [2, 0x60, 3, 0x7f, 0x7f, 0x7e, 1, 0x7e, 0x60, 2, 0x7f, 0x7e, 1, 0x7e]),
    ...section(3, [2, 0, 1]),
    ...section(5, [1, 0x00, ...uleb(PAGES)]),
    ...section(7, [3, ...str("crc"), 0x00, 0, ...str("crc3"), 0x00, 1, ...str("mem"), 0x02, 0]),
    ...section(10, [2, ...body(), ...body3()]),
  ];
  return Uint8Array.from(bytes);
}

/**
 * All tables as little-endian u64s: slicing tables T0…T7 ({@link CRC64_TABLE}'s; more when SLICES is 16), then
 * the lane-combination tables Z_k[v] = Z(v << 8k), Z = feed LANE zero bytes.
 */
export function crc64WasmTables(): Uint8Array {
  const out = new Uint32Array(TABLE_BYTES / 4);
  out.set(CRC64_TABLE);
  for (let k = 8; k < SLICES; k++) {
    for (let n = 0; n < 256; n++) {
      const p = 2 * (256 * (k - 1) + n);
      const i = 2 * (out[p] & 0xff);
      out[2 * (256 * k + n)] = ((out[p] >>> 8) | (out[p + 1] << 24)) ^ out[i];
      out[2 * (256 * k + n) + 1] = (out[p + 1] >>> 8) ^ out[i + 1];
    }
  }
  // images of the 64 basis registers under Z, with the JS kernel over LANE zero bytes
  const zeros = new Uint8Array(LANE);
  const image = new Uint32Array(128);
  for (let b = 0; b < 64; b++) {
    const state = new Uint32Array([b < 32 ? 2 ** b : 0, b >= 32 ? 2 ** (b - 32) : 0]);
    crc64Kernel(CRC64_TABLE, state, zeros, HOST_LITTLE_ENDIAN);
    image[2 * b] = state[0];
    image[2 * b + 1] = state[1];
  }
  const base = SHIFT_AT / 4;
  for (let k = 0; k < 8; k++) {
    for (let v = 0; v < 256; v++) {
      let lo = 0;
      let hi = 0;
      for (let bit = 0; bit < 8; bit++) {
        if (v & (1 << bit)) {
          lo ^= image[2 * (8 * k + bit)];
          hi ^= image[2 * (8 * k + bit) + 1];
        }
      }
      out[base + 2 * (256 * k + v)] = lo;
      out[base + 2 * (256 * k + v) + 1] = hi;
    }
  }
  return new Uint8Array(out.buffer);
}

/**
 * Checksum `bytes` from register `c` with an instantiated kernel whose memory is `heap`: full
 * chunks through `crc3`, the rest through `crc`. Self-contained (worker threads evaluate its text).
 */
export function wasmCrcRun(
  k: { crc(p: number, n: number, c: bigint): bigint; crc3(p: number, c: bigint): bigint },
  heap: Uint8Array,
  c: bigint,
  bytes: Uint8Array,
  dataAt: number,
  chunk: number,
): bigint {
  for (let at = 0; at < bytes.length; at += chunk) {
    const part = bytes.subarray(at, Math.min(bytes.length, at + chunk));
    heap.set(part, dataAt);
    c = part.length === chunk ? k.crc3(dataAt, c) : k.crc(dataAt, part.length, c);
  }
  return c;
}

interface Kernel {
  crc(p: number, n: number, c: bigint): bigint;
  crc3(p: number, c: bigint): bigint;
  mem: { buffer: ArrayBuffer };
}

/** The part of the WebAssembly API used here (the project's `lib` has no WebAssembly types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

let kernel: Kernel | null | undefined;
let heap: Uint8Array;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  try {
    if (wasm === undefined) throw new Error("no WebAssembly");
    const module = new wasm.Module(crc64WasmBytes());
    const instance = new wasm.Instance(module, {});
    kernel = instance.exports as unknown as Kernel;
    heap = new Uint8Array(kernel.mem.buffer);
    heap.set(crc64WasmTables(), 0);
  } catch {
    kernel = null;
  }
  return kernel;
}

/**
 * Advance the register `state` (low, high; not inverted) over `bytes` with the wasm kernel.
 * Returns false (state untouched) when WebAssembly is unavailable or the host is big-endian.
 */
export function crc64WasmUpdate(state: Uint32Array, bytes: Uint8Array): boolean {
  // the tables are copied in host order and wasm memory is little-endian
  if (!HOST_LITTLE_ENDIAN) return false;
  const k = load();
  if (k === null) return false;
  let c = (BigInt(state[1]) << 32n) | BigInt(state[0]);
  c = BigInt.asUintN(64, wasmCrcRun(k, heap, c, bytes, TABLE_BYTES, WASM_CHUNK));
  state[0] = Number(c & 0xffffffffn);
  state[1] = Number(c >> 32n);
  return true;
}
