/** What a {@link TesseraError} reports: the file, the block, the field, what was expected and what was found. */
export interface TesseraErrorDetails {
  /** File or folder the error is about. */
  path?: string;
  /** Block id, when the error happened inside a blockwise task. */
  block?: number;
  /** Field, option or key at fault (e.g. `dtype`, `compressor.id`, `chunk 0.1.2`). */
  field?: string;
  /** What was expected there. */
  expected?: string;
  /** What was found instead. */
  found?: string;
  /** Underlying error, when there is one. */
  cause?: unknown;
}

/** Details of a {@link VolumeError} (the common {@link TesseraErrorDetails}). */
export type VolumeErrorDetails = TesseraErrorDetails;

/**
 * Base class of the typed errors of every Tessera stage: the message is the summary followed by
 * `path: …; block: …; field: …; expected: …; found: …` for the details given, and each detail is
 * also a property, so a CLI or a workflow task can report it without parsing.
 */
export class TesseraError extends Error {
  readonly path?: string;
  readonly block?: number;
  readonly field?: string;
  readonly expected?: string;
  readonly found?: string;
  /** Exit status of a CLI that stops on this error: bad input (see `ExitCode` in `@tessera/cli`). */
  readonly exitStatus: number = 2;

  constructor(summary: string, details: TesseraErrorDetails = {}) {
    const parts = [summary];
    if (details.path !== undefined) parts.push(`path: ${details.path}`);
    if (details.block !== undefined) parts.push(`block: ${details.block}`);
    if (details.field !== undefined) parts.push(`field: ${details.field}`);
    if (details.expected !== undefined) parts.push(`expected: ${details.expected}`);
    if (details.found !== undefined) parts.push(`found: ${details.found}`);
    super(parts.join("; "), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.path = details.path;
    this.block = details.block;
    this.field = details.field;
    this.expected = details.expected;
    this.found = details.found;
  }
}

/** Base class of every error raised by `@tessera/volume`. */
export class VolumeError extends TesseraError {}

/** The path holds no zarr v2 array (no `.zarray`, unreadable or invalid metadata). */
export class NotAZarrArrayError extends VolumeError {}

/** The array's dtype is not one Tessera reads or writes. */
export class UnsupportedDtypeError extends VolumeError {}

/** The compressor (or a filter) is not one Tessera can encode or decode. */
export class UnsupportedCompressorError extends VolumeError {}

/** A box reaches outside the volume or has the wrong number of dimensions. */
export class BoxOutOfBoundsError extends VolumeError {}

/** Data handed to a write (or an import) does not have the shape or size it must have. */
export class ShapeMismatchError extends VolumeError {}

/** A stored chunk cannot be decoded, or decodes to the wrong number of bytes. */
export class CorruptChunkError extends VolumeError {}

/** Input files (image stacks, HDF5) that cannot be read as asked. */
export class InvalidInputError extends VolumeError {}

/**
 * An HDF5 dataset's filter pipeline holds a filter Tessera cannot decode (neither h5wasm's built-in
 * filters nor Tessera's own decoders): raised when the dataset is opened, before any data is read.
 */
export class UnsupportedHdf5FilterError extends UnsupportedCompressorError {
  /** Dataset name inside the file. */
  readonly dataset: string;
  /** HDF5 filter id (e.g. 32001 for blosc). */
  readonly filterId: number;
  /** Filter name (the registered name for known ids, else the name stored in the file). */
  readonly filterName: string;

  constructor(
    summary: string,
    details: TesseraErrorDetails & { dataset: string; filterId: number; filterName: string },
  ) {
    super(summary, details);
    this.dataset = details.dataset;
    this.filterId = details.filterId;
    this.filterName = details.filterName;
  }
}

/** An HDF5 file's structures (object header, chunk index) cannot be read: corrupt, or a layout Tessera does not parse. */
export class Hdf5FormatError extends InvalidInputError {}

/** An output (file or folder) already exists and the writer was not told to replace it (`--overwrite`). */
export class OutputExistsError extends TesseraError {}

/** Nothing exists at a path that must name an input (a volume, a stack, an HDF5 file). */
export class PathNotFoundError extends VolumeError {}

/** A file given as HDF5 does not carry the HDF5 signature (at byte 0, 512, 1024, 2048, …). */
export class NotAnHdf5FileError extends InvalidInputError {}
