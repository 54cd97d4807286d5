/**
 * A catalog opened from its config: standard quantities (mapped, constant, derived) read chunk by
 * chunk from all the files of its pattern, only the columns needed, filters applied per chunk.
 */
import { type CatalogConfig, loadCatalogConfig } from "./config.js";
import {
  CatalogColumnError,
  CatalogConfigError,
  CatalogError,
  CatalogFileError,
  type ConfigLocation,
  UnknownQuantityError,
} from "./errors.js";
import { type CompiledExpression, compileExpression, type ExpressionColumn } from "./expression.js";
import { expandPattern } from "./glob.js";
import { closestNames, type QuantityInfo } from "./quantities.js";
import { CsvLineError, openCsvSource } from "./readers/csv.js";
import { openGenericIOSource } from "./readers/genericio.js";
import { openHdf5Source } from "./readers/hdf5.js";
import type { ColumnRequest, ColumnSource, NativeArray } from "./readers/source.js";
import { openZarrSource } from "./readers/zarr.js";
import { type MappedQuantity, type ResolvedCatalog, resolveCatalog, symbolOf } from "./resolve.js";
import { type Dimension, formatDimension } from "./units.js";

/** A chunk: quantity name → values in the standard unit (ids exact as BigInt64Array, flags Int32Array). */
export type CatalogChunk = Record<string, Float64Array | Int32Array | BigInt64Array>;

/** Options of {@link Catalog.iterate}. */
export interface IterateOptions {
  /** Quantities to deliver (standard, mapped or derived names). */
  quantities: readonly string[];
  /** Extra filters (boolean expressions), ANDed with the config's. */
  filters?: readonly string[];
  /** Rows per chunk before filtering, at most (default 65536). */
  chunkRows?: number;
}

/** What a catalog says about one of its quantities. */
export interface QuantityDescription {
  name: string;
  /** `column` (native column), `constant` (per file), `derived` (expression). */
  source: "column" | "constant" | "derived";
  /** Standard unit name (`undefined` for derived quantities: see `dimension`). */
  unit?: string;
  dimension: string;
  /** Native column or expression. */
  from: string;
}

const DEFAULT_CHUNK_ROWS = 65536;

/** An opened catalog. Create it with {@link openCatalog}. */
export class Catalog {
  readonly config: CatalogConfig;
  /** Data files, in natural order. */
  readonly files: readonly string[];
  readonly #resolved: ResolvedCatalog;

  /** Use {@link openCatalog}. */
  constructor(config: CatalogConfig, files: readonly string[], resolved: ResolvedCatalog) {
    this.config = config;
    this.files = files;
    this.#resolved = resolved;
  }

  /** Names of the quantities the catalog has (mapped, constant and derived). */
  get quantities(): string[] {
    return [...this.#resolved.quantities.keys()];
  }

  /** Description of the quantity `name`, or undefined. */
  describe(name: string): QuantityDescription | undefined {
    const q = this.#resolved.quantities.get(name);
    if (!q) return undefined;
    if (q.kind === "derived") {
      const dims = q.dims;
      return {
        name,
        source: "derived",
        dimension: dims ? formatDimension(dims) : "dimensionless",
        from: q.expression.source,
      };
    }
    return {
      name,
      source: q.kind,
      unit: q.info.unit.name,
      dimension: formatDimension(q.info.unit.dims),
      from:
        q.kind === "column" ? q.column : `config ${this.config.values.redshifts ? "redshifts" : "redshift"}`,
    };
  }

  /**
   * Iterate over the catalog: chunks of at most `chunkRows` rows (fewer where a file or a GenericIO
   * rank ends, and after filtering; empty chunks are skipped) holding the requested quantities.
   * Only the native columns that the quantities, derived quantities and filters need are read.
   * Memory: one chunk of those columns (plus one GenericIO rank of them, for GenericIO files).
   * @throws UnknownQuantityError / ExpressionError / UnitError for bad requests (located at
   *   `iterate.quantities[i]` / `iterate.filters[i]`), CatalogColumnError / CatalogFileError for data.
   */
  async *iterate(options: IterateOptions): AsyncGenerator<CatalogChunk> {
    const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
    const loc = (key: string): ConfigLocation => ({ file: this.config.file, key });
    if (!Number.isInteger(chunkRows) || chunkRows < 1) {
      throw new CatalogError("chunkRows must be a positive integer", {
        ...loc("iterate.chunkRows"),
        expected: "an integer ≥ 1",
        found: String(chunkRows),
      });
    }
    const all = this.#resolved.quantities;
    options.quantities.forEach((name, i) => {
      if (!all.has(name)) {
        throw new UnknownQuantityError(`the catalog has no quantity ${JSON.stringify(name)}`, {
          ...loc(`iterate.quantities[${i}]`),
          expected: `one of ${this.quantities.join(", ")} (closest: ${closestNames(name, all.keys()).join(", ")})`,
          found: name,
        });
      }
    });
    const symbols = (n: string) => {
      const q = all.get(n);
      return q ? symbolOf(q) : undefined;
    };
    const filters: CompiledExpression[] = [
      ...this.#resolved.filters,
      ...(options.filters ?? []).map((f, i) =>
        compileExpression(f, symbols, "boolean", loc(`iterate.filters[${i}]`), () => all.keys()),
      ),
    ];
    // Quantities to compute, in dependency order (derived ones after what they read).
    const order: string[] = [];
    const visit = (n: string) => {
      if (order.includes(n)) return;
      const q = all.get(n);
      if (q?.kind === "derived") for (const s of q.expression.symbols) visit(s);
      order.push(n);
    };
    for (const n of options.quantities) visit(n);
    for (const f of filters) for (const s of f.symbols) visit(s);
    const mapped = order.map((n) => all.get(n)).filter((q): q is MappedQuantity => q?.kind === "column");
    const requests: ColumnRequest[] = [];
    for (const q of mapped) {
      if (!requests.some((r) => r.name === q.column))
        requests.push({ name: q.column, bigint: q.info.type === "i64" });
    }
    const mask = new Uint8Array(chunkRows);
    const scratch = new Uint8Array(chunkRows);
    for (let f = 0; f < this.files.length; f++) {
      const source = await this.#open(this.files[f]);
      try {
        this.#checkColumns(source, mapped);
        const chunks = requests.length > 0 ? source.chunks(requests, chunkRows) : emptyChunks();
        for (;;) {
          let next: IteratorResult<Record<string, NativeArray>>;
          try {
            next = await chunks.next();
          } catch (error) {
            throw this.#dataError(error, source.path);
          }
          if (next.done) break;
          const raw = next.value;
          const n = requests.length > 0 ? raw[requests[0].name].length : 0;
          if (n === 0) continue;
          const cols = new Map<string, ExpressionColumn>();
          for (const name of order) {
            const q = all.get(name);
            if (q?.kind === "column") cols.set(name, convert(raw[q.column], q.info, q.factor));
            else if (q?.kind === "constant")
              cols.set(name, new Float64Array(n).fill(q.values[q.values.length === 1 ? 0 : f]));
            else if (q?.kind === "derived") {
              const out = new Float64Array(n);
              q.expression.evaluate(
                q.expression.symbols.map((s) => cols.get(s) as ExpressionColumn),
                n,
                out,
              );
              cols.set(name, out);
            }
          }
          let kept = n;
          if (filters.length > 0) {
            mask.fill(1, 0, n);
            for (const flt of filters) {
              flt.evaluate(
                flt.symbols.map((s) => cols.get(s) as ExpressionColumn),
                n,
                scratch,
              );
              for (let i = 0; i < n; i++) mask[i] &= scratch[i];
            }
            kept = 0;
            for (let i = 0; i < n; i++) kept += mask[i];
          }
          if (kept === 0) continue;
          const chunk: CatalogChunk = {};
          const compacted = new Map<unknown, Float64Array | Int32Array | BigInt64Array>();
          for (const name of options.quantities) {
            const col = cols.get(name) as Float64Array | Int32Array | BigInt64Array;
            let out = kept === n ? col : compacted.get(col);
            if (out === undefined) compacted.set(col, (out = compact(col, mask, n, kept)));
            chunk[name] = out;
          }
          yield chunk;
        }
      } finally {
        await source.close();
      }
    }
  }

  /** Open data file `path` with the config's reader; open failures become {@link CatalogFileError}. */
  async #open(path: string): Promise<ColumnSource> {
    const v = this.config.values;
    try {
      switch (v.reader) {
        case "genericio":
          return await openGenericIOSource(path, { verifyCrc: v.genericio?.verifyCrc });
        case "csv":
          return await openCsvSource(path, { delimiter: v.csv?.delimiter, comment: v.csv?.comment });
        case "zarr":
          return await openZarrSource(path);
        case "hdf5":
          return await openHdf5Source(path, { group: v.hdf5?.group });
      }
    } catch (error) {
      throw new CatalogFileError(`a data file cannot be opened by the ${v.reader} reader`, {
        ...this.config.locate(["files"]),
        dataFile: path,
        expected: `a ${v.reader} catalog`,
        found: (error as Error).message,
        cause: error,
      });
    }
  }

  #checkColumns(source: ColumnSource, mapped: readonly MappedQuantity[]): void {
    const names = source.columnNames();
    for (const q of mapped) {
      if (!names.includes(q.column)) {
        throw new CatalogColumnError(
          `column ${JSON.stringify(q.column)} of ${q.info.name} is not in a data file`,
          {
            ...this.config.locate(q.key),
            dataFile: source.path,
            expected: `one of ${names.slice(0, 20).join(", ")}${names.length > 20 ? ", …" : ""}`,
            found: q.column,
          },
        );
      }
    }
  }

  #dataError(error: unknown, dataFile: string): Error {
    if (error instanceof CatalogError) return error;
    const line = error instanceof CsvLineError ? ` (data file line ${error.line})` : "";
    return new CatalogColumnError(`a data file cannot be read${line}`, {
      ...this.config.locate(["files"]),
      dataFile,
      expected: "columns of the same length and type as the config says",
      found: (error as Error).message,
      cause: error,
    });
  }

  /** Check that every data file opens and has every mapped column (done by {@link openCatalog}). */
  async check(): Promise<void> {
    const mapped = [...this.#resolved.quantities.values()].filter(
      (q): q is MappedQuantity => q.kind === "column",
    );
    for (const file of this.files) {
      const source = await this.#open(file);
      try {
        this.#checkColumns(source, mapped);
      } finally {
        await source.close();
      }
    }
  }

  /** Dimension of a quantity (standard units), for callers building their own expressions. */
  dimensionOf(name: string): Dimension | undefined {
    const q = this.#resolved.quantities.get(name);
    return q ? symbolOf(q).dims : undefined;
  }
}

async function* emptyChunks(): AsyncGenerator<Record<string, NativeArray>> {}

/** A native column as its standard quantity: float64 × factor, exact int64 ids, int32 flags. */
function convert(
  a: NativeArray,
  info: QuantityInfo,
  factor: number,
): Float64Array | Int32Array | BigInt64Array {
  const n = a.length;
  if (info.type === "i64") {
    if (a instanceof BigInt64Array) return a;
    if (a instanceof BigUint64Array) return new BigInt64Array(a.buffer, a.byteOffset, n);
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = BigInt(Math.trunc(Number(a[i])));
    return out;
  }
  if (info.type === "i32") {
    if (a instanceof Int32Array) return a;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = Number(a[i]);
    return out;
  }
  if (a instanceof Float64Array && factor === 1) return a;
  const out = new Float64Array(n);
  if (a instanceof BigInt64Array || a instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) out[i] = Number(a[i]) * factor;
  } else if (factor === 1) out.set(a);
  else for (let i = 0; i < n; i++) out[i] = a[i] * factor;
  return out;
}

/** Move the rows where `mask` is 1 to the front (in place) and return a view of them. */
function compact<T extends Float64Array | Int32Array | BigInt64Array>(
  col: T,
  mask: Uint8Array,
  n: number,
  kept: number,
): T {
  let k = 0;
  for (let i = 0; i < n; i++) if (mask[i]) col[k++] = col[i];
  return col.subarray(0, kept) as T;
}

/**
 * Open the catalog described by the config at `configPath` (or an already loaded config): validate
 * the config, resolve quantities, units, derived quantities and filters, expand the file pattern
 * and check that every file opens and holds every mapped column.
 * @throws the typed errors of {@link loadCatalogConfig} and {@link resolveCatalog};
 *   CatalogFileError when the pattern matches nothing or a file cannot be opened;
 *   CatalogColumnError when a file lacks a mapped column; CatalogConfigError when `redshifts`
 *   does not have one value per file.
 */
export async function openCatalog(configPath: string | CatalogConfig): Promise<Catalog> {
  const config = typeof configPath === "string" ? await loadCatalogConfig(configPath) : configPath;
  const resolved = resolveCatalog(config);
  const patterns = Array.isArray(config.values.files) ? config.values.files : [config.values.files];
  const files: string[] = [];
  for (const [i, p] of patterns.entries()) {
    const found = await expandPattern(config.dir, p);
    if (found.length === 0) {
      throw new CatalogFileError("the file pattern matches no file", {
        ...config.locate(Array.isArray(config.values.files) ? ["files", i] : ["files"]),
        expected: `files matching ${p} (relative to ${config.dir})`,
        found: "no file",
      });
    }
    for (const f of found) if (!files.includes(f)) files.push(f);
  }
  const z = config.values.redshifts;
  if (z !== undefined && z.length !== files.length) {
    throw new CatalogConfigError("redshifts needs one value per file", {
      ...config.locate(["redshifts"]),
      expected: `${files.length} values (files: ${files.map((f) => f.split("/").pop()).join(", ")})`,
      found: `${z.length} values`,
    });
  }
  const catalog = new Catalog(config, files, resolved);
  await catalog.check();
  return catalog;
}
