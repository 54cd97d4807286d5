import { type CompactLabels, checkWanted, wantedSet } from "../compact-labels.js";
import type { LabelArray } from "../label-array.js";
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
  mc_release(at: number): void;
  mc_compact_begin(
    bytes: number,
    signed: number,
    nz: number,
    ny: number,
    nx: number,
    lz: number,
    ly: number,
    lx: number,
    P: number,
    Q: number,
    R: number,
    onlyWanted: number,
    want: number,
    nWant: number,
    grid: number,
    gridBytes: number,
  ): number;
  mc_compact_rows(src: number, rows: number): number;
  mc_ids(): number;
  mc_runs(): number;
  mc_summary(): number;
  mc_march_begin(
    cid: number,
    gridBytes: number,
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
  ): number;
  mc_march_layers(z0: number, z1: number): number;
  mc_march_end(): number;
}

// A kernel keeps its memory (grid and output chunks) for the next call, so that later calls do
// not fault its pages in again, but only up to this size; a larger one is dropped after the call.
const KEEP_BYTES = 512 * 1024 * 1024;
// Bytes of labels copied into the kernel at a time for compaction.
const SLAB_BYTES = 256 * 1024;
// Cells of the grid meshed per call into the kernel.
const MARCH_CELLS_PER_CALL = 1 << 20;
// Bytes of memory after a grid that the march may read (and ignore).
const GRID_SLACK = 16;

let compiled: object | undefined;
let idle: MarchKernel | undefined;

/**
 * One instance of the WebAssembly marching-cubes kernel (`packages/mesh/wasm/mc.c`, built by
 * `wasm/build.sh`): it compacts the labels into a grid in its memory ({@link compact}, or
 * `compactLabels` writes into {@link grid}), meshes the grid in one pass in the same order as the
 * TypeScript `march()`, and the meshes are copied out into arrays of their exact size. Not
 * re-entrant: take one with {@link takeKernel}.
 */
export class MarchKernel {
  private readonly x: KernelExports;
  private gridAt = 0;
  private gridLength = 0;
  private gridBytes = 0;
  /** Cells meshed per call into WebAssembly (whole layers, at least one). */
  cellsPerCall = MARCH_CELLS_PER_CALL;

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
    // the march reads up to 16 bytes past the grid's end
    const at = length * bytes + GRID_SLACK < 2 ** 32 ? x.mc_alloc(length * bytes + GRID_SLACK) : 0;
    if (at === 0) return undefined;
    this.gridAt = at;
    this.gridLength = length;
    this.gridBytes = bytes;
    return this.gridView();
  };

  /**
   * `compactLabels` in the kernel: `data` is streamed into its memory a slab of rows at a time and
   * compacted there into its grid (the same ids, runs and grid as `compactLabels`). `undefined`
   * when the memory cannot hold the grid, or for 64-bit labels at or beyond 2^53 (where
   * JavaScript numbers merge labels): `compactLabels` then does it. Raises what `compactLabels`
   * raises.
   */
  compact = (
    data: LabelArray,
    shape: readonly number[],
    pad: Vec3,
    padded: Vec3,
    wanted: Iterable<number> | undefined,
  ): CompactLabels | undefined => {
    const want = wantedSet(wanted);
    const bytes = data.BYTES_PER_ELEMENT;
    const signed =
      data instanceof Int8Array ||
      data instanceof Int16Array ||
      data instanceof Int32Array ||
      data instanceof BigInt64Array;
    const wide = bytes === 8;
    // the wanted values the type can hold (positive, so their bits are the same signed or not)
    const limit = 2 ** (bytes * 8 - (signed ? 1 : 0));
    const wants = want === undefined ? undefined : [...want].filter((w) => w < limit);
    if (wide && wants?.some((w) => w >= 2 ** 53)) return undefined;
    // 16-bit ids while they fit (half the memory traffic of the march), else 32-bit ones
    let got = this.compactInto(data, shape, pad, padded, wants, signed, 2);
    if (got === "too many ids") got = this.compactInto(data, shape, pad, padded, wants, signed, 4);
    if (got === undefined || got === "too many ids") return undefined;
    if (wide && got.ids.some((v) => Math.abs(v) >= 2 ** 53)) return undefined;
    if (want !== undefined) checkWanted(want, got.ids);
    return { cid: this.gridView(), ids: got.ids, runs: got.runs };
  };

  /**
   * One compaction into a new grid of `gridBytes` ids, keeping only `wants` (`undefined`: every
   * label); `undefined` when out of memory.
   */
  private compactInto(
    data: LabelArray,
    shape: readonly number[],
    pad: Vec3,
    padded: Vec3,
    wants: number[] | undefined,
    signed: boolean,
    gridBytes: 2 | 4,
  ): { ids: number[]; runs: Float64Array } | "too many ids" | undefined {
    const { x } = this;
    const [nz, ny, nx] = shape;
    const [P, Q, R] = padded;
    const bytes = data.BYTES_PER_ELEMENT;
    const rowBytes = nx * bytes;
    // slabs of whole rows of about 256 KiB: copied in, compacted while still in the cache
    const slabRows = Math.max(1, Math.floor(SLAB_BYTES / rowBytes));
    const grid = this.grid(P * Q * R, gridBytes) === undefined ? 0 : this.gridAt;
    const wanted = wants ?? [];
    const wantAt = grid === 0 ? 0 : x.mc_alloc(wanted.length * 8 + 8);
    const slab = wantAt === 0 || slabRows * rowBytes >= 2 ** 32 ? 0 : x.mc_alloc(slabRows * rowBytes);
    if (slab === 0) return undefined;
    new BigUint64Array(x.memory.buffer, wantAt, wanted.length).set(wanted.map((w) => BigInt(w)));
    const args = [
      nz,
      ny,
      nx,
      pad[0],
      pad[1],
      pad[2],
      P,
      Q,
      R,
      wants === undefined ? 0 : 1,
      wantAt,
      wanted.length,
      grid,
      gridBytes,
    ] as const;
    if (x.mc_compact_begin(bytes, signed ? 1 : 0, ...args) !== 0) return undefined;
    const source = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const rows = nz * ny;
    let count = 0;
    for (let row = 0; row < rows; row += slabRows) {
      const n = Math.min(slabRows, rows - row);
      // a fresh view each time: the compaction may grow the memory
      new Uint8Array(x.memory.buffer, slab, n * rowBytes).set(
        source.subarray(row * rowBytes, (row + n) * rowBytes),
      );
      count = x.mc_compact_rows(slab, n);
      if (count < 0) return count === -2 ? "too many ids" : undefined;
    }
    const mem = x.memory.buffer;
    const ids = Array.from(new Float64Array(mem, x.mc_ids(), count));
    const runs = Float64Array.from(new Uint32Array(mem, x.mc_runs(), count));
    // keep the grid and its slack, drop the rest (the march's output goes there)
    x.mc_release(grid + P * Q * R * gridBytes + GRID_SLACK);
    return { ids, runs };
  }

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
    const [ox, oy, oz] = origin;
    const [rx, ry, rz] = spacing;
    if (
      x.mc_march_begin(this.gridAt, this.gridBytes, P, Q, R, labels, ownerAt, me, ox, oy, oz, rx, ry, rz) !==
      0
    )
      return undefined;
    // a few layers per call: an engine that starts with baseline code switches to optimised code
    // between calls (not within one), so the first call of a process is not all baseline
    const step = Math.max(1, Math.ceil(this.cellsPerCall / (Q * R)));
    for (let z = 0; z < P - 1; z += step) if (x.mc_march_layers(z, z + step) !== 0) return undefined;
    if (x.mc_march_end() !== 0) return undefined;
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
