import { rm, stat } from "node:fs/promises";
import { endianness } from "node:os";
import { join } from "node:path";
import { FileSystemStore } from "@zarrita/storage";
import ndarray from "ndarray";
import * as zarr from "zarrita";
import { withFileLock, writeFileAtomic } from "./atomic-file.js";
import { BlockGrid } from "./block-grid.js";
import { Box } from "./box.js";
import { PoolJobFailure, readChunksOnPool, readOnPool } from "./chunk-pool.js";
import {
  type ChunkEncoder,
  type CompressorConfig,
  createEncoder,
  DEFAULT_COMPRESSOR,
  registerNodeCodecs,
  validateCompressor,
} from "./compressor.js";
import { cOrderStrides, copyRegion, type StridedView } from "./copy-region.js";
import {
  type DataType,
  type DataTypeAlias,
  dtypeOfArray,
  isBigIntDtype,
  resolveDataType,
  type TypedArray,
  typedArrayFor,
} from "./dtype.js";
import {
  CorruptChunkError,
  NotAZarrArrayError,
  PathNotFoundError,
  ShapeMismatchError,
  UnsupportedCompressorError,
  UnsupportedDtypeError,
  VolumeError,
} from "./errors.js";
import { mapLimit } from "./map-limit.js";
import { missingArrayError } from "./missing-array.js";
import {
  formatZarray,
  parseZarray,
  readJsonFile,
  type VolumeAttrs,
  type ZarrArrayMetadata,
} from "./zarr-metadata.js";

/** An n-d view returned by {@link Volume.read} (the `ndarray` package's type). */
// biome-ignore lint/suspicious/noExplicitAny: ndarray's typings omit bigint arrays; `data` carries the real type.
export type VolumeArray<T extends TypedArray = TypedArray> = Omit<ndarray.NdArray<any>, "data"> & { data: T };

/** Data accepted by {@link Volume.write}: a C-order typed array of the box's size, or an ndarray. */
export type VolumeData =
  | TypedArray
  | { data: TypedArray; shape: readonly number[]; stride: readonly number[]; offset: number };

/** Options of {@link createVolume}. */
export interface CreateVolumeOptions {
  /** Array shape (z, y, x; channels first for 4-D). */
  shape: readonly number[];
  /** Chunk shape (default: min(shape, 64) per axis). */
  chunks?: readonly number[];
  /** Element type (default uint8). */
  dtype?: DataType | DataTypeAlias;
  /** Compressor (default zlib level 5); `null` stores raw chunks. */
  compressor?: CompressorConfig | null;
  /** Value of voxels whose chunk was never written (default 0). */
  fillValue?: number | bigint;
  /** Chunk key separator: `.` (`0.1.2`, default) or `/` (nested folders). */
  dimensionSeparator?: "." | "/";
  /** Attributes for `.zattrs` (resolution, offset, axes, provenance ...). */
  attrs?: VolumeAttrs;
  /** Replace an existing array at the path (default false: an existing array is an error). */
  overwrite?: boolean;
}

/**
 * At most this many chunks are decoded or encoded at once on this thread (node:zlib runs them on its
 * thread pool). Large reads run on the chunk worker pool instead (see {@link configureChunkDecoding}).
 */
const CHUNK_CONCURRENCY = 4;

if (endianness() !== "LE") throw new Error("@tessera/volume needs a little-endian machine");

function defaultAxes(ndim: number): string[] | undefined {
  if (ndim === 3) return ["z", "y", "x"];
  if (ndim === 4) return ["c", "z", "y", "x"];
  if (ndim === 2) return ["y", "x"];
  return undefined;
}

/**
 * A zarr v2 array on the local filesystem. Reads and writes any box, crossing chunk borders; chunk
 * writes are atomic (temp file + rename) and partial chunks are read-modified-written under a chunk
 * lock, so concurrent writers of disjoint boxes never lose each other's voxels.
 */
export class Volume {
  readonly path: string;
  readonly shape: readonly number[];
  readonly chunks: readonly number[];
  readonly dtype: DataType;
  readonly compressor: CompressorConfig | null;
  readonly fillValue: number | bigint;
  readonly dimensionSeparator: "." | "/";
  /** Box of the whole array. */
  readonly bounds: Box;
  #attrs: VolumeAttrs;
  readonly #meta: ZarrArrayMetadata;
  readonly #array: zarr.Array<zarr.DataType, FileSystemStore>;
  #encoder: Promise<ChunkEncoder> | undefined;

  /** Use {@link openVolume} or {@link createVolume}. */
  constructor(
    path: string,
    meta: ZarrArrayMetadata,
    attrs: VolumeAttrs,
    array: zarr.Array<zarr.DataType, FileSystemStore>,
  ) {
    this.path = path;
    this.#meta = meta;
    this.shape = Object.freeze([...meta.shape]);
    this.chunks = Object.freeze([...meta.chunks]);
    this.dtype = meta.dtype;
    this.compressor = meta.compressor;
    this.fillValue = meta.fillValue;
    this.dimensionSeparator = meta.dimensionSeparator;
    this.bounds = Box.fromShape(meta.shape);
    this.#attrs = attrs;
    this.#array = array;
  }

  /** Attributes from `.zattrs`. */
  get attrs(): VolumeAttrs {
    return this.#attrs;
  }

  /** Voxel size in nm (z, y, x), when `.zattrs` has one. */
  get resolution(): number[] | undefined {
    return this.#attrs.resolution;
  }

  /** Number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  /** The grid of chunks as a {@link BlockGrid} (block id = chunk index in C order). */
  chunkGrid(): BlockGrid {
    return new BlockGrid({ roi: this.bounds, blockShape: this.chunks });
  }

  /** File of the chunk at grid coordinates `coords`. */
  chunkPath(coords: readonly number[]): string {
    return join(this.path, coords.join(this.dimensionSeparator));
  }

  /**
   * Read the voxels of `box` (default: the whole array) into a new C-order ndarray. Large reads (1 MiB
   * and more, over several chunks) run on the chunk worker pool: each worker reads, decodes and
   * copies whole chunks (see {@link configureChunkDecoding}); smaller ones on this thread. Both give
   * the same values.
   */
  async read(box: Box = this.bounds): Promise<VolumeArray> {
    box.assertInside(this.bounds, "read box", this.path);
    const Ctor = typedArrayFor(this.dtype);
    const chunks = this.#chunksOf(box);
    const bytes = box.size * Ctor.BYTES_PER_ELEMENT;
    if (this.#poolReadable && readOnPool(bytes, chunks.length)) {
      // biome-ignore lint/suspicious/noExplicitAny: see VolumeArray.
      return ndarray((await this.#readOnPool(box, chunks)) as any, box.shape) as unknown as VolumeArray;
    }
    const out = new Ctor(box.size);
    const dst: StridedView = { data: out, shape: box.shape, strides: cOrderStrides(box.shape) };
    await mapLimit(chunks, CHUNK_CONCURRENCY, async (coords) => {
      const chunk = await this.readChunk(coords);
      const chunkBegin = coords.map((c, i) => c * this.chunks[i]);
      const overlap = Box.at(chunkBegin, this.chunks).intersect(box);
      copyRegion(
        chunk,
        overlap.begin.map((b, i) => b - chunkBegin[i]),
        dst,
        overlap.begin.map((b, i) => b - box.begin[i]),
        overlap.shape,
      );
    });
    // biome-ignore lint/suspicious/noExplicitAny: see VolumeArray.
    return ndarray(out as any, box.shape) as unknown as VolumeArray;
  }

  /** Whether the pool's chunk readers read this array: C order, no filters, little-endian bytes. */
  get #poolReadable(): boolean {
    const bpe = typedArrayFor(this.dtype).BYTES_PER_ELEMENT;
    return this.#meta.order === "C" && !this.#meta.hasFilters && (this.#meta.littleEndian || bpe === 1);
  }

  async #readOnPool(box: Box, chunks: number[][]): Promise<TypedArray> {
    const Ctor = typedArrayFor(this.dtype);
    const shared = new SharedArrayBuffer(box.size * Ctor.BYTES_PER_ELEMENT);
    const fillValue = new Ctor(1);
    (fillValue as unknown as (number | bigint)[])[0] = this.fillValue;
    const fill = new Uint8Array(fillValue.buffer);
    const jobs = chunks.map((coords) => {
      const chunkBegin = coords.map((c, i) => c * this.chunks[i]);
      const overlap = Box.at(chunkBegin, this.chunks).intersect(box);
      return {
        coords,
        file: this.chunkPath(coords),
        srcBegin: overlap.begin.map((b, i) => b - chunkBegin[i]),
        dstBegin: overlap.begin.map((b, i) => b - box.begin[i]),
        region: overlap.shape,
      };
    });
    await readChunksOnPool(
      shared,
      box.shape,
      Ctor.BYTES_PER_ELEMENT,
      this.chunks,
      this.compressor,
      fill.some((b) => b !== 0) ? fill : null,
      jobs,
      (job, failure) => this.#chunkError((job as (typeof jobs)[number]).coords, failure),
    );
    // the caller gets an ordinary (not shared) buffer
    const out = new Ctor(box.size);
    new Uint8Array(out.buffer).set(new Uint8Array(shared));
    return out;
  }

  /** The typed error for a chunk that could not be read on the pool (as {@link readChunk} reports it). */
  #chunkError(coords: readonly number[], failure: Error): Error {
    const detail = failure instanceof PoolJobFailure ? failure.detail : undefined;
    const expected = this.chunks.reduce((a, b) => a * b, 1);
    if (detail?.kind === "size") {
      return new CorruptChunkError("chunk has the wrong size after decoding", {
        path: this.chunkPath(coords),
        field: `chunk ${coords.join(".")}`,
        expected: `${expected} elements (${this.chunks.join("×")})`,
        found: `${(detail.found ?? 0) / typedArrayFor(this.dtype).BYTES_PER_ELEMENT} elements`,
      });
    }
    if (detail?.kind === "decode") {
      return new CorruptChunkError("chunk cannot be decoded", {
        path: this.chunkPath(coords),
        field: `chunk ${coords.join(".")}`,
        expected: `${this.compressor?.id ?? "raw"} data of ${this.dtype}`,
        found: detail.message,
        cause: failure,
      });
    }
    return new VolumeError("chunk cannot be read", {
      path: this.chunkPath(coords),
      field: `chunk ${coords.join(".")}`,
      found: failure.message,
      cause: failure,
    });
  }

  /**
   * Decode the chunk at grid coordinates `coords` (fill value when it was never written). Throws
   * {@link CorruptChunkError} when it cannot be decoded or decodes to the wrong size.
   */
  async readChunk(coords: readonly number[]): Promise<StridedView> {
    // zarrita's own fill value went through a float64: 64-bit fill values beyond 2^53 are filled here
    if (typeof this.fillValue === "bigint" && !Number.isSafeInteger(Number(this.fillValue))) {
      if (!(await stat(this.chunkPath(coords)).catch(() => undefined))) return this.#newChunk();
    }
    let chunk: { data: unknown; shape: number[]; stride: number[] };
    try {
      chunk = await this.#array.getChunk([...coords]);
    } catch (error) {
      if (error instanceof VolumeError) throw error;
      throw new CorruptChunkError("chunk cannot be decoded", {
        path: this.chunkPath(coords),
        field: `chunk ${coords.join(".")}`,
        expected: `${this.compressor?.id ?? "raw"} data of ${this.dtype}`,
        found: String((error as Error).cause ?? (error as Error).message),
        cause: error,
      });
    }
    const expected = this.chunks.reduce((a, b) => a * b, 1);
    const data = chunk.data as TypedArray;
    if (data.length !== expected) {
      throw new CorruptChunkError("chunk has the wrong size after decoding", {
        path: this.chunkPath(coords),
        field: `chunk ${coords.join(".")}`,
        expected: `${expected} elements (${this.chunks.join("×")})`,
        found: `${data.length} elements`,
      });
    }
    return { data, shape: this.chunks, strides: chunk.stride };
  }

  /**
   * Write `data` (C order, shaped like `box`) into `box`. Whole chunks are encoded and renamed into
   * place; chunks the box covers only in part are read, modified and written under a lock file.
   */
  async write(box: Box, data: VolumeData): Promise<void> {
    this.#assertWritable();
    box.assertInside(this.bounds, "write box", this.path);
    const src = this.#asView(box, data);
    const encoder = await (this.#encoder ??= createEncoder(this.compressor));
    await mapLimit(this.#chunksOf(box), CHUNK_CONCURRENCY, async (coords) => {
      const chunkBegin = coords.map((c, i) => c * this.chunks[i]);
      const chunkBox = Box.at(chunkBegin, this.chunks);
      const overlap = chunkBox.intersect(box);
      const file = this.chunkPath(coords);
      const fill = async (target: StridedView) => {
        copyRegion(
          src,
          overlap.begin.map((b, i) => b - box.begin[i]),
          target,
          overlap.begin.map((b, i) => b - chunkBegin[i]),
          overlap.shape,
        );
        await writeFileAtomic(file, await encoder.encode(toBytes(target.data)));
      };
      if (overlap.equals(chunkBox.intersect(this.bounds))) {
        await fill(this.#newChunk());
      } else {
        await withFileLock(file, async () => fill(await this.readChunk(coords)));
      }
    });
  }

  /** Merge `patch` into `.zattrs` (atomically) and return the new attributes. */
  async updateAttrs(patch: VolumeAttrs): Promise<VolumeAttrs> {
    const attrs = { ...this.#attrs, ...patch };
    await writeFileAtomic(join(this.path, ".zattrs"), `${JSON.stringify(attrs, null, 2)}\n`);
    this.#attrs = attrs;
    return attrs;
  }

  #newChunk(): StridedView {
    const Ctor = typedArrayFor(this.dtype);
    const size = this.chunks.reduce((a, b) => a * b, 1);
    const data = new Ctor(size);
    const fill = this.fillValue;
    if (typeof fill === "bigint" ? fill !== 0n : fill !== 0) (data as { fill(v: unknown): void }).fill(fill);
    return { data, shape: this.chunks, strides: cOrderStrides(this.chunks) };
  }

  #chunksOf(box: Box): number[][] {
    if (box.isEmpty) return [];
    const first = box.begin.map((b, i) => Math.floor(b / this.chunks[i]));
    const last = box.end.map((e, i) => Math.ceil(e / this.chunks[i]) - 1);
    const grid = new BlockGrid({
      roi: new Box(
        first,
        last.map((l) => l + 1),
      ),
      blockShape: first.map(() => 1),
    });
    return Array.from(grid.blocks(), (b) => b.writeBox.begin as number[]);
  }

  #asView(box: Box, data: VolumeData): StridedView {
    const array = ArrayBuffer.isView(data) ? data : data.data;
    const found = dtypeOfArray(array);
    if (found !== this.dtype) {
      throw new UnsupportedDtypeError("data dtype differs from the volume's", {
        path: this.path,
        field: "data",
        expected: this.dtype,
        found: found ?? array.constructor.name,
      });
    }
    if (ArrayBuffer.isView(data)) {
      if (data.length !== box.size) {
        throw new ShapeMismatchError("data size differs from the box", {
          path: this.path,
          field: "data",
          expected: `${box.size} elements for box ${box} (shape ${box.shape.join("×")})`,
          found: `${data.length} elements`,
        });
      }
      return { data, shape: box.shape, strides: cOrderStrides(box.shape) };
    }
    const shape = box.shape;
    if (data.shape.length !== shape.length || data.shape.some((s, i) => s !== shape[i])) {
      throw new ShapeMismatchError("data shape differs from the box", {
        path: this.path,
        field: "data",
        expected: shape.join("×"),
        found: data.shape.join("×"),
      });
    }
    return { data: data.data.subarray(data.offset) as TypedArray, shape, strides: data.stride };
  }

  #assertWritable(): void {
    if (this.#meta.order !== "C" || this.#meta.hasFilters || !this.#meta.littleEndian) {
      throw new UnsupportedCompressorError("array is read-only for Tessera", {
        path: this.path,
        field: "order/filters/dtype",
        expected: 'order "C", no filters, little-endian',
        found: `order ${this.#meta.order}, filters ${this.#meta.hasFilters}, little-endian ${this.#meta.littleEndian}`,
      });
    }
  }
}

function toBytes(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Open the zarr v2 array at `path`. Throws {@link PathNotFoundError} when nothing is there, and
 * {@link NotAZarrArrayError} when something else is (an HDF5 file: the message says how to convert
 * it; a zarr group: it names the group's arrays; a folder without `.zarray`).
 */
export async function openVolume(path: string): Promise<Volume> {
  registerNodeCodecs();
  const zarray = await readJsonFile(join(path, ".zarray"));
  if (zarray === undefined) throw await missingArrayError(path);
  const meta = parseZarray(zarray, path);
  const attrs = ((await readJsonFile(join(path, ".zattrs"))) ?? {}) as VolumeAttrs;
  const array = await zarr.open.v2(new FileSystemStore(path), { kind: "array", attrs: false });
  return new Volume(path, meta, attrs, array);
}

/**
 * Create a zarr v2 array at `path` (C order, little-endian) and return it open. Writes `.zarray` and
 * `.zattrs` itself, since zarrita creates only v3 metadata.
 */
export async function createVolume(path: string, options: CreateVolumeOptions): Promise<Volume> {
  const dtype = resolveDataType(options.dtype ?? "uint8", path);
  const shape = [...options.shape];
  if (shape.length === 0 || shape.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new ShapeMismatchError("invalid shape", {
      path,
      field: "shape",
      expected: "one or more non-negative integers",
      found: JSON.stringify(options.shape),
    });
  }
  const chunks = options.chunks ? [...options.chunks] : shape.map((s) => Math.max(1, Math.min(s, 64)));
  if (chunks.length !== shape.length || chunks.some((c) => !Number.isInteger(c) || c < 1)) {
    throw new ShapeMismatchError("invalid chunks", {
      path,
      field: "chunks",
      expected: `${shape.length} positive integers`,
      found: JSON.stringify(options.chunks),
    });
  }
  const compressor = validateCompressor(
    options.compressor === undefined ? DEFAULT_COMPRESSOR : options.compressor,
    path,
  );
  const existing = await readJsonFile(join(path, ".zarray"));
  if (existing !== undefined) {
    if (!options.overwrite) {
      throw new VolumeError("an array exists already", {
        path,
        field: "overwrite",
        expected: "no array at the path, or overwrite: true",
        found: "an existing .zarray",
      });
    }
    await rm(path, { recursive: true, force: true });
  }
  const fill = options.fillValue ?? 0;
  const meta: ZarrArrayMetadata = {
    shape,
    chunks,
    dtype,
    littleEndian: true,
    compressor,
    fillValue: isBigIntDtype(dtype) ? BigInt(fill) : Number(fill),
    order: "C",
    dimensionSeparator: options.dimensionSeparator ?? ".",
    hasFilters: false,
  };
  const attrs: VolumeAttrs = { ...options.attrs };
  if (attrs.axes === undefined && defaultAxes(shape.length)) attrs.axes = defaultAxes(shape.length);
  await writeFileAtomic(join(path, ".zattrs"), `${JSON.stringify(attrs, null, 2)}\n`);
  await writeFileAtomic(join(path, ".zarray"), formatZarray(meta));
  return openVolume(path);
}

/** Create a zarr v2 group (`.zgroup`, optional `.zattrs`) at `path`; existing groups are kept. */
export async function createGroup(path: string, attrs: Record<string, unknown> = {}): Promise<void> {
  const zarray = await readJsonFile(join(path, ".zarray"));
  if (zarray !== undefined) {
    throw new VolumeError("an array exists at the group path", {
      path,
      field: ".zgroup",
      expected: "a folder without .zarray",
      found: "a zarr array",
    });
  }
  await writeFileAtomic(join(path, ".zgroup"), `${JSON.stringify({ zarr_format: 2 })}\n`);
  if (Object.keys(attrs).length > 0) {
    await writeFileAtomic(join(path, ".zattrs"), `${JSON.stringify(attrs, null, 2)}\n`);
  }
}

/**
 * Read a zarr v2 group's attributes; throws {@link PathNotFoundError} when nothing is at `path` and
 * {@link NotAZarrArrayError} when it holds no group.
 */
export async function openGroup(path: string): Promise<{ path: string; attrs: Record<string, unknown> }> {
  const zgroup = (await readJsonFile(join(path, ".zgroup"))) as { zarr_format?: number } | undefined;
  if (zgroup === undefined && !(await stat(path).catch(() => undefined))) {
    throw new PathNotFoundError("path not found", {
      path,
      expected: "a zarr v2 group (a folder with .zgroup)",
      found: "nothing at this path",
    });
  }
  if (zgroup?.zarr_format !== 2) {
    throw new NotAZarrArrayError("not a zarr v2 group", {
      path,
      field: ".zgroup",
      expected: '{"zarr_format": 2}',
      found: zgroup === undefined ? "no .zgroup" : JSON.stringify(zgroup),
    });
  }
  const attrs = ((await readJsonFile(join(path, ".zattrs"))) ?? {}) as Record<string, unknown>;
  return { path, attrs };
}
