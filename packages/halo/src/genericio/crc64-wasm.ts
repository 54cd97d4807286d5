/**
 * A WebAssembly CRC-64/XZ kernel (slicing-by-16 on native 64-bit words), assembled here byte by byte
 * so that no binary file or toolchain is needed. It is ~2× the speed of the JS kernel, which works
 * on 32-bit halves. Data are copied into the module's memory in chunks; the tables are
 * {@link CRC64_TABLE}'s (whose interleaved low/high halves are exactly little-endian u64s),
 * extended to 16 slices.
 */
import { HOST_LITTLE_ENDIAN } from "./byteswap.js";
import { CRC64_TABLE } from "./crc64-kernel.js";

/** Bytes consumed per iteration of the main loop (slicing-by-16). */
const SLICES = 16;
/** Bytes of the 16 × 256 u64 tables at address 0 (data chunks follow them). */
export const TABLE_BYTES = SLICES * 256 * 8;
/** Bytes copied and checksummed per call. */
export const WASM_CHUNK = 256 * 1024;
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

/** The module's bytes. */
export function crc64WasmBytes(): Uint8Array {
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 3, 0x7f, 0x7f, 0x7e, 1, 0x7e]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, ...uleb(PAGES)]),
    ...section(7, [2, ...str("crc"), 0x00, 0, ...str("mem"), 0x02, 0]),
    ...section(10, [1, ...body()]),
  ];
  return Uint8Array.from(bytes);
}

/** Slicing tables T0…T15 as little-endian u64s (T0…T7 are {@link CRC64_TABLE}'s). */
export function crc64WasmTables(): Uint8Array {
  const out = new Uint32Array(SLICES * 256 * 2);
  out.set(CRC64_TABLE);
  for (let k = 8; k < SLICES; k++) {
    for (let n = 0; n < 256; n++) {
      const p = 2 * (256 * (k - 1) + n);
      const i = 2 * (out[p] & 0xff);
      out[2 * (256 * k + n)] = ((out[p] >>> 8) | (out[p + 1] << 24)) ^ out[i];
      out[2 * (256 * k + n) + 1] = (out[p + 1] >>> 8) ^ out[i + 1];
    }
  }
  return new Uint8Array(out.buffer);
}

interface Kernel {
  crc(p: number, n: number, c: bigint): bigint;
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
  for (let at = 0; at < bytes.length; at += WASM_CHUNK) {
    const chunk = bytes.subarray(at, Math.min(bytes.length, at + WASM_CHUNK));
    heap.set(chunk, TABLE_BYTES);
    c = k.crc(TABLE_BYTES, chunk.length, c);
  }
  c = BigInt.asUintN(64, c);
  state[0] = Number(c & 0xffffffffn);
  state[1] = Number(c >> 32n);
  return true;
}
