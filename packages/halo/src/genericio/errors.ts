import { HaloError } from "../errors.js";

/** Base class of the GenericIO errors: the file's structures are not what the format allows. */
export class GenericIOFormatError extends HaloError {}

/** The path holds no GenericIO file: no `HACC01L` / `HACC01B` magic at byte 0. */
export class NotGenericIOError extends GenericIOFormatError {}

/** The file ends before a structure or a data block that its header promises. */
export class TruncatedFileError extends GenericIOFormatError {}

/** A data block names a filter this reader does not decode (only `BLOSC` exists in the format). */
export class UnknownFilterError extends GenericIOFormatError {}

/** Where a {@link CrcMismatchError} happened. */
export interface CrcMismatchLocation {
  /** File holding the block (for split files, the partition file `name#N`). */
  path: string;
  /** `"header"`, `"block"` (a variable's data of one rank) or `"decompressed"` (BLOSC's OrigCRC). */
  what: "header" | "block" | "decompressed";
  /** Global rank of the block (absent for the header). */
  rank?: number;
  /** Variable of the block (absent for the header). */
  variable?: string;
  /** Index of the block in the file's block table (rank index × variables + variable index). */
  blockIndex?: number;
  /** Byte offset of the checked bytes in the file. */
  offset: number;
  /** Number of checked bytes (without the 8-byte trailer). */
  size: number;
  /** Checksum stored in the file, 16 hex digits. */
  stored: string;
  /** Checksum computed from the bytes read, 16 hex digits. */
  computed: string;
}

/**
 * A CRC-64 check failed: the header, a data block, or a BLOSC block's decompressed data does not
 * match its stored checksum. The file is corrupt (or was changed after writing); re-copy or
 * re-generate it, or open it with `verifyCrc: false` to read it anyway.
 */
export class CrcMismatchError extends GenericIOFormatError {
  /** Where the mismatch happened. */
  readonly location: CrcMismatchLocation;
  /** Global rank of the block (absent for the header). */
  readonly rank?: number;
  /** Variable of the block (absent for the header). */
  readonly variable?: string;

  constructor(location: CrcMismatchLocation) {
    const where =
      location.what === "header"
        ? "header"
        : `${location.what === "decompressed" ? "decompressed data of " : ""}variable "${location.variable}" of rank ${location.rank}`;
    super(`CRC-64 mismatch in the ${where} (corrupt file; re-copy it, or read with verifyCrc: false)`, {
      path: location.path,
      block: location.blockIndex,
      field:
        location.what === "header"
          ? `header (bytes 0..${location.size})`
          : `rank ${location.rank} variable ${location.variable} (bytes ${location.offset}..${location.offset + location.size})`,
      expected: location.stored,
      found: location.computed,
    });
    this.location = location;
    this.rank = location.rank;
    this.variable = location.variable;
  }
}

/** A write request the format cannot hold (bad types, mismatched column lengths, duplicate names…). */
export class GenericIOWriteError extends HaloError {}

/** A read request names a variable or a rank the file does not have. */
export class GenericIORequestError extends HaloError {}

/** A file of the data set does not exist: the path given, or a partition `name#N` its rank map names. */
export class MissingFileError extends HaloError {}
