/**
 * Writing GenericIO files: plain (each rank's variables back to back) or blocked (a block header
 * per rank and variable, optionally BLOSC-compressed), little- or big-endian, current or
 * first-generation headers, every block followed by its CRC-64 trailer. The file is written under
 * a temporary name beside the target and renamed at the end, so a half-written file never appears.
 */
import { randomBytes } from "node:crypto";
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { type BloscEncodeOptions, bloscEncode } from "./blosc.js";
import { HOST_LITTLE_ENDIAN, swapBytes } from "./byteswap.js";
import { Crc64, crc64Trailer } from "./crc64.js";
import { GenericIOWriteError } from "./errors.js";
import {
  BLOCK_HEADER_SIZE,
  BLOSC_FILTER,
  type ByteOrder,
  COMPRESS_HEADER_SIZE,
  CRC_SIZE,
  FILTER_NAME_SIZE,
  type GenericIOArray,
  type GenericIOType,
  GH,
  GLOBAL_HEADER_SIZE,
  MAGIC_BE,
  MAGIC_LE,
  MAX_FILTERS,
  NAME_SIZE,
  RANK_HEADER_SIZE,
  TYPE_ARRAY,
  TYPE_BYTES,
  typeFlags,
  VAR_FLAG,
  VARIABLE_HEADER_SIZE,
  type VariableFlags,
} from "./format.js";

/** A variable to write. */
export interface GenericIOVariableSpec {
  /** Name (at most 255 bytes of UTF-8, unique). */
  name: string;
  /** Element type. */
  type: GenericIOType;
  /** Elements per row (vector length, default 1). */
  elementCount?: number;
  /** Flags (all false by default). */
  flags?: Partial<VariableFlags>;
}

/** One rank's section: a typed array per variable (`rows × elementCount` values each). */
export interface GenericIORankInput {
  /** Columns by variable name; 64-bit integers as BigInt64Array / BigUint64Array. */
  columns: Record<string, GenericIOArray>;
  /** Cartesian coordinates of the rank (default `[index, 0, 0]`). */
  coords?: [number, number, number];
  /** Global rank number (default: the position in `ranks`). */
  rank?: number;
}

/** What {@link writeGenericIO} writes. */
export interface WriteGenericIOOptions {
  variables: readonly GenericIOVariableSpec[];
  /**
   * Ranks in file order. An element may be a function returning the rank (or a promise of it):
   * it is called when that rank is written and dropped after, so memory stays bounded by one rank.
   */
  ranks: ReadonlyArray<GenericIORankInput | (() => GenericIORankInput | Promise<GenericIORankInput>)>;
  /** Decomposition (default `[ranks.length, 1, 1]`). */
  dims?: [number, number, number];
  /** Physical origin of the box (default 0, 0, 0). */
  physOrigin?: [number, number, number];
  /** Physical size of the box (default 0, 0, 0). */
  physScale?: [number, number, number];
  /** Write block headers (default false; implied by `compress`). */
  blocked?: boolean;
  /**
   * Compress each block with BLOSC (blocks blosc does not shrink are stored raw, as the reference
   * writer does). `true` uses blosclz level 9 with byte shuffle, like the reference.
   */
  compress?: boolean | BloscEncodeOptions;
  /** Byte order of the file (default `"little"`). */
  byteOrder?: ByteOrder;
  /** Header generation: 2 (168/280-byte headers, default) or 1 (152/272, no blocks, no vectors). */
  headerVersion?: 1 | 2;
}

/** Summary of a written file. */
export interface WriteGenericIOResult {
  path: string;
  /** File size in bytes. */
  bytes: number;
  ranks: number;
  rows: number;
}

function fail(path: string, summary: string, field: string, expected: string, found: string): never {
  throw new GenericIOWriteError(summary, { path, field, expected, found });
}

function checkTriple(path: string, field: string, t: readonly number[] | undefined): void {
  if (t !== undefined && (t.length !== 3 || t.some((x) => typeof x !== "number" || !Number.isFinite(x)))) {
    fail(path, "expected three finite numbers", field, "[x, y, z]", JSON.stringify(t));
  }
}

interface BlockRecord {
  filters: string[];
  start: number;
  size: number;
}

interface RankRecord {
  coords: [number, number, number];
  rows: number;
  start: number;
  rank: number;
}

/** Write a GenericIO file atomically (temporary file, then rename). */
export async function writeGenericIO(
  path: string,
  options: WriteGenericIOOptions,
): Promise<WriteGenericIOResult> {
  const version = options.headerVersion ?? 2;
  const little = (options.byteOrder ?? "little") === "little";
  const compress = options.compress ?? false;
  const blocked = (options.blocked ?? false) || compress !== false;
  const bloscOptions = typeof compress === "object" ? compress : {};
  const vars = options.variables;
  const nRanks = options.ranks.length;
  if (version !== 1 && version !== 2)
    fail(path, "unknown header version", "headerVersion", "1 or 2", String(version));
  if (version === 1 && blocked) {
    fail(
      path,
      "first-generation headers have no block table",
      "blocked",
      "headerVersion 2",
      "headerVersion 1",
    );
  }
  if (vars.length === 0) fail(path, "no variables to write", "variables", "at least one", "none");
  checkTriple(path, "physOrigin", options.physOrigin);
  checkTriple(path, "physScale", options.physScale);
  checkTriple(path, "dims", options.dims);
  const names = new Set<string>();
  const encoder = new TextEncoder();
  for (const v of vars) {
    const bytes = encoder.encode(v.name).length;
    if (bytes === 0 || bytes >= NAME_SIZE || v.name.includes("\0")) {
      fail(
        path,
        "invalid variable name",
        "variables.name",
        "1–255 bytes of UTF-8, no NUL",
        JSON.stringify(v.name),
      );
    }
    if (names.has(v.name)) fail(path, "duplicate variable name", "variables.name", "unique names", v.name);
    names.add(v.name);
    if (!(v.type in TYPE_BYTES))
      fail(path, "unknown type", `variable ${v.name} type`, "i8…u64, f32, f64", String(v.type));
    const n = v.elementCount ?? 1;
    if (!Number.isInteger(n) || n < 1)
      fail(path, "invalid elementCount", `variable ${v.name}`, "integer >= 1", String(n));
    if (version === 1 && n !== 1) {
      fail(
        path,
        "first-generation headers cannot store vectors",
        `variable ${v.name}`,
        "elementCount 1",
        String(n),
      );
    }
  }

  const ghSize = version === 2 ? GLOBAL_HEADER_SIZE.v2 : GLOBAL_HEADER_SIZE.v1;
  const vhSize = version === 2 ? VARIABLE_HEADER_SIZE.v2 : VARIABLE_HEADER_SIZE.v1;
  const varsStart = ghSize;
  const ranksStart = varsStart + vars.length * vhSize;
  const blocksStart = ranksStart + nRanks * RANK_HEADER_SIZE;
  const headerSize = blocksStart + (blocked ? nRanks * vars.length * BLOCK_HEADER_SIZE : 0);

  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fh = await open(tmp, "wx");
  let done = false;
  try {
    let offset = headerSize + CRC_SIZE;
    const rankRecords: RankRecord[] = [];
    const blockRecords: BlockRecord[] = [];
    for (let i = 0; i < nRanks; i++) {
      const item = options.ranks[i];
      const input = typeof item === "function" ? await item() : item;
      const rows = rowsOf(path, input, vars, i);
      const rank = input.rank ?? i;
      checkTriple(path, `ranks[${i}].coords`, input.coords);
      rankRecords.push({ coords: input.coords ?? [i, 0, 0], rows, start: offset, rank });
      for (const v of vars) {
        const col = input.columns[v.name];
        let bytes = new Uint8Array(col.buffer, col.byteOffset, col.byteLength);
        if (little !== HOST_LITTLE_ENDIAN && TYPE_BYTES[v.type] > 1) {
          bytes = bytes.slice();
          swapBytes(bytes, TYPE_BYTES[v.type]);
        }
        let filters: string[] = [];
        if (compress !== false && bytes.length > 0) {
          const frame = await bloscEncode(bytes, bloscOptions);
          // like the reference: a frame larger than the raw data means "store raw, no filter"
          if (frame.length <= bytes.length) {
            const payload = new Uint8Array(COMPRESS_HEADER_SIZE + frame.length);
            const orig = new Crc64().update(bytes);
            const pv = new DataView(payload.buffer);
            pv.setUint32(little ? 0 : 4, orig.lo, little);
            pv.setUint32(little ? 4 : 0, orig.hi, little);
            payload.set(frame, COMPRESS_HEADER_SIZE);
            bytes = payload;
            filters = [BLOSC_FILTER];
          }
        }
        await writeAll(fh, bytes, offset);
        await writeAll(fh, crc64Trailer(new Crc64().update(bytes)), offset + bytes.length);
        blockRecords.push({ filters, start: offset, size: bytes.length });
        offset += bytes.length + CRC_SIZE;
      }
    }

    const header = new Uint8Array(headerSize + CRC_SIZE);
    const h = new DataView(header.buffer);
    const u64 = (at: number, value: number) => h.setBigUint64(at, BigInt(value), little);
    header.set(encoder.encode(little ? MAGIC_LE : MAGIC_BE), GH.magic);
    u64(GH.headerSize, headerSize);
    u64(
      GH.nElems,
      rankRecords.reduce((s, r) => s + r.rows, 0),
    );
    const dims = options.dims ?? [nRanks, 1, 1];
    for (let k = 0; k < 3; k++) u64(GH.dims + 8 * k, dims[k]);
    u64(GH.nVars, vars.length);
    u64(GH.varsSize, vhSize);
    u64(GH.varsStart, varsStart);
    u64(GH.nRanks, nRanks);
    u64(GH.ranksSize, RANK_HEADER_SIZE);
    u64(GH.ranksStart, ranksStart);
    u64(GH.globalHeaderSize, ghSize);
    const origin = options.physOrigin ?? [0, 0, 0];
    const scale = options.physScale ?? [0, 0, 0];
    for (let k = 0; k < 3; k++) {
      h.setFloat64(GH.physOrigin + 8 * k, origin[k], little);
      h.setFloat64(GH.physScale + 8 * k, scale[k], little);
    }
    if (version === 2) {
      u64(GH.blocksSize, blocked ? BLOCK_HEADER_SIZE : 0);
      u64(GH.blocksStart, blocked ? blocksStart : 0);
    }
    vars.forEach((v, j) => {
      const at = varsStart + j * vhSize;
      header.set(encoder.encode(v.name), at);
      const f = v.flags ?? {};
      const flags =
        typeFlags(v.type) |
        (f.isPhysCoordX ? VAR_FLAG.physCoordX : 0) |
        (f.isPhysCoordY ? VAR_FLAG.physCoordY : 0) |
        (f.isPhysCoordZ ? VAR_FLAG.physCoordZ : 0) |
        (f.maybePhysGhost ? VAR_FLAG.maybePhysGhost : 0);
      u64(at + NAME_SIZE, flags);
      u64(at + NAME_SIZE + 8, TYPE_BYTES[v.type] * (v.elementCount ?? 1));
      if (version === 2) u64(at + NAME_SIZE + 16, TYPE_BYTES[v.type]);
    });
    rankRecords.forEach((r, i) => {
      const at = ranksStart + i * RANK_HEADER_SIZE;
      for (let k = 0; k < 3; k++) u64(at + 8 * k, r.coords[k]);
      u64(at + 24, r.rows);
      u64(at + 32, r.start);
      u64(at + 40, r.rank);
    });
    if (blocked) {
      blockRecords.forEach((b, k) => {
        const at = blocksStart + k * BLOCK_HEADER_SIZE;
        const filters = b.filters.slice(0, MAX_FILTERS);
        for (let f = 0; f < filters.length; f++)
          header.set(encoder.encode(filters[f]), at + f * FILTER_NAME_SIZE);
        u64(at + MAX_FILTERS * FILTER_NAME_SIZE, b.start);
        u64(at + MAX_FILTERS * FILTER_NAME_SIZE + 8, b.size);
      });
    }
    header.set(crc64Trailer(new Crc64().update(header.subarray(0, headerSize))), headerSize);
    await writeAll(fh, header, 0);
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
    done = true;
    return { path, bytes: offset, ranks: nRanks, rows: rankRecords.reduce((s, r) => s + r.rows, 0) };
  } finally {
    if (!done) {
      await fh.close().catch(() => {});
      await rm(tmp, { force: true });
    }
  }
}

async function writeAll(fh: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(
      bytes,
      done,
      Math.min(bytes.length - done, 0x40000000),
      position + done,
    );
    done += bytesWritten;
  }
}

function rowsOf(
  path: string,
  input: GenericIORankInput,
  vars: readonly GenericIOVariableSpec[],
  i: number,
): number {
  let rows: number | undefined;
  for (const v of vars) {
    const col = input.columns?.[v.name];
    const ctor = TYPE_ARRAY[v.type];
    if (!(col instanceof ctor)) {
      fail(
        path,
        "column missing or of the wrong array type",
        `ranks[${i}].columns.${v.name}`,
        ctor.name,
        col?.constructor?.name ?? "nothing",
      );
    }
    const n = v.elementCount ?? 1;
    if (col.length % n !== 0) {
      fail(
        path,
        "column length is not a multiple of elementCount",
        `ranks[${i}].columns.${v.name}`,
        `multiple of ${n}`,
        String(col.length),
      );
    }
    const r = col.length / n;
    if (rows !== undefined && r !== rows) {
      fail(
        path,
        "columns of one rank have different row counts",
        `ranks[${i}].columns.${v.name}`,
        `${rows} rows`,
        `${r} rows`,
      );
    }
    rows = r;
  }
  return rows ?? 0;
}
