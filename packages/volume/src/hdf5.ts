import type { File as H5File, Group as H5Group } from "h5wasm/node";
import { type DataType, type TypedArray, typedArrayFor } from "./dtype.js";
import {
  Hdf5FormatError,
  InvalidInputError,
  UnsupportedDtypeError,
  UnsupportedHdf5FilterError,
} from "./errors.js";
import {
  decodeHdf5Chunk,
  filterLabel,
  H5WASM_FILTERS,
  HDF5_FILTER_NAMES,
  TESSERA_FILTERS,
} from "./hdf5-filters.js";
import {
  type ChunkLayout,
  Hdf5Reader,
  type PipelineFilter,
  readChunkIndex,
  type StoredChunk,
} from "./hdf5-format.js";
import { assertHdf5File } from "./hdf5-signature.js";

/** An HDF5 dataset opened for reading. */
export interface Hdf5Dataset {
  /** Path of the HDF5 file. */
  file: string;
  /** Dataset name inside the file (e.g. `stack`, `volumes/raw`). */
  name: string;
  shape: number[];
  dtype: DataType;
  /** Dataset attributes (numbers, strings and arrays of them). */
  attrs: Record<string, unknown>;
  /** The dataset's filter pipeline (`[]` when stored uncompressed), in the order applied when writing. */
  filters: { id: number; name: string }[];
  /** Read the slab `[begin, end)` along axis 0 (default: the whole dataset), C order. */
  read(begin?: number, end?: number): TypedArray;
  /** Close the file. */
  close(): void;
}

interface H5Metadata {
  type: number;
  signed: boolean;
  size: number;
  littleEndian: boolean;
  shape: number[] | null;
  maxshape: number[] | null;
  chunks: number[] | null;
}

function dtypeOf(meta: { type: number; signed: boolean; size: number }, where: string): DataType {
  // h5wasm type classes: 0 integer, 1 float
  if (meta.type === 0) {
    const bits = meta.size * 8;
    const name = `${meta.signed ? "int" : "uint"}${bits}`;
    if ([8, 16, 32, 64].includes(bits)) return name as DataType;
  } else if (meta.type === 1 && (meta.size === 4 || meta.size === 8)) {
    return meta.size === 4 ? "float32" : "float64";
  }
  throw new UnsupportedDtypeError("unsupported HDF5 dataset type", {
    path: where,
    field: "dtype",
    expected: "an integer or float type of 8–64 bits",
    found: `class ${meta.type}, ${meta.size} bytes`,
  });
}

type H5wasm = typeof import("h5wasm/node").default;
interface H5Module {
  activate_throwing_error_handler(): number;
  create_object_reference(fileId: bigint, path: string): Uint8Array;
}

let h5wasmLoaded: Promise<{ h5wasm: H5wasm; module: H5Module }> | undefined;

/**
 * h5wasm, loaded (and its wasm compiled) on first use, with HDF5's error printer replaced by one that
 * throws: library errors become exceptions (turned into typed errors here) instead of pages of
 * `HDF5-DIAG` lines on stderr.
 */
function loadH5wasm(): Promise<{ h5wasm: H5wasm; module: H5Module }> {
  h5wasmLoaded ??= (async () => {
    const h5wasm = (await import("h5wasm/node")).default;
    const module = (await h5wasm.ready) as unknown as H5Module;
    module.activate_throwing_error_handler();
    return { h5wasm, module };
  })();
  return h5wasmLoaded;
}

/**
 * Open `file` read-only with h5wasm, after checking that it exists and carries the HDF5 signature
 * (so that a file of another kind never reaches the HDF5 library).
 */
function openHdf5File(h5wasm: H5wasm, file: string): H5File {
  assertHdf5File(file);
  try {
    return new h5wasm.File(file, "r");
  } catch (error) {
    throw new Hdf5FormatError("HDF5 file cannot be opened", {
      path: file,
      expected: "a readable HDF5 file",
      found: firstHdf5Error(error),
      cause: error,
    });
  }
}

/**
 * Names of every dataset in the HDF5 file `file` (depth-first, `volumes/raw` for nested ones).
 * Throws {@link PathNotFoundError} or {@link NotAnHdf5FileError} for a missing or non-HDF5 file.
 */
export async function listHdf5Datasets(file: string): Promise<string[]> {
  const { h5wasm } = await loadH5wasm();
  const h5 = openHdf5File(h5wasm, file);
  try {
    return listDatasets(h5wasm, h5);
  } finally {
    h5.close();
  }
}

/** Names of every dataset in an HDF5 file (depth-first). */
function listDatasets(h5wasm: H5wasm, group: H5Group, prefix = ""): string[] {
  const names: string[] = [];
  for (const key of group.keys()) {
    const item = group.get(key);
    const name = prefix ? `${prefix}/${key}` : key;
    if (item instanceof h5wasm.Dataset) names.push(name);
    else if (item instanceof h5wasm.Group) names.push(...listDatasets(h5wasm, item, name));
  }
  return names;
}

/**
 * Open dataset `name` of the HDF5 file `file`. With no name, the file's only dataset is used. Throws
 * {@link PathNotFoundError} for a missing file, {@link NotAnHdf5FileError} for a file without the HDF5
 * signature (checked before h5wasm opens it), and {@link InvalidInputError} naming the datasets there
 * when `name` is not one of them.
 *
 * Filters: h5wasm decodes deflate (gzip), shuffle, fletcher32, szip, nbit and scaleoffset. Datasets
 * that use h5py's LZF filter (id 32000, alone or with shuffle, deflate, fletcher32) are read by
 * Tessera itself: it locates the raw chunks in the file (see `hdf5-format.ts`) and decodes them in
 * TypeScript. Any other filter (blosc, bzip2, zstd, ...) throws {@link UnsupportedHdf5FilterError}
 * naming the file, the dataset and the filter, before any data is read.
 */
export async function openHdf5Dataset(file: string, name?: string): Promise<Hdf5Dataset> {
  const { h5wasm, module } = await loadH5wasm();
  const h5 = openHdf5File(h5wasm, file);
  try {
    const names = listDatasets(h5wasm, h5);
    const chosen = name ?? (names.length === 1 ? names[0] : undefined);
    const item = chosen === undefined ? undefined : h5.get(chosen);
    if (!(item instanceof h5wasm.Dataset)) {
      throw new InvalidInputError(
        chosen === undefined
          ? "HDF5 file has several datasets: choose one (--dataset)"
          : `HDF5 dataset "${chosen}" not found`,
        {
          path: file,
          field: "dataset",
          expected: `one of ${names.join(", ") || "(no datasets)"}`,
          found: chosen === undefined ? "no dataset name" : JSON.stringify(chosen),
        },
      );
    }
    const datasetName = chosen as string;
    const metadata = item.metadata as unknown as H5Metadata;
    const shape = (metadata.shape ?? []).map(Number);
    const dtype = dtypeOf(metadata, `${file}:${datasetName}`);
    const attrs: Record<string, unknown> = {};
    for (const [key, attr] of Object.entries(item.attrs)) {
      const value = attr.value;
      attrs[key] = ArrayBuffer.isView(value)
        ? Array.from(value as ArrayLike<number | bigint>, jsonNumber)
        : jsonNumber(value);
    }
    const filters = (item.filters as { id: number; name: string }[]).map(({ id, name }) => ({ id, name }));
    const base = { file, name: datasetName, shape, dtype, attrs, filters, close: () => h5.close() };
    if (filters.every((f) => H5WASM_FILTERS.has(f.id))) {
      return {
        ...base,
        read(begin = 0, end = shape[0]) {
          const ranges = shape.map((_, i) => (i === 0 ? [begin, end] : []));
          try {
            // biome-ignore lint/suspicious/noExplicitAny: h5wasm types each range as a 3-tuple; [] and [a, b] are valid.
            return item.slice(ranges as any) as unknown as TypedArray;
          } catch (error) {
            throw new InvalidInputError("HDF5 dataset cannot be read", {
              path: file,
              field: `dataset "${datasetName}" [${begin}:${end}]`,
              expected: "readable data",
              found: firstHdf5Error(error),
              cause: error,
            });
          }
        },
      };
    }
    const blocking = filters.find((f) => !TESSERA_FILTERS.has(f.id));
    if (blocking) {
      const pipeline = filters.map((f) => filterLabel(f.id, f.name)).join(" → ");
      throw new UnsupportedHdf5FilterError(
        `HDF5 filter ${filterLabel(blocking.id, blocking.name)} is not available, so dataset "${datasetName}" cannot be read`,
        {
          path: file,
          field: `dataset "${datasetName}" filter pipeline`,
          expected:
            "h5wasm's filters (deflate, shuffle, fletcher32, szip, nbit, scaleoffset), or lzf(32000) with deflate/shuffle/fletcher32",
          found: pipeline,
          dataset: datasetName,
          filterId: blocking.id,
          filterName: HDF5_FILTER_NAMES[blocking.id] ?? (blocking.name || "unknown"),
        },
      );
    }
    const reference = module.create_object_reference(h5.file_id, item.path);
    let address = 0;
    for (let i = reference.length - 1; i >= 0; i--) address = address * 256 + reference[i];
    const chunked = openChunkedDataset(file, datasetName, address, metadata, shape, filters);
    return {
      ...base,
      read: chunked.read,
      close: () => {
        chunked.close();
        h5.close();
      },
    };
  } catch (error) {
    h5.close();
    throw error;
  }
}

/**
 * Attribute values as JSON-safe values: 64-bit integers (h5py writes Python ints as int64) become
 * numbers when exact, else decimal strings.
 */
function jsonNumber<T>(value: T): T | number | string {
  if (typeof value !== "bigint") return value;
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

/** The deepest line of an HDF5 error stack, without the source location. */
function firstHdf5Error(error: unknown): string {
  const text = String((error as Error)?.message ?? error);
  const lines = text.split("\n").filter((l) => /^\s+#\d+:/.test(l));
  const last = lines.at(-1);
  return last ? last.replace(/^\s+#\d+:.* in (\w+\(\)): /, "$1: ").trim() : text.split("\n")[0];
}

/**
 * A chunked dataset read from its raw chunks: Tessera's own HDF5 reader (object header, chunk index)
 * and filter decoders. Decoded chunks of the last row along axis 0 are kept, so slabs thinner than
 * a chunk decode each chunk once.
 */
function openChunkedDataset(
  file: string,
  dataset: string,
  objectAddress: number,
  metadata: H5Metadata,
  shape: number[],
  filters: { id: number }[],
): { read(begin?: number, end?: number): TypedArray; close(): void } {
  const reader = new Hdf5Reader(file);
  try {
    const messages = reader.readObjectHeader(objectAddress);
    const pipeline = reader.parsePipeline(messages);
    if (pipeline.map((f) => f.id).join() !== filters.map((f) => f.id).join()) {
      throw new Hdf5FormatError("HDF5 filter pipeline message disagrees with the dataset", {
        path: file,
        field: `dataset "${dataset}" filter pipeline`,
        expected: filters.map((f) => f.id).join(", "),
        found: pipeline.map((f) => f.id).join(", "),
      });
    }
    const layout = reader.parseLayout(messages, shape.length);
    const elementSize = metadata.size;
    if (layout.elementSize !== elementSize || layout.chunk.some((c, d) => c !== metadata.chunks?.[d])) {
      throw new Hdf5FormatError("HDF5 layout message disagrees with the dataset", {
        path: file,
        field: `dataset "${dataset}" layout`,
        expected: `chunks ${metadata.chunks?.join("×")} of ${elementSize}-byte elements`,
        found: `chunks ${layout.chunk.join("×")} of ${layout.elementSize}-byte elements`,
      });
    }
    const fill = reader.parseFillValue(messages, elementSize);
    const maxShape = (metadata.maxshape ?? shape).map((m) => (m >= 2 ** 63 ? Number.POSITIVE_INFINITY : m));
    const index = readChunkIndex(reader, layout, shape, maxShape, pipeline.length > 0);
    return {
      read: (begin = 0, end = shape[0]) =>
        readSlab(reader, { file, dataset, shape, layout, pipeline, fill, index, metadata }, begin, end),
      close: () => reader.close(),
    };
  } catch (error) {
    reader.close();
    throw error;
  }
}

interface ChunkedDataset {
  file: string;
  dataset: string;
  shape: number[];
  layout: ChunkLayout;
  pipeline: PipelineFilter[];
  fill: Uint8Array | undefined;
  index: Map<number, StoredChunk>;
  metadata: H5Metadata;
  /** Decoded chunks of one row along axis 0. */
  cache?: { row: number; chunks: Map<number, Uint8Array> };
}

function readSlab(reader: Hdf5Reader, ds: ChunkedDataset, begin: number, end: number): TypedArray {
  const { shape, layout } = ds;
  const Ctor = typedArrayFor(dtypeOf(ds.metadata, ds.file));
  if (!(Number.isInteger(begin) && Number.isInteger(end) && 0 <= begin && begin <= end && end <= shape[0])) {
    throw new InvalidInputError("HDF5 slab outside the dataset", {
      path: ds.file,
      field: `dataset "${ds.dataset}" slab`,
      expected: `0 ≤ begin ≤ end ≤ ${shape[0]}`,
      found: `[${begin}, ${end})`,
    });
  }
  const es = layout.elementSize;
  const rank = shape.length;
  const slabShape = [end - begin, ...shape.slice(1)];
  const count = slabShape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(count * es);
  const outBuffer = Buffer.from(out.buffer, 0, out.byteLength);
  if (ds.fill?.some((b) => b !== 0)) outBuffer.fill(ds.fill);
  const chunk = layout.chunk;
  const grid = shape.map((s, d) => Math.ceil(s / chunk[d]));
  const chunkBytes = chunk.reduce((a, b) => a * b, 1) * es;
  // byte views: the last axis is merged with the element bytes, so each row is one Buffer copy
  const byteShape = (s: readonly number[]) => [...s.slice(0, -1), s[rank - 1] * es];
  const strides = (s: readonly number[]) => {
    const b = byteShape(s);
    const st = new Array<number>(rank);
    let acc = 1;
    for (let d = rank - 1; d >= 0; d--) {
      st[d] = acc;
      acc *= b[d];
    }
    return st;
  };
  const dstStrides = strides(slabShape);
  const chunkStrides = strides(chunk);
  const perRow = grid.slice(1).reduce((a, b) => a * b, 1);
  const firstRow = Math.floor(begin / chunk[0]);
  const lastRow = end > begin ? Math.floor((end - 1) / chunk[0]) : firstRow - 1;
  for (let row = firstRow; row <= lastRow; row++) {
    if (ds.cache?.row !== row) ds.cache = { row, chunks: new Map() };
    const cached = ds.cache.chunks;
    const scaled = new Array<number>(rank).fill(0);
    scaled[0] = row;
    for (let k = 0; k < perRow; k++) {
      // scaled coordinates of the k-th chunk of this row
      let rest = k;
      for (let d = rank - 1; d >= 1; d--) {
        scaled[d] = rest % grid[d];
        rest = Math.floor(rest / grid[d]);
      }
      const linear = row * perRow + k;
      const stored = ds.index.get(linear);
      if (!stored) continue; // never written: the fill value
      let bytes = cached.get(linear);
      if (!bytes) {
        const context = { file: ds.file, dataset: ds.dataset, chunk: scaled.join(",") };
        const raw = reader.read(
          stored.address,
          stored.size,
          `dataset "${ds.dataset}" chunk ${context.chunk}`,
        );
        const partial = scaled.some((s, d) => (s + 1) * chunk[d] > shape[d]);
        // layout flag bit 0: partial edge chunks were stored without filters
        const mask = partial && layout.flags & 0x01 ? 0xffffffff : stored.filterMask;
        bytes = decodeHdf5Chunk(raw, ds.pipeline, mask, chunkBytes, context);
        cached.set(linear, bytes);
      }
      const chunkBegin = scaled.map((s, d) => s * chunk[d]);
      const lo = chunkBegin.map((b, d) => Math.max(b, d === 0 ? begin : 0));
      const hi = chunkBegin.map((b, d) => Math.min(b + chunk[d], d === 0 ? end : shape[d]));
      const region = hi.map((h, d) => h - lo[d]);
      if (region.some((r) => r <= 0)) continue;
      const srcBegin = lo.map((l, d) => (l - chunkBegin[d]) * (d === rank - 1 ? es : 1));
      const dstBegin = lo.map((l, d) => (d === 0 ? l - begin : l) * (d === rank - 1 ? es : 1));
      copyRows(bytes, chunkStrides, srcBegin, out, dstStrides, dstBegin, byteShape(region));
    }
  }
  if (!ds.metadata.littleEndian) {
    if (es === 2) outBuffer.swap16();
    else if (es === 4) outBuffer.swap32();
    else if (es === 8) outBuffer.swap64();
  }
  return new Ctor(out.buffer, 0, count);
}

/**
 * Copy the region `shape` (bytes along the last axis) from `src` at `srcBegin` to `dst` at
 * `dstBegin`, both C-order with the given strides (last stride 1), row by row.
 */
function copyRows(
  src: Uint8Array,
  srcStrides: readonly number[],
  srcBegin: readonly number[],
  dst: Uint8Array,
  dstStrides: readonly number[],
  dstBegin: readonly number[],
  shape: readonly number[],
): void {
  const last = shape.length - 1;
  let s = 0;
  let d = 0;
  for (let i = 0; i <= last; i++) {
    s += srcBegin[i] * srcStrides[i];
    d += dstBegin[i] * dstStrides[i];
  }
  const rowBytes = shape[last];
  let rows = 1;
  for (let i = 0; i < last; i++) rows *= shape[i];
  const counter = new Array<number>(last).fill(0);
  for (let row = 0; row < rows; row++) {
    if (rowBytes < 64) for (let i = 0; i < rowBytes; i++) dst[d + i] = src[s + i];
    else dst.set(src.subarray(s, s + rowBytes), d);
    for (let axis = last - 1; axis >= 0; axis--) {
      counter[axis]++;
      s += srcStrides[axis];
      d += dstStrides[axis];
      if (counter[axis] < shape[axis]) break;
      s -= srcStrides[axis] * shape[axis];
      d -= dstStrides[axis] * shape[axis];
      counter[axis] = 0;
    }
  }
}

/** Read a whole HDF5 dataset: its values (C order), shape, dtype and attributes. */
export async function readHdf5Dataset(
  file: string,
  name?: string,
): Promise<{ data: TypedArray; shape: number[]; dtype: DataType; attrs: Record<string, unknown> }> {
  const dataset = await openHdf5Dataset(file, name);
  try {
    return { data: dataset.read(), shape: dataset.shape, dtype: dataset.dtype, attrs: dataset.attrs };
  } finally {
    dataset.close();
  }
}
