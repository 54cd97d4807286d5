import { EDGE_A, EDGE_AXIS, TRI_EDGES, TRI_START } from "../mc-tables.js";
import type { Mesh } from "../mesh.js";
import { MC_WASM_BASE64 } from "./mc-wasm-binary.js";

type Vec3 = readonly [number, number, number];

/** The part of the WebAssembly JS API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** What `wasm/mc.c` exports. */
interface KernelExports {
  memory: { buffer: ArrayBuffer };
  mc_tri_start(): number;
  mc_tri_edges(): number;
  mc_edge_a(): number;
  mc_edge_axis(): number;
  mc_max_entries(): number;
  mc_init(): void;
  mc_reset(): void;
  mc_alloc(bytes: number): number;
  mc_summary(): number;
  mc_march16: MarchFn;
  mc_march32: MarchFn;
}

type MarchFn = (
  cid: number,
  P: number,
  Q: number,
  R: number,
  labels: number,
  owner: number,
  me: number,
  ox: number,
  oy: number,
  oz: number,
  rx: number,
  ry: number,
  rz: number,
) => number;

// A kernel keeps its memory (grid and output chunks) for the next call, so that later calls do
// not fault its pages in again, but only up to this size; a larger one is dropped after the call.
const KEEP_BYTES = 512 * 1024 * 1024;

let compiled: object | undefined;
let idle: MarchKernel | undefined;

/**
 * One instance of the WebAssembly marching-cubes kernel (`packages/mesh/wasm/mc.c`, built by
 * `wasm/build.sh`): the compact-id grid is written straight into its memory (see {@link grid}),
 * it meshes in one pass in the same order as the TypeScript `march()`, and the meshes are copied
 * out into arrays of their exact size. Not re-entrant: take one with {@link takeKernel}.
 */
export class MarchKernel {
  private readonly x: KernelExports;
  private gridAt = 0;
  private gridLength = 0;
  private gridBytes = 0;

  constructor(api: WasmApi) {
    compiled ??= new api.Module(Buffer.from(MC_WASM_BASE64, "base64"));
    this.x = new api.Instance(compiled, {}).exports as KernelExports;
    const { x } = this;
    if (TRI_EDGES.length > x.mc_max_entries()) throw new Error("marching-cubes kernel: case table too long");
    const mem = x.memory.buffer;
    new Uint16Array(mem, x.mc_tri_start(), 257).set(TRI_START);
    new Uint8Array(mem, x.mc_tri_edges(), TRI_EDGES.length).set(TRI_EDGES);
    new Uint8Array(mem, x.mc_edge_a(), 12).set(EDGE_A);
    new Uint8Array(mem, x.mc_edge_axis(), 12).set(EDGE_AXIS);
    x.mc_init();
  }

  /** Bytes of memory the kernel holds now. */
  get memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }

  /**
   * A grid of `length` ids of `bytes` bytes in the kernel's memory (left as it was: `compactLabels`
   * writes every point), replacing any earlier grid; `undefined` when the memory cannot grow that far.
   */
  grid = (length: number, bytes: 2 | 4): Uint16Array | Uint32Array | undefined => {
    const { x } = this;
    x.mc_reset();
    const at = length * bytes < 2 ** 32 ? x.mc_alloc(length * bytes) : 0;
    if (at === 0) return undefined;
    this.gridAt = at;
    this.gridLength = length;
    this.gridBytes = bytes;
    return this.gridView();
  };

  /** Is `cid` the current grid of this kernel (and still attached)? */
  holds(cid: Uint16Array | Uint32Array): boolean {
    return cid.buffer === this.x.memory.buffer && cid.byteOffset === this.gridAt && this.gridAt !== 0;
  }

  /** A fresh view of the current grid (growing the memory detaches earlier views). */
  gridView(): Uint16Array | Uint32Array {
    const mem = this.x.memory.buffer;
    return this.gridBytes === 2
      ? new Uint16Array(mem, this.gridAt, this.gridLength)
      : new Uint32Array(mem, this.gridAt, this.gridLength);
  }

  /**
   * Mesh the current grid (`P×Q×R`, z,y,x, `labels` compact ids): meshes by compact id, or
   * `undefined` when the memory cannot hold the output (nothing is returned half-done). With
   * `owner`, only the ids whose owner is `me` are meshed; the others get no entry.
   *
   * @param origin lattice position of the grid's first point in voxels, x,y,z.
   * @param spacing voxel size in nm, x,y,z.
   */
  march(
    P: number,
    Q: number,
    R: number,
    labels: number,
    origin: Vec3,
    spacing: Vec3,
    owner: Uint8Array | null = null,
    me = 0,
  ): Mesh[] | undefined {
    const { x } = this;
    let ownerAt = 0;
    if (owner !== null) {
      ownerAt = x.mc_alloc(labels);
      if (ownerAt === 0) return undefined;
      new Uint8Array(x.memory.buffer, ownerAt, labels).set(owner.subarray(0, labels));
    }
    const run = this.gridBytes === 2 ? x.mc_march16 : x.mc_march32;
    const [ox, oy, oz] = origin;
    const [rx, ry, rz] = spacing;
    if (run(this.gridAt, P, Q, R, labels, ownerAt, me, ox, oy, oz, rx, ry, rz) !== 0) return undefined;
    return this.copyOut(labels, owner, me);
  }

  private copyOut(labels: number, owner: Uint8Array | null, me: number): Mesh[] {
    const mem = this.x.memory.buffer;
    const u32 = new Uint32Array(mem);
    const f32 = new Float32Array(mem);
    const summary = this.x.mc_summary() >> 2;
    const meshes: Mesh[] = [];
    for (let k = 1; k < labels; k++) {
      if (owner !== null && owner[k] !== me) continue;
      const s = summary + 4 * k;
      // every element is written below, so the memory need not be zeroed first
      const positions = new Float32Array(uninitialised(u32[s + 2] * 12));
      const indices = new Uint32Array(uninitialised(u32[s + 3] * 4));
      for (let c = u32[s], at = 0; c !== 0; c = u32[c >> 2]) {
        const n = u32[(c >> 2) + 1];
        const from = (c + 8) >> 2;
        positions.set(f32.subarray(from, from + n), at);
        at += n;
      }
      for (let c = u32[s + 1], at = 0; c !== 0; c = u32[c >> 2]) {
        const n = u32[(c >> 2) + 1];
        const from = (c + 8) >> 2;
        indices.set(u32.subarray(from, from + n), at);
        at += n;
      }
      meshes[k] = { positions, indices };
    }
    return meshes;
  }
}

/** An ArrayBuffer of exactly `bytes` bytes whose content is not zeroed (Node's `allocUnsafeSlow`). */
function uninitialised(bytes: number): ArrayBuffer {
  if (bytes === 0) return new ArrayBuffer(0);
  const b = Buffer.allocUnsafeSlow(bytes);
  return b.buffer as ArrayBuffer;
}

/** The idle kernel of this thread, or a new one (`undefined` where WebAssembly is unavailable). */
export function takeKernel(): MarchKernel | undefined {
  const kernel = idle;
  idle = undefined;
  if (kernel !== undefined) return kernel;
  return wasmApi === undefined ? undefined : new MarchKernel(wasmApi);
}

/** Hand a kernel back for the next call; one whose memory grew past 512 MiB is dropped instead. */
export function returnKernel(kernel: MarchKernel): void {
  if (kernel.memoryBytes <= KEEP_BYTES) idle = kernel;
}
