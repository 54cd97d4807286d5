import { WATERSHED_WASM_BASE64 } from "./watershed-wasm-binary.js";

/** The part of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** What `wasm/watershed.c` exports. */
interface WatershedExports {
  memory: { buffer: ArrayBuffer };
  ws_reset(): void;
  ws_alloc(bytes: number): number;
  ws_first_nonfinite(words: number, count: number): number;
  ws_watershed(
    affinities: number,
    Z: number,
    Y: number,
    X: number,
    low: number,
    high: number,
    dirs: number,
    labels: number,
    parent: number,
    none: number,
  ): number;
}

/** Bytes of kernel memory per voxel: affinities 12, direction bits 1 (plus two planes), labels (and queue) 4, parent 4. */
const BYTES_PER_VOXEL = 21;
/** An instance keeps its memory for the next call up to this size (faulting pages in again costs); a larger one is dropped. */
const KEEP_BYTES = 256 * 1024 * 1024;

let compiled: object | undefined;
let idle: WatershedExports | undefined;

/** Whether the kernel can take a volume of `voxels` (WebAssembly available, memory below 4 GiB). */
export function watershedKernelFits(voxels: number): boolean {
  return wasmApi !== undefined && voxels * (BYTES_PER_VOXEL + 2) + (1 << 20) < 2 ** 32 - 2 ** 16;
}

/** Result of {@link watershedKernel}. */
export type KernelWatershed =
  | { fragments: Uint32Array; count: number }
  /** Flat index of the first affinity that is NaN or infinite. */
  | { nonFinite: number }
  /** The memory could not grow that far. */
  | undefined;

/**
 * Run the affinity watershed in the WebAssembly kernel (`packages/segment/wasm/watershed.c`, built by
 * `wasm/build.sh`): the affinities are copied into its memory, checked for NaN and infinities, and
 * the fragments copied out. `low` and `high` are float32 values. Same result as the TypeScript steps
 * of `affinityWatershed`.
 */
export function watershedKernel(
  affinities: Float32Array,
  Z: number,
  Y: number,
  X: number,
  low: number,
  high: number,
): KernelWatershed {
  if (wasmApi === undefined) return undefined;
  const n = Z * Y * X;
  const x = idle ?? instantiate(wasmApi);
  idle = undefined;
  x.ws_reset();
  const aff = x.ws_alloc(12 * n);
  const dirs = aff === 0 ? 0 : x.ws_alloc(n + 2 * X * Y); // guard bands of X·Y bytes on both sides
  const labels = dirs === 0 ? 0 : x.ws_alloc(4 * (n + 1));
  const parent = labels === 0 ? 0 : x.ws_alloc(4 * (n + 1));
  const none = parent === 0 ? 0 : x.ws_alloc(4 * (X + 1));
  if (none === 0) return undefined;
  new Float32Array(x.memory.buffer, aff, 3 * n).set(affinities);
  const bad = x.ws_first_nonfinite(aff, 3 * n);
  let result: KernelWatershed;
  if (bad >= 0) {
    result = { nonFinite: bad };
  } else {
    const count = x.ws_watershed(aff, Z, Y, X, low, high, dirs, labels, parent, none);
    result = { fragments: new Uint32Array(x.memory.buffer, labels, n).slice(), count };
  }
  if (x.memory.buffer.byteLength <= KEEP_BYTES) idle = x;
  return result;
}

function instantiate(api: WasmApi): WatershedExports {
  compiled ??= new api.Module(Buffer.from(WATERSHED_WASM_BASE64, "base64"));
  return new api.Instance(compiled, {}).exports as WatershedExports;
}
