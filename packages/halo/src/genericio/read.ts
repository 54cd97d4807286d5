/**
 * Reading GenericIO data sets: plain and blocked files, BLOSC blocks, vector variables, both header
 * generations, both byte orders, and split data sets (a rank map file plus `name#N` partitions).
 */
import { availableParallelism } from "node:os";
import { HOST_LITTLE_ENDIAN } from "./byteswap.js";
import {
  CrcMismatchError,
  GenericIOFormatError,
  GenericIORequestError,
  TruncatedFileError,
} from "./errors.js";
import {
  type ByteOrder,
  type GenericIOArray,
  type RankHeader,
  TYPE_ARRAY,
  type VariableInfo,
} from "./format.js";
import { readBlocksInWorkers, type WorkerBlockJob } from "./parallel.js";
import { type BlockLocation, PartFile } from "./part-file.js";

/** Options of {@link openGenericIO}. */
export interface OpenGenericIOOptions {
  /** Check the CRC-64 of the header and of every block read (default true). */
  verifyCrc?: boolean;
}

/** A rank of a data set. */
export interface GenericIORank {
  /** Global rank number. */
  rank: number;
  /** Rows (particles, halos…) of the rank. */
  rows: number;
  /** Cartesian coordinates of the rank in the decomposition. */
  coords: [number, number, number];
  /** File holding the rank (the partition file for split data sets). */
  path: string;
  /** Position of the rank in that file's rank table. */
  indexInFile: number;
}

/** One variable of one rank, as yielded by {@link GenericIOFile.blocks}. */
export interface GenericIOBlock {
  rank: number;
  variable: VariableInfo;
  /** Values, `rows × elementCount` of them (vector rows interleaved). */
  data: GenericIOArray;
}

interface RankEntry {
  info: GenericIORank;
  file: PartFile;
  header: RankHeader;
}

/** An open GenericIO data set. Close it with {@link GenericIOFile.close}. */
export class GenericIOFile {
  /** Path given to {@link openGenericIO} (the rank map for split data sets). */
  readonly path: string;
  /** Byte order of the data files. */
  readonly byteOrder: ByteOrder;
  /** Variables, in file order. */
  readonly variables: readonly VariableInfo[];
  /** Ranks, in global rank order. */
  readonly ranks: readonly GenericIORank[];
  /** Sum of the ranks' rows. */
  readonly totalRows: number;
  /** Decomposition (ranks along x, y, z). */
  readonly dims: [number, number, number];
  /** Physical origin of the box. */
  readonly physOrigin: [number, number, number];
  /** Physical size of the box. */
  readonly physScale: [number, number, number];
  /** True when the data files have block headers. */
  readonly blocked: boolean;
  /** True when some block is BLOSC-compressed. */
  readonly compressed: boolean;
  /** Header generation of the data files: global and variable header sizes (168/280 current, 152/272 first). */
  readonly headerSizes: { global: number; variable: number };
  /** Partition files of a split data set (empty for a single file). */
  readonly partitionFiles: readonly string[];
  /** Whether CRCs are checked. */
  readonly verifyCrc: boolean;
  readonly #files: PartFile[];
  readonly #ranks: Map<number, RankEntry>;

  /** @internal Use {@link openGenericIO}. */
  constructor(path: string, files: PartFile[], entries: RankEntry[], split: boolean, verifyCrc: boolean) {
    this.path = path;
    this.#files = files;
    this.verifyCrc = verifyCrc;
    const first = files[0].header;
    this.byteOrder = first.byteOrder;
    this.variables = first.variables;
    this.ranks = entries.map((e) => e.info);
    this.#ranks = new Map(entries.map((e) => [e.info.rank, e]));
    this.totalRows = entries.reduce((s, e) => s + e.info.rows, 0);
    this.dims = first.dims;
    this.physOrigin = first.physOrigin;
    this.physScale = first.physScale;
    this.blocked = files.some((f) => f.header.blocks !== undefined);
    this.compressed = files.some((f) => f.header.blocks?.some((b) => b.filters.length > 0) ?? false);
    this.headerSizes = { global: first.globalHeaderSize, variable: first.variableHeaderSize };
    this.partitionFiles = split ? files.map((f) => f.path) : [];
  }

  /** The variable called `name`, or throw {@link GenericIORequestError}. */
  variable(name: string): VariableInfo {
    const v = this.variables.find((x) => x.name === name);
    if (v === undefined) {
      throw new GenericIORequestError("no such variable", {
        path: this.path,
        field: "variable",
        expected: this.variables.map((x) => x.name).join(", "),
        found: name,
      });
    }
    return v;
  }

  #rank(rank: number): RankEntry {
    const e = this.#ranks.get(rank);
    if (e === undefined) {
      throw new GenericIORequestError("no such rank", {
        path: this.path,
        field: "rank",
        expected: `one of the ${this.ranks.length} ranks (${this.ranks.map((r) => r.rank).join(", ")})`,
        found: String(rank),
      });
    }
    return e;
  }

  #index(entry: RankEntry, name: string): number {
    const j = entry.file.header.variables.findIndex((x) => x.name === name);
    if (j < 0) this.variable(name);
    return j;
  }

  async #readInto(entry: RankEntry, name: string, target: Uint8Array): Promise<void> {
    await entry.file.readBlock(entry.header, this.#index(entry, name), target);
  }

  /**
   * Values of one variable: of one rank, or of every rank concatenated in rank order. 64-bit
   * integers come as BigInt64Array/BigUint64Array; vector variables as `rows × elementCount`
   * values, interleaved (x0 y0 z0 w0 x1 …). With `into` (an array of the variable's type, at least
   * that long) the values are read into it and a view of the filled part is returned: reusing
   * buffers avoids the cost of fresh memory, which dominates on some machines.
   */
  async readColumn(
    name: string,
    options: { rank?: number; into?: GenericIOArray } = {},
  ): Promise<GenericIOArray> {
    const v = this.variable(name);
    const entries = options.rank === undefined ? [...this.#ranks.values()] : [this.#rank(options.rank)];
    const rows = entries.reduce((s, e) => s + e.info.rows, 0);
    const length = rows * v.elementCount;
    let out: GenericIOArray;
    if (options.into !== undefined) {
      const into = options.into;
      if (!(into instanceof TYPE_ARRAY[v.type]) || into.length < length) {
        throw new GenericIORequestError("the array to read into does not fit the variable", {
          path: this.path,
          field: `into (variable ${name})`,
          expected: `${TYPE_ARRAY[v.type].name} of >= ${length} values`,
          found: `${into.constructor.name} of ${into.length} values`,
        });
      }
      out = into.subarray(0, length);
    } else {
      out = new TYPE_ARRAY[v.type](new ArrayBuffer(rows * v.size), 0, length);
    }
    let offset = out.byteOffset;
    for (const e of entries) {
      const bytes = e.info.rows * v.size;
      await this.#readInto(e, name, new Uint8Array(out.buffer, offset, bytes));
      offset += bytes;
    }
    return out;
  }

  /**
   * Several variables (default: all) of every rank, concatenated in rank order, read on worker
   * threads when the data are large: `threads` (default: the machine's parallelism, at most 8, once
   * the columns reach `minParallelBytes`, default 64 MiB) workers read and CRC-check uncompressed
   * blocks into SharedArrayBuffer-backed arrays. Compressed data sets and small reads take the
   * single-thread path ({@link readColumn}). Errors are the same typed errors.
   */
  async readColumns(
    names?: readonly string[],
    options: { threads?: number; minParallelBytes?: number } = {},
  ): Promise<Record<string, GenericIOArray>> {
    const vars = (names ?? this.variables.map((x) => x.name)).map((n) => this.variable(n));
    const entries = [...this.#ranks.values()];
    const bytes = vars.reduce((s, v) => s + v.size * this.totalRows, 0);
    const threads = Math.max(1, Math.floor(options.threads ?? Math.min(availableParallelism(), 8)));
    const out: Record<string, GenericIOArray> = {};
    if (threads === 1 || this.compressed || bytes < (options.minParallelBytes ?? 64 * 1024 * 1024)) {
      for (const v of vars) out[v.name] = await this.readColumn(v.name);
      return out;
    }
    const swap = (this.byteOrder === "little") !== HOST_LITTLE_ENDIAN;
    const outputs = vars.map((v) => new SharedArrayBuffer(v.size * this.totalRows));
    const jobs: WorkerBlockJob[] = [];
    const where: { entry: RankEntry; j: number; loc: BlockLocation }[] = [];
    vars.forEach((v, k) => {
      let offset = 0;
      for (const e of entries) {
        const j = this.#index(e, v.name);
        const loc = e.file.locate(e.header, j);
        const size = e.info.rows * v.size;
        if (size > 0) {
          jobs.push({
            path: e.file.path,
            start: loc.start,
            size,
            output: k,
            offset,
            swap: swap ? v.elementSize : 0,
          });
          where.push({ entry: e, j, loc });
        }
        offset += size;
      }
    });
    const results = await readBlocksInWorkers(jobs, outputs, threads, this.verifyCrc);
    results.forEach((r, i) => {
      if (r?.ok) return;
      const { entry, j, loc } = where[i];
      const variable = entry.file.header.variables[j].name;
      if (r?.kind === "crc") {
        throw new CrcMismatchError({
          path: entry.file.path,
          what: "block",
          rank: entry.info.rank,
          variable,
          blockIndex: loc.index,
          offset: loc.start,
          size: loc.size,
          stored: r.stored,
          computed: r.computed,
        });
      }
      if (r?.kind === "truncated") {
        throw new TruncatedFileError("GenericIO file truncated: a data block reaches past its end", {
          path: entry.file.path,
          block: loc.index,
          field: `rank ${entry.info.rank} variable ${variable}`,
          expected: `${loc.start + loc.size + 8} bytes`,
          found: `${r.got} bytes`,
        });
      }
      throw new GenericIOFormatError("a read worker failed", {
        path: entry.file.path,
        block: loc.index,
        field: `rank ${entry.info.rank} variable ${variable}`,
        found: r?.kind === "error" ? r.message : "no result",
      });
    });
    vars.forEach((v, k) => {
      out[v.name] = new TYPE_ARRAY[v.type](outputs[k], 0, this.totalRows * v.elementCount);
    });
    return out;
  }

  /** Several variables (default: all) of one rank, by name. */
  async readRank(rank: number, names?: readonly string[]): Promise<Record<string, GenericIOArray>> {
    const out: Record<string, GenericIOArray> = {};
    for (const name of names ?? this.variables.map((x) => x.name))
      out[name] = await this.readColumn(name, { rank });
    return out;
  }

  /**
   * Every block (one variable of one rank) in rank order, then variable order; only one block is
   * held at a time, so memory stays bounded by the largest block.
   */
  async *blocks(
    options: { variables?: readonly string[]; ranks?: readonly number[] } = {},
  ): AsyncGenerator<GenericIOBlock> {
    const names = options.variables ?? this.variables.map((x) => x.name);
    for (const n of names) this.variable(n);
    const ranks = options.ranks ?? this.ranks.map((r) => r.rank);
    for (const rank of ranks) {
      for (const name of names) {
        yield { rank, variable: this.variable(name), data: await this.readColumn(name, { rank }) };
      }
    }
  }

  /** Close the files (idempotent). */
  async close(): Promise<void> {
    await Promise.all(this.#files.map((f) => f.close()));
  }
}

function sameLayout(a: PartFile, b: PartFile): boolean {
  const va = a.header.variables;
  const vb = b.header.variables;
  return (
    va.length === vb.length &&
    va.every((v, i) => v.name === vb[i].name && v.type === vb[i].type && v.size === vb[i].size)
  );
}

/**
 * Open a GenericIO data set: a single file, or a rank map whose `$partition` column names the
 * partition files `path#N` holding the ranks. The header (and, with `verifyCrc`, its CRC) is checked
 * at once; data are read on demand.
 */
export async function openGenericIO(
  path: string,
  options: OpenGenericIOOptions = {},
): Promise<GenericIOFile> {
  const verifyCrc = options.verifyCrc ?? true;
  const main = await PartFile.open(path, verifyCrc);
  const isMap = main.header.variables.some((v) => v.name === "$partition");
  if (!isMap) {
    const entries = main.header.ranks.map((h) => ({
      header: h,
      file: main,
      info: { rank: h.rank, rows: h.rows, coords: h.coords, path, indexInFile: h.index },
    }));
    return new GenericIOFile(path, [main], entries, false, verifyCrc);
  }
  const mapEntries = main.header.ranks.map((h) => ({
    header: h,
    file: main,
    info: { rank: h.rank, rows: h.rows, coords: h.coords, path, indexInFile: h.index },
  }));
  const mapFile = new GenericIOFile(path, [main], mapEntries, false, verifyCrc);
  let partitions: GenericIOArray;
  try {
    partitions = await mapFile.readColumn("$partition");
  } finally {
    await main.close();
  }
  const files = new Map<number, PartFile>();
  const entries: RankEntry[] = [];
  try {
    for (let rank = 0; rank < partitions.length; rank++) {
      const p = Number(partitions[rank]);
      let file = files.get(p);
      if (file === undefined) {
        file = await PartFile.open(
          `${path}#${p}`,
          verifyCrc,
          `partition file of rank ${rank} (rank map ${path})`,
        );
        const firstFile = files.values().next().value;
        if (firstFile !== undefined && !sameLayout(firstFile, file)) {
          throw new GenericIOFormatError("partition files have different variables", {
            path: file.path,
            expected: firstFile.header.variables.map((v) => `${v.name}:${v.type}`).join(","),
            found: file.header.variables.map((v) => `${v.name}:${v.type}`).join(","),
          });
        }
        files.set(p, file);
      }
      const h = file.header.ranks.find((r) => r.rank === rank);
      if (h === undefined) {
        throw new GenericIOFormatError("rank map names a partition that does not hold the rank", {
          path: file.path,
          field: "GlobalRank",
          expected: String(rank),
          found: file.header.ranks.map((r) => r.rank).join(","),
        });
      }
      entries.push({
        header: h,
        file,
        info: { rank, rows: h.rows, coords: h.coords, path: file.path, indexInFile: h.index },
      });
    }
  } catch (e) {
    await Promise.all([...files.values()].map((f) => f.close()));
    throw e;
  }
  if (files.size === 0) {
    throw new GenericIOFormatError("rank map lists no ranks", { path, field: "$partition", found: "0 rows" });
  }
  return new GenericIOFile(path, [...files.values()], entries, true, verifyCrc);
}
