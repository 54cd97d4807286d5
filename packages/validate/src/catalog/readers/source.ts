/** What a catalog reader gives: native columns of one data file, read chunk by chunk. */

/** A native column's values (any numeric typed array; 64-bit integers as BigInt arrays). */
export type NativeArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** A column to read and how a text reader should parse it (binary readers keep the stored type). */
export interface ColumnRequest {
  name: string;
  /** Parse as an exact 64-bit integer (CSV); binary readers ignore it. */
  bigint: boolean;
}

/** One data file of a catalog, opened by a reader. */
export interface ColumnSource {
  /** The data file. */
  readonly path: string;
  /** Names of the native columns the file has. */
  columnNames(): readonly string[];
  /**
   * The requested columns, `chunkRows` rows at a time (fewer at the end of the file or of a
   * GenericIO rank): every array of a chunk has the same length and is fresh (the caller may keep
   * or modify it). Only the requested columns are read.
   */
  chunks(columns: readonly ColumnRequest[], chunkRows: number): AsyncGenerator<Record<string, NativeArray>>;
  /** Release the file. */
  close(): Promise<void>;
}
