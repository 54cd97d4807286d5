/**
 * GenericIO on-disk layout (HACC's I/O format): constants, header structures and their parsing.
 *
 * A file is `header ‖ CRC(8) ‖ data`. The header is a global header, then `NVars` variable
 * headers, `NRanks` rank headers and, in blocked files, `NRanks × NVars` block headers. Every
 * integer field is a u64 and every float an f64, in the byte order named by the magic
 * (`HACC01L` little, `HACC01B` big). Two generations exist: the first global header stops before
 * `BlocksSize` (152 bytes, never blocked) and the first variable header has no `ElementSize`
 * (272 bytes); the current ones are 168 and 280 bytes. Readers use the sizes stored in the header.
 */
import { GenericIOFormatError } from "./errors.js";

/** Column element types: signed/unsigned integers of 8–64 bits and IEEE floats. */
export type GenericIOType = "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "f32" | "f64";

/** Byte order of a file (from its magic). */
export type ByteOrder = "little" | "big";

/** Typed array holding a column of the given type (BigInt arrays for 64-bit integers). */
export type GenericIOArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** Size of the magic at byte 0 (7 characters and a NUL). */
export const MAGIC_SIZE = 8;
/** Magic of little-endian files. */
export const MAGIC_LE = "HACC01L";
/** Magic of big-endian files. */
export const MAGIC_BE = "HACC01B";
/** Size of each CRC-64 trailer. */
export const CRC_SIZE = 8;
/** Size of a variable name field. */
export const NAME_SIZE = 256;
/** Size of one filter name in a block header. */
export const FILTER_NAME_SIZE = 8;
/** Filter slots per block header. */
export const MAX_FILTERS = 4;
/** The only filter the format defines. */
export const BLOSC_FILTER = "BLOSC";
/** Global header sizes: first generation (no block fields) and current. */
export const GLOBAL_HEADER_SIZE = { v1: 152, v2: 168 } as const;
/** Variable header sizes: first generation (no ElementSize) and current. */
export const VARIABLE_HEADER_SIZE = { v1: 272, v2: 280 } as const;
/** Rank header size (Coords[3], NElems, Start, GlobalRank). */
export const RANK_HEADER_SIZE = 48;
/** Block header size (Filters[4][8], Start, Size). */
export const BLOCK_HEADER_SIZE = 48;
/** Bytes before the blosc frame in a BLOSC block: the CRC-64 of the uncompressed data. */
export const COMPRESS_HEADER_SIZE = 8;

/** Variable flag bits. */
export const VAR_FLAG = {
  float: 1 << 0,
  signed: 1 << 1,
  physCoordX: 1 << 2,
  physCoordY: 1 << 3,
  physCoordZ: 1 << 4,
  maybePhysGhost: 1 << 5,
} as const;

/** Byte offsets of the global header fields. */
export const GH = {
  magic: 0,
  headerSize: 8,
  nElems: 16,
  dims: 24,
  nVars: 48,
  varsSize: 56,
  varsStart: 64,
  nRanks: 72,
  ranksSize: 80,
  ranksStart: 88,
  globalHeaderSize: 96,
  physOrigin: 104,
  physScale: 128,
  blocksSize: 152,
  blocksStart: 160,
} as const;

/** Bytes per element of each type. */
export const TYPE_BYTES: Record<GenericIOType, number> = {
  i8: 1,
  i16: 2,
  i32: 4,
  i64: 8,
  u8: 1,
  u16: 2,
  u32: 4,
  u64: 8,
  f32: 4,
  f64: 8,
};

type ArrayCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): GenericIOArray };

/** Typed-array constructor of each type. */
export const TYPE_ARRAY: Record<GenericIOType, ArrayCtor> = {
  i8: Int8Array,
  i16: Int16Array,
  i32: Int32Array,
  i64: BigInt64Array,
  u8: Uint8Array,
  u16: Uint16Array,
  u32: Uint32Array,
  u64: BigUint64Array,
  f32: Float32Array,
  f64: Float64Array,
};

/** Flags of a variable, decoded. */
export interface VariableFlags {
  /** Holds the x (y, z) physical coordinate (in [physOrigin, physOrigin + physScale)). */
  isPhysCoordX: boolean;
  isPhysCoordY: boolean;
  isPhysCoordZ: boolean;
  /** Values may lie outside the rank's domain (ghost particles). */
  maybePhysGhost: boolean;
}

/** A variable (column) of a file. */
export interface VariableInfo {
  /** Name (at most 255 bytes of UTF-8). */
  name: string;
  /** Element type. */
  type: GenericIOType;
  /** Elements per row: 1 for scalars, the vector length for AOS records (e.g. 4 for float4). */
  elementCount: number;
  /** Bytes per row (`elementCount × elementSize`), the header's `Size`. */
  size: number;
  /** Bytes per element, the header's `ElementSize` (equal to `size` in first-generation files). */
  elementSize: number;
  /** Decoded flag bits. */
  flags: VariableFlags;
  /** Raw flag word (bits this reader does not name are kept here). */
  rawFlags: number;
}

/** A rank's section as stored in one file. */
export interface RankHeader {
  /** Position in the file's rank table. */
  index: number;
  /** Global rank (the `GlobalRank` field, else the index). */
  rank: number;
  /** Rows (elements) of this rank. */
  rows: number;
  /** Cartesian coordinates of the rank in the decomposition. */
  coords: [number, number, number];
  /** Offset of the rank's first data block. */
  start: number;
}

/** A block header: where one variable of one rank is stored, and how. */
export interface BlockHeader {
  /** Filter names, outermost first (empty for raw data). */
  filters: string[];
  /** File offset of the block. */
  start: number;
  /** Stored size of the block, without its CRC trailer. */
  size: number;
}

/** A parsed header. */
export interface ParsedHeader {
  byteOrder: ByteOrder;
  /** Size of the header without its CRC trailer. */
  headerSize: number;
  /** Global row count (sum of the ranks' rows). */
  totalRows: number;
  dims: [number, number, number];
  globalHeaderSize: number;
  variableHeaderSize: number;
  physOrigin: [number, number, number];
  physScale: [number, number, number];
  variables: VariableInfo[];
  ranks: RankHeader[];
  /** Block headers (rank index × variables + variable index), or undefined when not blocked. */
  blocks?: BlockHeader[];
}

/** Element type from the float/signed flags and the element size, or undefined when none fits. */
export function typeOf(isFloat: boolean, isSigned: boolean, elementSize: number): GenericIOType | undefined {
  if (isFloat) return elementSize === 4 ? "f32" : elementSize === 8 ? "f64" : undefined;
  const bits = elementSize * 8;
  if (![8, 16, 32, 64].includes(bits)) return undefined;
  return `${isSigned ? "i" : "u"}${bits}` as GenericIOType;
}

/** Flag word of a type (float floats are also flagged signed, as the reference writer does). */
export function typeFlags(type: GenericIOType): number {
  if (type[0] === "f") return VAR_FLAG.float | VAR_FLAG.signed;
  return type[0] === "i" ? VAR_FLAG.signed : 0;
}

/** Reads u64 fields as numbers, failing when a value exceeds 2^53. */
export class HeaderView {
  readonly view: DataView;
  readonly little: boolean;
  readonly path: string;

  constructor(bytes: Uint8Array, little: boolean, path: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.little = little;
    this.path = path;
  }

  u64(offset: number, field: string): number {
    if (offset + 8 > this.view.byteLength) {
      throw new GenericIOFormatError("header field outside the header", {
        path: this.path,
        field,
        expected: `offset + 8 <= ${this.view.byteLength}`,
        found: String(offset + 8),
      });
    }
    const v = this.view.getBigUint64(offset, this.little);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new GenericIOFormatError("header field too large", {
        path: this.path,
        field,
        expected: "< 2^53",
        found: v.toString(),
      });
    }
    return Number(v);
  }

  f64(offset: number): number {
    return this.view.getFloat64(offset, this.little);
  }
}

function cString(bytes: Uint8Array, offset: number, max: number): string {
  let end = offset;
  while (end < offset + max && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(offset, end));
}

function formatError(path: string, summary: string, field: string, expected: string, found: string): never {
  throw new GenericIOFormatError(summary, { path, field, expected, found });
}

/**
 * Byte order from the magic at byte 0, or undefined when the bytes are not a GenericIO magic.
 */
export function byteOrderOfMagic(bytes: Uint8Array): ByteOrder | undefined {
  if (bytes.length < MAGIC_SIZE) return undefined;
  const magic = String.fromCharCode(...bytes.subarray(0, MAGIC_SIZE - 1));
  if (magic === MAGIC_LE) return "little";
  if (magic === MAGIC_BE) return "big";
  return undefined;
}

/**
 * Parse a whole header (`bytes` holds at least `HeaderSize` bytes; its magic was checked).
 * Validates every table's position against the header size and every variable's type.
 */
export function parseHeader(bytes: Uint8Array, byteOrder: ByteOrder, path: string): ParsedHeader {
  const h = new HeaderView(bytes, byteOrder === "little", path);
  const headerSize = h.u64(GH.headerSize, "HeaderSize");
  const globalHeaderSize = h.u64(GH.globalHeaderSize, "GlobalHeaderSize");
  if (globalHeaderSize < GH.physOrigin) {
    formatError(
      path,
      "global header too small",
      "GlobalHeaderSize",
      `>= ${GH.physOrigin}`,
      String(globalHeaderSize),
    );
  }
  const nVars = h.u64(GH.nVars, "NVars");
  const varsSize = h.u64(GH.varsSize, "VarsSize");
  const varsStart = h.u64(GH.varsStart, "VarsStart");
  const nRanks = h.u64(GH.nRanks, "NRanks");
  const ranksSize = h.u64(GH.ranksSize, "RanksSize");
  const ranksStart = h.u64(GH.ranksStart, "RanksStart");
  if (varsSize < NAME_SIZE + 16) {
    formatError(path, "variable header too small", "VarsSize", `>= ${NAME_SIZE + 16}`, String(varsSize));
  }
  if (ranksSize < 40) formatError(path, "rank header too small", "RanksSize", ">= 40", String(ranksSize));
  const checkTable = (field: string, start: number, count: number, size: number) => {
    if (start + count * size > headerSize) {
      formatError(
        path,
        `${field} table outside the header`,
        field,
        `end <= HeaderSize ${headerSize}`,
        String(start + count * size),
      );
    }
  };
  checkTable("Vars", varsStart, nVars, varsSize);
  checkTable("Ranks", ranksStart, nRanks, ranksSize);
  const dims: [number, number, number] = [
    h.u64(GH.dims, "Dims[0]"),
    h.u64(GH.dims + 8, "Dims[1]"),
    h.u64(GH.dims + 16, "Dims[2]"),
  ];
  const hasPhys = globalHeaderSize >= GH.physScale + 24;
  const physOrigin: [number, number, number] = hasPhys
    ? [h.f64(GH.physOrigin), h.f64(GH.physOrigin + 8), h.f64(GH.physOrigin + 16)]
    : [0, 0, 0];
  const physScale: [number, number, number] = hasPhys
    ? [h.f64(GH.physScale), h.f64(GH.physScale + 8), h.f64(GH.physScale + 16)]
    : [0, 0, 0];

  const variables: VariableInfo[] = [];
  for (let j = 0; j < nVars; j++) {
    const at = varsStart + j * varsSize;
    const name = cString(bytes, at, NAME_SIZE);
    const rawFlags = h.u64(at + NAME_SIZE, `variable ${name} Flags`);
    const size = h.u64(at + NAME_SIZE + 8, `variable ${name} Size`);
    const elementSize =
      varsSize >= VARIABLE_HEADER_SIZE.v2 ? h.u64(at + NAME_SIZE + 16, `variable ${name} ElementSize`) : size;
    const isFloat = (rawFlags & VAR_FLAG.float) !== 0;
    const isSigned = (rawFlags & VAR_FLAG.signed) !== 0;
    const type = elementSize > 0 ? typeOf(isFloat, isSigned, elementSize) : undefined;
    if (type === undefined || size % elementSize !== 0 || size === 0) {
      formatError(
        path,
        "variable has no supported element type",
        `variable ${name}`,
        "float of 4/8 bytes or integer of 1/2/4/8 bytes, Size a multiple of ElementSize",
        `${isFloat ? "float" : isSigned ? "signed" : "unsigned"}, Size ${size}, ElementSize ${elementSize}`,
      );
    }
    variables.push({
      name,
      type,
      elementCount: size / elementSize,
      size,
      elementSize,
      rawFlags,
      flags: {
        isPhysCoordX: (rawFlags & VAR_FLAG.physCoordX) !== 0,
        isPhysCoordY: (rawFlags & VAR_FLAG.physCoordY) !== 0,
        isPhysCoordZ: (rawFlags & VAR_FLAG.physCoordZ) !== 0,
        maybePhysGhost: (rawFlags & VAR_FLAG.maybePhysGhost) !== 0,
      },
    });
  }

  const ranks: RankHeader[] = [];
  for (let i = 0; i < nRanks; i++) {
    const at = ranksStart + i * ranksSize;
    ranks.push({
      index: i,
      coords: [h.u64(at, "Coords[0]"), h.u64(at + 8, "Coords[1]"), h.u64(at + 16, "Coords[2]")],
      rows: h.u64(at + 24, `rank ${i} NElems`),
      start: h.u64(at + 32, `rank ${i} Start`),
      rank: ranksSize >= RANK_HEADER_SIZE ? h.u64(at + 40, `rank ${i} GlobalRank`) : i,
    });
  }

  let blocks: BlockHeader[] | undefined;
  if (globalHeaderSize >= GH.blocksStart + 8) {
    const blocksSize = h.u64(GH.blocksSize, "BlocksSize");
    if (blocksSize > 0) {
      if (blocksSize < BLOCK_HEADER_SIZE) {
        formatError(
          path,
          "block header too small",
          "BlocksSize",
          `>= ${BLOCK_HEADER_SIZE}`,
          String(blocksSize),
        );
      }
      const blocksStart = h.u64(GH.blocksStart, "BlocksStart");
      checkTable("Blocks", blocksStart, nRanks * nVars, blocksSize);
      blocks = [];
      for (let k = 0; k < nRanks * nVars; k++) {
        const at = blocksStart + k * blocksSize;
        const filters: string[] = [];
        for (let f = 0; f < MAX_FILTERS; f++) {
          const name = cString(bytes, at + f * FILTER_NAME_SIZE, FILTER_NAME_SIZE);
          if (name === "") break;
          filters.push(name);
        }
        const fo = MAX_FILTERS * FILTER_NAME_SIZE;
        blocks.push({
          filters,
          start: h.u64(at + fo, `block ${k} Start`),
          size: h.u64(at + fo + 8, `block ${k} Size`),
        });
      }
    }
  }

  return {
    byteOrder,
    headerSize,
    totalRows: h.u64(GH.nElems, "NElems"),
    dims,
    globalHeaderSize,
    variableHeaderSize: varsSize,
    physOrigin,
    physScale,
    variables,
    ranks,
    blocks,
  };
}
