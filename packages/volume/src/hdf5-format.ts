// A reader for the parts of the HDF5 file format that locate a chunked dataset's raw chunks:
// superblock, object header (v1 and v2, with continuation blocks), data layout, filter pipeline and
// fill value messages, and the five chunk indexes (v1 B-tree, single chunk, implicit, fixed array,
// extensible array, v2 B-tree). Written from "HDF5 File Format Specification Version 3.0". It is
// used to read datasets whose filters h5wasm lacks (h5py's LZF): h5wasm finds the dataset and its
// object header address, this module finds the chunks, hdf5-filters.ts decodes them.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { Hdf5FormatError, NotAnHdf5FileError } from "./errors.js";
import { findHdf5Signature } from "./hdf5-signature.js";

/** An address field with every bit set: "undefined address" (e.g. a chunk never allocated). */
export const UNDEFINED_ADDRESS = -1;

/** Little-endian field reader over a byte array, sized by the file's offsets and lengths. */
class Fields {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly sizeOffsets: number,
    readonly sizeLengths: number,
    readonly where: () => string,
    pos = 0,
  ) {
    this.pos = pos;
  }

  need(n: number): void {
    if (this.pos + n > this.bytes.length) {
      throw new Hdf5FormatError("HDF5 structure is truncated", {
        field: this.where(),
        expected: `${n} more bytes at byte ${this.pos}`,
        found: `${this.bytes.length - this.pos}`,
      });
    }
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  /** An unsigned little-endian integer of `n` bytes (at most 2^53). */
  uint(n: number): number {
    this.need(n);
    let value = 0;
    let scale = 1;
    for (let i = 0; i < n; i++) {
      value += this.bytes[this.pos + i] * scale;
      scale *= 256;
    }
    this.pos += n;
    if (value > Number.MAX_SAFE_INTEGER) {
      throw new Hdf5FormatError("HDF5 integer field too large", {
        field: this.where(),
        expected: "a value below 2^53",
        found: `${n}-byte value`,
      });
    }
    return value;
  }

  /** A file address (size of offsets), or {@link UNDEFINED_ADDRESS}. */
  address(): number {
    this.need(this.sizeOffsets);
    let allSet = true;
    for (let i = 0; i < this.sizeOffsets; i++) if (this.bytes[this.pos + i] !== 0xff) allSet = false;
    if (allSet) {
      this.pos += this.sizeOffsets;
      return UNDEFINED_ADDRESS;
    }
    return this.uint(this.sizeOffsets);
  }

  length(): number {
    return this.uint(this.sizeLengths);
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  signature(expected: string): void {
    const found = String.fromCharCode(...this.take(4));
    if (found !== expected) {
      throw new Hdf5FormatError("HDF5 structure has the wrong signature", {
        field: this.where(),
        expected: JSON.stringify(expected),
        found: JSON.stringify(found),
      });
    }
  }
}

/** A message of an object header. */
export interface HeaderMessage {
  type: number;
  flags: number;
  data: Uint8Array;
}

/** One filter of a dataset's filter pipeline, in the order they were applied when writing. */
export interface PipelineFilter {
  id: number;
  name: string;
  /** Bit 0: optional (skipped for a chunk when it fails; the chunk's filter mask says so). */
  flags: number;
  clientData: number[];
}

/** Where a chunked dataset's chunks are, as the data layout message says. */
export interface ChunkLayout {
  /** Chunk shape in elements (the dataset's rank). */
  chunk: number[];
  /** Element size in bytes. */
  elementSize: number;
  /** Layout v4 flags (bit 0: partial edge chunks are stored unfiltered). */
  flags: number;
  index:
    | { kind: "btree1"; address: number }
    | { kind: "single"; address: number; filteredSize?: number; filterMask: number }
    | { kind: "implicit"; address: number }
    | { kind: "fixed-array"; address: number; pageBits: number }
    | {
        kind: "extensible-array";
        address: number;
      }
    | { kind: "btree2"; address: number };
}

/** A stored chunk: where it is, its stored size and which filters were skipped for it. */
export interface StoredChunk {
  address: number;
  size: number;
  /** Bit i set: filter i of the pipeline was not applied to this chunk. */
  filterMask: number;
}

/**
 * An open HDF5 file read by positional reads (no whole-file buffering). Addresses are relative to
 * the superblock's base address, as in the file.
 */
export class Hdf5Reader {
  readonly fd: number;
  readonly fileSize: number;
  sizeOffsets = 8;
  sizeLengths = 8;
  baseAddress = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, "r");
    try {
      this.fileSize = fstatSync(this.fd).size;
      this.#readSuperblock();
    } catch (error) {
      closeSync(this.fd);
      throw error;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Bytes `[address, address + length)` (relative address), bounds-checked against the file size. */
  read(address: number, length: number, what: string): Uint8Array {
    const start = this.baseAddress + address;
    if (address < 0 || length < 0 || start + length > this.fileSize) {
      throw new Hdf5FormatError("HDF5 address outside the file", {
        path: this.path,
        field: what,
        expected: `bytes within the file's ${this.fileSize}`,
        found: `${length} bytes at ${start}`,
      });
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, start + done);
      if (n === 0) break;
      done += n;
    }
    return out;
  }

  fields(bytes: Uint8Array, what: string, pos = 0): Fields {
    return new Fields(bytes, this.sizeOffsets, this.sizeLengths, () => `${what} (${this.path})`, pos);
  }

  #readSuperblock(): void {
    // the superblock is at 0, 512, 1024, 2048 ... (after a user block)
    const at = findHdf5Signature(this.fd, this.fileSize);
    if (at === undefined) {
      throw new NotAnHdf5FileError("not an HDF5 file", {
        path: this.path,
        expected: "the HDF5 signature at byte 0, 512, 1024, 2048, …",
        found: "none",
      });
    }
    const bytes = new Uint8Array(Math.min(96, this.fileSize - at));
    readSync(this.fd, bytes, 0, bytes.length, at);
    const version = bytes[8];
    if (version === 0 || version === 1) {
      this.sizeOffsets = bytes[13];
      this.sizeLengths = bytes[14];
      const f = this.fields(bytes, "superblock", version === 0 ? 24 : 28);
      this.baseAddress = f.uint(this.sizeOffsets);
    } else if (version === 2 || version === 3) {
      this.sizeOffsets = bytes[9];
      this.sizeLengths = bytes[10];
      const f = this.fields(bytes, "superblock", 12);
      this.baseAddress = f.uint(this.sizeOffsets);
    } else {
      throw new Hdf5FormatError("unsupported HDF5 superblock version", {
        path: this.path,
        field: "superblock version",
        expected: "0–3",
        found: String(version),
      });
    }
    if (![2, 4, 8].includes(this.sizeOffsets) || ![2, 4, 8].includes(this.sizeLengths)) {
      throw new Hdf5FormatError("unsupported HDF5 address size", {
        path: this.path,
        field: "superblock",
        expected: "offsets and lengths of 2, 4 or 8 bytes",
        found: `${this.sizeOffsets} and ${this.sizeLengths}`,
      });
    }
  }

  /** The messages of the object header at `address` (v1 or v2, continuation blocks followed). */
  readObjectHeader(address: number): HeaderMessage[] {
    const messages: HeaderMessage[] = [];
    const prefix = this.read(
      address,
      Math.min(64, this.fileSize - this.baseAddress - address),
      "object header",
    );
    const blocks: { address: number; length: number; v2: boolean; continuation: boolean }[] = [];
    let v2: boolean;
    if (prefix[0] === 1) {
      v2 = false;
      const f = this.fields(prefix, "object header v1", 8);
      const headerSize = f.uint(4);
      blocks.push({ address: address + 16, length: headerSize, v2, continuation: false });
    } else if (String.fromCharCode(...prefix.subarray(0, 4)) === "OHDR") {
      v2 = true;
      const f = this.fields(prefix, "object header v2", 4);
      const version = f.u8();
      if (version !== 2) throw this.#unsupported("object header version", "2", String(version));
      const flags = f.u8();
      if (flags & 0x20) f.skip(16);
      if (flags & 0x10) f.skip(4);
      const chunk0 = f.uint(1 << (flags & 3));
      blocks.push({ address: address + f.pos, length: chunk0, v2, continuation: false });
      (blocks[0] as { flags?: number }).flags = flags;
    } else {
      throw this.#unsupported("object header", "version 1 or an OHDR signature", `byte ${prefix[0]}`);
    }
    const headerFlags = (blocks[0] as { flags?: number }).flags ?? 0;
    for (let b = 0; b < blocks.length && b < 1000; b++) {
      const block = blocks[b];
      const bytes = this.read(block.address, block.length, "object header block");
      const f = this.fields(bytes, "object header message");
      let end = bytes.length;
      if (block.v2 && block.continuation) {
        f.signature("OCHK");
        end -= 4; // checksum
      }
      const headerSize = block.v2 ? 4 + (headerFlags & 0x04 ? 2 : 0) : 8;
      while (f.pos + headerSize <= end) {
        let type: number;
        let size: number;
        let flags: number;
        if (block.v2) {
          type = f.u8();
          size = f.uint(2);
          flags = f.u8();
          if (headerFlags & 0x04) f.skip(2);
        } else {
          type = f.uint(2);
          size = f.uint(2);
          flags = f.u8();
          f.skip(3);
        }
        const data = f.take(Math.min(size, end - f.pos));
        if (type === 0x10) {
          const c = this.fields(data, "continuation message");
          const at = c.address();
          const length = c.length();
          blocks.push({ address: at, length, v2: block.v2, continuation: true });
        } else if (type !== 0) {
          messages.push({ type, flags, data });
        }
      }
    }
    return messages;
  }

  #unsupported(field: string, expected: string, found: string): Hdf5FormatError {
    return new Hdf5FormatError("unsupported HDF5 structure", { path: this.path, field, expected, found });
  }

  /** The filter pipeline message (type 0x0B), or an empty pipeline. */
  parsePipeline(messages: HeaderMessage[]): PipelineFilter[] {
    const message = messages.find((m) => m.type === 0x0b);
    if (!message) return [];
    if (message.flags & 0x02) throw this.#unsupported("filter pipeline message", "not shared", "shared");
    const f = this.fields(message.data, "filter pipeline message");
    const version = f.u8();
    const count = f.u8();
    if (version === 1) f.skip(6);
    else if (version !== 2) throw this.#unsupported("filter pipeline version", "1 or 2", String(version));
    const filters: PipelineFilter[] = [];
    for (let i = 0; i < count; i++) {
      const id = f.uint(2);
      const nameLength = version === 1 || id >= 256 ? f.uint(2) : 0;
      const flags = f.uint(2);
      const values = f.uint(2);
      let name = "";
      if (nameLength > 0) {
        const raw = f.take(version === 1 ? Math.ceil(nameLength / 8) * 8 : nameLength);
        const zero = raw.indexOf(0);
        name = new TextDecoder().decode(raw.subarray(0, zero < 0 ? raw.length : zero));
      }
      const clientData: number[] = [];
      for (let v = 0; v < values; v++) clientData.push(f.uint(4));
      if (version === 1 && values % 2 === 1) f.skip(4);
      filters.push({ id, name, flags, clientData });
    }
    return filters;
  }

  /**
   * The fill value's bytes (in the dataset's byte order) from the fill value message (0x05, or the
   * old 0x04), or undefined when none is defined (the library default, zeros).
   */
  parseFillValue(messages: HeaderMessage[], elementSize: number): Uint8Array | undefined {
    const current = messages.find((m) => m.type === 0x05);
    let value: Uint8Array | undefined;
    if (current) {
      if (current.flags & 0x02) throw this.#unsupported("fill value message", "not shared", "shared");
      const f = this.fields(current.data, "fill value message");
      const version = f.u8();
      if (version === 1 || version === 2) {
        f.skip(2); // allocation time, write time
        const defined = f.u8();
        if (version === 1 || defined) {
          if (f.pos + 4 <= current.data.length) {
            const size = f.uint(4);
            if (size > 0) value = f.take(size);
          }
        }
      } else if (version === 3) {
        const flags = f.u8();
        if (flags & 0x20) {
          const size = f.uint(4);
          if (size > 0) value = f.take(size);
        }
      } else {
        throw this.#unsupported("fill value message version", "1–3", String(version));
      }
    } else {
      const old = messages.find((m) => m.type === 0x04);
      if (old) {
        const f = this.fields(old.data, "old fill value message");
        const size = f.uint(4);
        if (size > 0) value = f.take(size);
      }
    }
    if (value && value.length !== elementSize) {
      throw this.#unsupported("fill value", `${elementSize} bytes`, `${value.length} bytes`);
    }
    return value;
  }

  /** The data layout message (0x08) of a chunked dataset. Throws for contiguous and compact layouts. */
  parseLayout(messages: HeaderMessage[], rank: number): ChunkLayout {
    const message = messages.find((m) => m.type === 0x08);
    if (!message) throw this.#unsupported("data layout message", "one", "none");
    const f = this.fields(message.data, "data layout message");
    const version = f.u8();
    const notChunked = (cls: number) =>
      this.#unsupported(
        "data layout",
        "chunked storage",
        cls === 0 ? "compact" : cls === 1 ? "contiguous" : `class ${cls}`,
      );
    const dims = (values: number[]) => {
      if (values.length !== rank + 1) {
        throw this.#unsupported("chunk dimensionality", String(rank + 1), String(values.length));
      }
      return { chunk: values.slice(0, rank), elementSize: values[rank] };
    };
    if (version === 1 || version === 2) {
      const ndims = f.u8();
      const cls = f.u8();
      f.skip(5);
      if (cls !== 2) throw notChunked(cls);
      const address = f.address();
      const values = Array.from({ length: ndims }, () => f.uint(4));
      return { ...dims(values), flags: 0, index: { kind: "btree1", address } };
    }
    if (version === 3) {
      const cls = f.u8();
      if (cls !== 2) throw notChunked(cls);
      const ndims = f.u8();
      const address = f.address();
      const values = Array.from({ length: ndims }, () => f.uint(4));
      return { ...dims(values), flags: 0, index: { kind: "btree1", address } };
    }
    if (version === 4 || version === 5) {
      const cls = f.u8();
      if (cls !== 2) throw notChunked(cls);
      const flags = f.u8();
      const ndims = f.u8();
      const encoded = f.u8();
      const values = Array.from({ length: ndims }, () => f.uint(encoded));
      const indexType = f.u8();
      const base = { ...dims(values), flags };
      switch (indexType) {
        case 1: {
          let filteredSize: number | undefined;
          let filterMask = 0;
          if (flags & 0x02) {
            filteredSize = f.length();
            filterMask = f.uint(4);
          }
          return { ...base, index: { kind: "single", address: f.address(), filteredSize, filterMask } };
        }
        case 2:
          return { ...base, index: { kind: "implicit", address: f.address() } };
        case 3: {
          const pageBits = f.u8();
          return { ...base, index: { kind: "fixed-array", address: f.address(), pageBits } };
        }
        case 4: {
          f.skip(5); // the header repeats these parameters
          return { ...base, index: { kind: "extensible-array", address: f.address() } };
        }
        case 5: {
          f.skip(6);
          return { ...base, index: { kind: "btree2", address: f.address() } };
        }
        default:
          throw this.#unsupported("chunk index type", "1–5", String(indexType));
      }
    }
    throw this.#unsupported("data layout message version", "1–5", String(version));
  }
}

/**
 * The chunks of a chunked dataset, by chunk grid coordinates (C-order linear index over the grid of
 * the current `shape`). `maxShape` (Infinity for unlimited axes) orders the fixed and extensible
 * array indexes.
 */
export function readChunkIndex(
  reader: Hdf5Reader,
  layout: ChunkLayout,
  shape: readonly number[],
  maxShape: readonly number[],
  filtered: boolean,
): Map<number, StoredChunk> {
  const rank = shape.length;
  const grid = shape.map((s, d) => Math.ceil(s / layout.chunk[d]));
  const chunkBytes = layout.chunk.reduce((a, b) => a * b, 1) * layout.elementSize;
  const chunks = new Map<number, StoredChunk>();
  const linear = (scaled: readonly number[]): number => {
    let index = 0;
    for (let d = 0; d < rank; d++) {
      if (scaled[d] >= grid[d]) return -1; // beyond the current extent (a shrunk dataset)
      index = index * grid[d] + scaled[d];
    }
    return index;
  };
  const add = (scaled: readonly number[], chunk: StoredChunk) => {
    if (chunk.address === UNDEFINED_ADDRESS) return;
    const index = linear(scaled);
    if (index >= 0) chunks.set(index, chunk);
  };
  const everyChunk = (visit: (scaled: number[]) => void) => {
    const total = grid.reduce((a, b) => a * b, 1);
    const scaled = new Array<number>(rank).fill(0);
    for (let n = 0; n < total; n++) {
      visit(scaled);
      for (let d = rank - 1; d >= 0; d--) {
        if (++scaled[d] < grid[d]) break;
        scaled[d] = 0;
      }
    }
  };
  const index = layout.index;
  if (index.address === UNDEFINED_ADDRESS) return chunks; // nothing written yet
  switch (index.kind) {
    case "btree1":
      readBtree1(reader, index.address, rank, layout.chunk, add);
      break;
    case "single":
      add(
        new Array(rank).fill(0),
        filtered
          ? { address: index.address, size: index.filteredSize ?? chunkBytes, filterMask: index.filterMask }
          : { address: index.address, size: chunkBytes, filterMask: 0 },
      );
      break;
    case "implicit": {
      const maxGrid = maxShape.map((m, d) => Math.ceil(m / layout.chunk[d]));
      everyChunk((scaled) => {
        let lin = 0;
        for (let d = 0; d < rank; d++) lin = lin * maxGrid[d] + scaled[d];
        add(scaled, { address: index.address + lin * chunkBytes, size: chunkBytes, filterMask: 0 });
      });
      break;
    }
    case "fixed-array": {
      const entries = readFixedArray(reader, index.address, chunkBytes);
      const maxGrid = maxShape.map((m, d) => Math.ceil(m / layout.chunk[d]));
      everyChunk((scaled) => {
        let lin = 0;
        for (let d = 0; d < rank; d++) lin = lin * maxGrid[d] + scaled[d];
        const entry = entries(lin);
        if (entry) add(scaled, entry);
      });
      break;
    }
    case "extensible-array": {
      const unlimited = maxShape.findIndex((m) => !Number.isFinite(m));
      if (unlimited < 0) {
        throw new Hdf5FormatError("extensible array index without an unlimited axis", {
          path: reader.path,
          field: "maxshape",
          expected: "one unlimited axis",
          found: maxShape.join(","),
        });
      }
      const lookup = readExtensibleArray(reader, index.address, chunkBytes);
      // the unlimited axis is moved first ("swizzled"), the others keep their order
      const order = [unlimited, ...shape.map((_, d) => d).filter((d) => d !== unlimited)];
      const maxGrid = order.map((d) => (d === unlimited ? 0 : Math.ceil(maxShape[d] / layout.chunk[d])));
      everyChunk((scaled) => {
        let lin = 0;
        order.forEach((d, i) => {
          lin = i === 0 ? scaled[d] : lin * maxGrid[i] + scaled[d];
        });
        const entry = lookup(lin);
        if (entry) add(scaled, entry);
      });
      break;
    }
    case "btree2":
      readBtree2(reader, index.address, rank, chunkBytes, add);
      break;
  }
  return chunks;
}

function readBtree1(
  reader: Hdf5Reader,
  address: number,
  rank: number,
  chunk: readonly number[],
  add: (scaled: number[], chunk: StoredChunk) => void,
): void {
  const O = reader.sizeOffsets;
  const keySize = 8 + 8 * (rank + 1);
  const visit = (at: number, depth: number) => {
    if (depth > 64)
      throw new Hdf5FormatError("HDF5 B-tree too deep", { path: reader.path, field: "chunk B-tree" });
    const head = reader.fields(reader.read(at, 8 + 2 * O, "chunk B-tree node"), "chunk B-tree node");
    head.signature("TREE");
    const type = head.u8();
    const level = head.u8();
    const entries = head.uint(2);
    if (type !== 1) {
      throw new Hdf5FormatError("unexpected HDF5 B-tree node type", {
        path: reader.path,
        field: "chunk B-tree node",
        expected: "1 (raw data chunks)",
        found: String(type),
      });
    }
    const bodyAt = at + 8 + 2 * O;
    const f = reader.fields(
      reader.read(bodyAt, entries * (keySize + O) + keySize, "chunk B-tree node"),
      "chunk B-tree node",
    );
    for (let i = 0; i < entries; i++) {
      const size = f.uint(4);
      const filterMask = f.uint(4);
      const offsets = Array.from({ length: rank + 1 }, () => f.uint(8));
      const child = f.address();
      if (level > 0) visit(child, depth + 1);
      else
        add(
          offsets.slice(0, rank).map((o, d) => Math.floor(o / chunk[d])),
          { address: child, size, filterMask },
        );
    }
  };
  visit(address, 0);
}

type Entry = StoredChunk | undefined;

function decodeEntry(
  f: ReturnType<Hdf5Reader["fields"]>,
  filtered: boolean,
  entrySize: number,
  sizeOffsets: number,
  chunkBytes: number,
): Entry {
  const address = f.address();
  if (!filtered)
    return address === UNDEFINED_ADDRESS ? undefined : { address, size: chunkBytes, filterMask: 0 };
  const size = f.uint(entrySize - sizeOffsets - 4);
  const filterMask = f.uint(4);
  return address === UNDEFINED_ADDRESS ? undefined : { address, size, filterMask };
}

function bitSet(bitmap: Uint8Array, bit: number): boolean {
  return (bitmap[bit >> 3] & (0x80 >> (bit & 7))) !== 0;
}

/** The fixed array index: a lookup from chunk linear index to its entry. */
function readFixedArray(reader: Hdf5Reader, address: number, chunkBytes: number): (i: number) => Entry {
  const O = reader.sizeOffsets;
  const L = reader.sizeLengths;
  const h = reader.fields(reader.read(address, 8 + L + O + 4, "fixed array header"), "fixed array header");
  h.signature("FAHD");
  h.u8(); // version
  const client = h.u8();
  const entrySize = h.u8();
  const pageBits = h.u8();
  const count = h.length();
  const blockAddress = h.address();
  if (blockAddress === UNDEFINED_ADDRESS) return () => undefined;
  const filtered = client === 1;
  const pageCount = 2 ** pageBits;
  const prefix = 6 + O;
  if (count <= pageCount) {
    const f = reader.fields(
      reader.read(blockAddress, prefix + count * entrySize, "fixed array data block"),
      "fixed array data block",
    );
    f.signature("FADB");
    f.pos = prefix;
    const entries = Array.from({ length: count }, () => decodeEntry(f, filtered, entrySize, O, chunkBytes));
    return (i) => entries[i];
  }
  const pages = Math.ceil(count / pageCount);
  const bitmapSize = Math.ceil(pages / 8);
  const head = reader.read(blockAddress, prefix + bitmapSize, "fixed array data block");
  reader.fields(head, "fixed array data block").signature("FADB");
  const bitmap = head.subarray(prefix);
  const firstPage = blockAddress + prefix + bitmapSize + 4;
  const pageSize = pageCount * entrySize + 4;
  const cache = new Map<number, Entry[]>();
  return (i) => {
    if (i >= count) return undefined;
    const page = Math.floor(i / pageCount);
    if (!bitSet(bitmap, page)) return undefined;
    let entries = cache.get(page);
    if (!entries) {
      const n = Math.min(pageCount, count - page * pageCount);
      const f = reader.fields(
        reader.read(firstPage + page * pageSize, n * entrySize, "fixed array page"),
        "fixed array page",
      );
      entries = Array.from({ length: n }, () => decodeEntry(f, filtered, entrySize, O, chunkBytes));
      cache.set(page, entries);
    }
    return entries[i % pageCount];
  };
}

const log2 = (n: number) => Math.floor(Math.log2(n));

/** The extensible array index: a lookup from chunk linear index to its entry. */
function readExtensibleArray(reader: Hdf5Reader, address: number, chunkBytes: number): (i: number) => Entry {
  const O = reader.sizeOffsets;
  const L = reader.sizeLengths;
  const h = reader.fields(
    reader.read(address, 12 + 6 * L + O + 4, "extensible array header"),
    "extensible array header",
  );
  h.signature("EAHD");
  h.u8(); // version
  const client = h.u8();
  const entrySize = h.u8();
  const maxBits = h.u8();
  const indexElements = h.u8();
  const dataBlockMin = h.u8();
  const superBlockMinPointers = h.u8();
  const pageBits = h.u8();
  h.skip(6 * L); // statistics
  const indexAddress = h.address();
  if (indexAddress === UNDEFINED_ADDRESS) return () => undefined;
  const filtered = client === 1;
  const offsetSize = Math.floor((maxBits + 7) / 8);
  const pageElements = 2 ** pageBits;
  // super block table: data blocks per super block and elements per data block
  const superBlocks: { dataBlocks: number; elements: number; start: number; startBlock: number }[] = [];
  let start = 0;
  let startBlock = 0;
  const superBlockCount = 1 + maxBits - log2(dataBlockMin);
  for (let u = 0; u < superBlockCount; u++) {
    const dataBlocks = 2 ** Math.floor(u / 2);
    const elements = 2 ** Math.floor((u + 1) / 2) * dataBlockMin;
    superBlocks.push({ dataBlocks, elements, start, startBlock });
    start += dataBlocks * elements;
    startBlock += dataBlocks;
  }
  const indexSuperBlocks = 2 * log2(superBlockMinPointers);
  const indexDataBlockCount = 2 * (superBlockMinPointers - 1);
  const indexSuperBlockCount = superBlockCount - indexSuperBlocks;
  const f = reader.fields(
    reader.read(
      indexAddress,
      6 + O + indexElements * entrySize + (indexDataBlockCount + indexSuperBlockCount) * O,
      "extensible array index block",
    ),
    "extensible array index block",
  );
  f.signature("EAIB");
  f.skip(2 + O);
  const direct = Array.from({ length: indexElements }, () =>
    decodeEntry(f, filtered, entrySize, O, chunkBytes),
  );
  const dataBlockAddresses = Array.from({ length: indexDataBlockCount }, () => f.address());
  const superBlockAddresses = Array.from({ length: Math.max(0, indexSuperBlockCount) }, () => f.address());

  const blockCache = new Map<number, Entry[]>();
  const readElements = (at: number, n: number, what: string): Entry[] => {
    let entries = blockCache.get(at);
    if (!entries) {
      const e = reader.fields(reader.read(at, n * entrySize, what), what);
      entries = Array.from({ length: n }, () => decodeEntry(e, filtered, entrySize, O, chunkBytes));
      blockCache.set(at, entries);
    }
    return entries;
  };
  const dataBlockPrefix = 6 + O + offsetSize;
  /** Element `k` of the data block at `at` holding `n` elements (paged when n > a page). */
  const fromDataBlock = (at: number, n: number, k: number, pageInit?: (page: number) => boolean): Entry => {
    if (n <= pageElements) {
      reader
        .fields(reader.read(at, 4, "extensible array data block"), "extensible array data block")
        .signature("EADB");
      return readElements(at + dataBlockPrefix, n, "extensible array data block")[k];
    }
    const page = Math.floor(k / pageElements);
    if (pageInit && !pageInit(page)) return undefined;
    const pageAt = at + dataBlockPrefix + 4 + page * (pageElements * entrySize + 4);
    return readElements(pageAt, pageElements, "extensible array data block page")[k % pageElements];
  };
  const superCache = new Map<number, { bitmaps: Uint8Array; addresses: number[] }>();
  return (i) => {
    if (i < indexElements) return direct[i];
    const sb = log2(Math.floor((i - indexElements) / dataBlockMin) + 1);
    if (sb >= superBlocks.length) return undefined;
    const info = superBlocks[sb];
    let k = i - indexElements - info.start;
    if (sb < indexSuperBlocks) {
      const block = info.startBlock + Math.floor(k / info.elements);
      const at = dataBlockAddresses[block];
      if (at === undefined || at === UNDEFINED_ADDRESS) return undefined;
      return fromDataBlock(at, info.elements, k % info.elements);
    }
    const at = superBlockAddresses[sb - indexSuperBlocks];
    if (at === undefined || at === UNDEFINED_ADDRESS) return undefined;
    const paged = info.elements > pageElements;
    const pagesPerBlock = paged ? info.elements / pageElements : 0;
    const bitmapSize = paged ? Math.ceil(pagesPerBlock / 8) : 0;
    let sup = superCache.get(at);
    if (!sup) {
      const s = reader.fields(
        reader.read(
          at,
          6 + O + offsetSize + info.dataBlocks * (bitmapSize + O),
          "extensible array super block",
        ),
        "extensible array super block",
      );
      s.signature("EASB");
      s.skip(2 + O + offsetSize);
      const bitmaps = s.take(info.dataBlocks * bitmapSize);
      const addresses = Array.from({ length: info.dataBlocks }, () => s.address());
      sup = { bitmaps, addresses };
      superCache.set(at, sup);
    }
    const block = Math.floor(k / info.elements);
    k %= info.elements;
    const blockAt = sup.addresses[block];
    if (blockAt === UNDEFINED_ADDRESS) return undefined;
    const bitmaps = sup.bitmaps;
    return fromDataBlock(blockAt, info.elements, k, (page) => bitSet(bitmaps, block * pagesPerBlock + page));
  };
}

function encodedSize(value: number): number {
  return Math.floor(log2(value) / 8) + 1;
}

function readBtree2(
  reader: Hdf5Reader,
  address: number,
  rank: number,
  chunkBytes: number,
  add: (scaled: number[], chunk: StoredChunk) => void,
): void {
  const O = reader.sizeOffsets;
  const L = reader.sizeLengths;
  const h = reader.fields(reader.read(address, 16 + O + 2 + L + 4, "v2 B-tree header"), "v2 B-tree header");
  h.signature("BTHD");
  h.u8(); // version
  const type = h.u8();
  const nodeSize = h.uint(4);
  const recordSize = h.uint(2);
  const depth = h.uint(2);
  h.skip(2);
  const root = h.address();
  const rootRecords = h.uint(2);
  if (type !== 10 && type !== 11) {
    throw new Hdf5FormatError("unexpected v2 B-tree record type", {
      path: reader.path,
      field: "chunk v2 B-tree",
      expected: "10 or 11 (chunks)",
      found: String(type),
    });
  }
  if (root === UNDEFINED_ADDRESS) return;
  const filtered = type === 11;
  const sizeLength = recordSize - O - 4 - 8 * rank;
  // sizes of the child pointers of internal nodes at each depth
  const maxRecords = [Math.floor((nodeSize - 10) / recordSize)];
  const cumulative = [maxRecords[0]];
  const cumulativeSize = [0];
  const maxRecordsSize = encodedSize(maxRecords[0]);
  const pointerSize = (d: number) => O + maxRecordsSize + (d > 1 ? cumulativeSize[d - 1] : 0);
  for (let d = 1; d <= depth; d++) {
    const ptr = pointerSize(d);
    maxRecords[d] = Math.floor((nodeSize - (10 + ptr)) / (recordSize + ptr));
    cumulative[d] = (maxRecords[d] + 1) * cumulative[d - 1] + maxRecords[d];
    cumulativeSize[d] = encodedSize(cumulative[d]);
  }
  const visit = (at: number, records: number, d: number) => {
    const f = reader.fields(reader.read(at, nodeSize, "v2 B-tree node"), "v2 B-tree node");
    f.signature(d === 0 ? "BTLF" : "BTIN");
    f.skip(2);
    for (let r = 0; r < records; r++) {
      const chunkAddress = f.address();
      const size = filtered ? f.uint(sizeLength) : chunkBytes;
      const filterMask = filtered ? f.uint(4) : 0;
      const scaled = Array.from({ length: rank }, () => f.uint(8));
      add(scaled, { address: chunkAddress, size, filterMask });
    }
    if (d === 0) return;
    for (let c = 0; c <= records; c++) {
      const child = f.address();
      const childRecords = f.uint(maxRecordsSize);
      if (d > 1) f.skip(cumulativeSize[d - 1]);
      visit(child, childRecords, d - 1);
    }
  };
  visit(root, rootRecords, depth);
}
