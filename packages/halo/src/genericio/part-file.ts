/**
 * One physical GenericIO file: its handle, its parsed header and the reading of its blocks (with
 * CRC-64 checks, BLOSC decoding and byte swapping). A split data set is a rank map plus several of
 * these (`name#N`); see `read.ts`.
 */
import { type FileHandle, open } from "node:fs/promises";
import { bloscDecode, bloscFrameInfo } from "./blosc.js";
import { HOST_LITTLE_ENDIAN, swapBytes } from "./byteswap.js";
import { Crc64 } from "./crc64.js";
import {
  CrcMismatchError,
  MissingFileError,
  NotGenericIOError,
  TruncatedFileError,
  UnknownFilterError,
} from "./errors.js";
import {
  BLOSC_FILTER,
  type BlockHeader,
  byteOrderOfMagic,
  COMPRESS_HEADER_SIZE,
  CRC_SIZE,
  GH,
  GLOBAL_HEADER_SIZE,
  MAGIC_SIZE,
  type ParsedHeader,
  parseHeader,
  type RankHeader,
} from "./format.js";

/** Where one variable of one rank lies in a file. */
export interface BlockLocation {
  /** Index in the file's block table (rank index × variables + variable index). */
  index: number;
  start: number;
  /** Stored size without the CRC trailer. */
  size: number;
  filters: string[];
}

function hex(lo: number, hi: number): string {
  return (hi >>> 0).toString(16).padStart(8, "0") + (lo >>> 0).toString(16).padStart(8, "0");
}

function storedHex(trailer: Uint8Array): string {
  // the trailer is the inverted checksum, little-endian
  const v = new DataView(trailer.buffer, trailer.byteOffset, 8);
  return hex(~v.getUint32(0, true), ~v.getUint32(4, true));
}

/** Read exactly `length` bytes at `position` into `target` (looping over short reads). */
export async function readFully(fh: FileHandle, target: Uint8Array, position: number): Promise<number> {
  let done = 0;
  while (done < target.length) {
    const chunk = Math.min(target.length - done, 0x40000000);
    const { bytesRead } = await fh.read(target, done, chunk, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/** An open GenericIO file (one partition of a split data set, or the whole data set). */
export class PartFile {
  readonly path: string;
  readonly header: ParsedHeader;
  readonly fileSize: number;
  readonly verifyCrc: boolean;
  #fh: FileHandle | undefined;
  /** Offset of each variable's block inside a rank's section (non-blocked files). */
  readonly #varOffsets: number[];

  private constructor(
    path: string,
    fh: FileHandle,
    header: ParsedHeader,
    fileSize: number,
    verifyCrc: boolean,
  ) {
    this.path = path;
    this.#fh = fh;
    this.header = header;
    this.fileSize = fileSize;
    this.verifyCrc = verifyCrc;
    this.#varOffsets = [];
    let offset = 0;
    for (const v of header.variables) {
      this.#varOffsets.push(offset);
      offset += v.size;
    }
  }

  /** Open and check a file: magic, header size, header CRC, and that every block lies inside it. */
  static async open(path: string, verifyCrc: boolean, role = "GenericIO file"): Promise<PartFile> {
    let fh: FileHandle;
    try {
      fh = await open(path, "r");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      throw new MissingFileError(`${role} not found`, { path, cause: e });
    }
    try {
      const fileSize = (await fh.stat()).size;
      const first = new Uint8Array(GLOBAL_HEADER_SIZE.v1);
      const got = await readFully(fh, first, 0);
      const byteOrder = byteOrderOfMagic(first.subarray(0, got));
      if (byteOrder === undefined) {
        throw new NotGenericIOError("not a GenericIO file (no HACC01L/HACC01B magic at byte 0)", {
          path,
          field: "magic",
          expected: "HACC01L or HACC01B",
          found: JSON.stringify(String.fromCharCode(...first.subarray(0, Math.min(got, MAGIC_SIZE - 1)))),
        });
      }
      if (got < GLOBAL_HEADER_SIZE.v1) {
        throw new TruncatedFileError("GenericIO file truncated inside its global header", {
          path,
          expected: `>= ${GLOBAL_HEADER_SIZE.v1} bytes`,
          found: `${fileSize} bytes`,
        });
      }
      const view = new DataView(first.buffer);
      const headerSize = Number(view.getBigUint64(GH.headerSize, byteOrder === "little"));
      if (headerSize + CRC_SIZE > fileSize || headerSize < GLOBAL_HEADER_SIZE.v1) {
        throw new TruncatedFileError("GenericIO file truncated inside its header", {
          path,
          field: "HeaderSize",
          expected: `file of >= ${headerSize + CRC_SIZE} bytes`,
          found: `${fileSize} bytes`,
        });
      }
      const bytes = new Uint8Array(headerSize + CRC_SIZE);
      await readFully(fh, bytes, 0);
      if (verifyCrc) {
        const crc = new Crc64().update(bytes.subarray(0, headerSize));
        const computed = crc.hex();
        if (!crc.update(bytes.subarray(headerSize)).matchesResidue()) {
          throw new CrcMismatchError({
            path,
            what: "header",
            offset: 0,
            size: headerSize,
            stored: storedHex(bytes.subarray(headerSize)),
            computed,
          });
        }
      }
      const header = parseHeader(bytes.subarray(0, headerSize), byteOrder, path);
      const file = new PartFile(path, fh, header, fileSize, verifyCrc);
      file.#checkExtent();
      return file;
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** Throw {@link TruncatedFileError} when a block reaches past the end of the file. */
  #checkExtent(): void {
    const { ranks, variables } = this.header;
    for (const r of ranks) {
      for (let j = 0; j < variables.length; j++) {
        const b = this.locate(r, j);
        if (b.start + b.size + CRC_SIZE > this.fileSize) {
          throw new TruncatedFileError("GenericIO file truncated: a data block reaches past its end", {
            path: this.path,
            block: b.index,
            field: `rank ${r.rank} variable ${variables[j].name}`,
            expected: `file of >= ${b.start + b.size + CRC_SIZE} bytes`,
            found: `${this.fileSize} bytes`,
          });
        }
      }
    }
  }

  /** Where variable `j` of rank `r` is stored. */
  locate(r: RankHeader, j: number): BlockLocation {
    const nVars = this.header.variables.length;
    const index = r.index * nVars + j;
    const blocks = this.header.blocks;
    if (blocks !== undefined) {
      const b: BlockHeader = blocks[index];
      return { index, start: b.start, size: b.size, filters: b.filters };
    }
    // non-blocked: variables follow each other, each with its trailer
    const start = r.start + r.rows * this.#varOffsets[j] + j * CRC_SIZE;
    return { index, start, size: r.rows * this.header.variables[j].size, filters: [] };
  }

  #handle(): FileHandle {
    if (this.#fh === undefined) throw new Error(`GenericIO file already closed: ${this.path}`);
    return this.#fh;
  }

  async #readChecked(loc: BlockLocation, target: Uint8Array, r: RankHeader, j: number): Promise<void> {
    const fh = this.#handle();
    const got = await readFully(fh, target, loc.start);
    const trailer = new Uint8Array(CRC_SIZE);
    const gotT = await readFully(fh, trailer, loc.start + loc.size);
    if (got < target.length || gotT < CRC_SIZE) {
      throw new TruncatedFileError("GenericIO file truncated: a data block reaches past its end", {
        path: this.path,
        block: loc.index,
        field: `rank ${r.rank} variable ${this.header.variables[j].name}`,
        expected: `${loc.start + loc.size + CRC_SIZE} bytes`,
        found: `${loc.start + got} bytes`,
      });
    }
    if (!this.verifyCrc) return;
    const crc = new Crc64().update(target);
    const computed = crc.hex();
    if (!crc.update(trailer).matchesResidue()) {
      throw new CrcMismatchError({
        path: this.path,
        what: "block",
        rank: r.rank,
        variable: this.header.variables[j].name,
        blockIndex: loc.index,
        offset: loc.start,
        size: loc.size,
        stored: storedHex(trailer),
        computed,
      });
    }
  }

  /**
   * Read variable `j` of rank `r` into `target` (exactly `rows × size` bytes), checking CRCs,
   * decoding BLOSC and converting to the host's byte order.
   */
  async readBlock(r: RankHeader, j: number, target: Uint8Array): Promise<void> {
    const v = this.header.variables[j];
    const loc = this.locate(r, j);
    const field = `rank ${r.rank} variable ${v.name}`;
    if (loc.filters.length === 0) {
      if (loc.size !== target.length) {
        throw new TruncatedFileError("data block size differs from rows × Size", {
          path: this.path,
          block: loc.index,
          field,
          expected: String(target.length),
          found: String(loc.size),
        });
      }
      await this.#readChecked(loc, target, r, j);
    } else if (loc.filters.length === 1 && loc.filters[0] === BLOSC_FILTER) {
      await this.#readBlosc(loc, target, r, j, field);
    } else {
      throw new UnknownFilterError("data block uses a filter this reader does not decode", {
        path: this.path,
        block: loc.index,
        field: `${field} filters`,
        expected: `none or ${BLOSC_FILTER}`,
        found: loc.filters.join(","),
      });
    }
    if ((this.header.byteOrder === "little") !== HOST_LITTLE_ENDIAN) swapBytes(target, v.elementSize);
  }

  async #readBlosc(
    loc: BlockLocation,
    target: Uint8Array,
    r: RankHeader,
    j: number,
    field: string,
  ): Promise<void> {
    const payload = new Uint8Array(loc.size);
    await this.#readChecked(loc, payload, r, j);
    if (loc.size < COMPRESS_HEADER_SIZE) {
      throw new UnknownFilterError("BLOSC block too short", { path: this.path, block: loc.index, field });
    }
    const frame = payload.subarray(COMPRESS_HEADER_SIZE);
    const info = bloscFrameInfo(frame, this.path, field);
    if (info.nbytes !== target.length) {
      throw new TruncatedFileError("BLOSC block decodes to a size other than rows × Size", {
        path: this.path,
        block: loc.index,
        field,
        expected: String(target.length),
        found: String(info.nbytes),
      });
    }
    const decoded = await bloscDecode(frame);
    target.set(decoded.subarray(0, target.length));
    if (!this.verifyCrc) return;
    const little = this.header.byteOrder === "little";
    const pv = new DataView(payload.buffer, payload.byteOffset, COMPRESS_HEADER_SIZE);
    const storedLo = pv.getUint32(little ? 0 : 4, little);
    const storedHi = pv.getUint32(little ? 4 : 0, little);
    const crc = new Crc64().update(target);
    if (crc.lo !== storedLo || crc.hi !== storedHi) {
      throw new CrcMismatchError({
        path: this.path,
        what: "decompressed",
        rank: r.rank,
        variable: this.header.variables[j].name,
        blockIndex: loc.index,
        offset: loc.start,
        size: loc.size,
        stored: hex(storedLo, storedHi),
        computed: crc.hex(),
      });
    }
  }

  /** Close the handle (idempotent). */
  async close(): Promise<void> {
    const fh = this.#fh;
    this.#fh = undefined;
    await fh?.close();
  }
}
