import { COMPONENTS_WASM_BASE64 } from "./components-wasm-binary.js";

/** The part of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** What `wasm/components.c` exports. */
interface ComponentsExports {
  memory: { buffer: ArrayBuffer };
  cc_reset(): void;
  cc_alloc(bytes: number): number;
  cc_label(labels: number, Z: number, Y: number, X: number, connectivity: number): number;
}

/** An instance keeps its memory for the next call up to this size (faulting pages in again costs); a larger one is dropped. */
const KEEP_BYTES = 256 * 1024 * 1024;

let compiled: object | undefined;
let idle: ComponentsExports | undefined;

/** Whether the kernel can take a volume of `voxels` (WebAssembly available; labels and runs below 4 GiB). */
export function componentsKernelFits(voxels: number): boolean {
  return wasmApi !== undefined && voxels * 4 < 2 ** 31;
}

/**
 * Connected components in the WebAssembly kernel (`packages/segment/wasm/components.c`, built by
 * `wasm/build.sh`): the labels are copied into its memory as u32 (a bijection for every integer
 * type up to 32 bits, so equality is kept), labelled in place and copied out. Same result as the
 * TypeScript version; `undefined` when the memory cannot hold the volume and its runs.
 */
export function componentsKernel(
  labels: Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array,
  Z: number,
  Y: number,
  X: number,
  connectivity: 6 | 18 | 26,
): { labels: Uint32Array; count: number } | undefined {
  if (wasmApi === undefined) return undefined;
  const n = Z * Y * X;
  const x = idle ?? instantiate(wasmApi);
  idle = undefined;
  x.cc_reset();
  const at = x.cc_alloc(4 * n);
  if (at === 0) return undefined;
  new Uint32Array(x.memory.buffer, at, n).set(labels);
  const count = x.cc_label(at, Z, Y, X, connectivity);
  const result = count < 0 ? undefined : { labels: new Uint32Array(x.memory.buffer, at, n).slice(), count };
  if (x.memory.buffer.byteLength <= KEEP_BYTES) idle = x;
  return result;
}

function instantiate(api: WasmApi): ComponentsExports {
  compiled ??= new api.Module(Buffer.from(COMPONENTS_WASM_BASE64, "base64"));
  return new api.Instance(compiled, {}).exports as ComponentsExports;
}
