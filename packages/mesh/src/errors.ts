/** What a {@link MeshError} reports: the file, the field, what was expected and what was found. */
export interface MeshErrorDetails {
  /** File or folder the error is about. */
  path?: string;
  /** Field, option or key at fault (e.g. `dtype`, `labels`, `sharding.hash`). */
  field?: string;
  /** What was expected there. */
  expected?: string;
  /** What was found instead. */
  found?: string;
  /** Underlying error, when there is one. */
  cause?: unknown;
}

/** Base class of every error raised by `@tessera/mesh`; its message names path, field, expected and found. */
export class MeshError extends Error {
  readonly path?: string;
  readonly field?: string;
  readonly expected?: string;
  readonly found?: string;

  constructor(summary: string, details: MeshErrorDetails = {}) {
    const parts = [summary];
    if (details.path !== undefined) parts.push(`path: ${details.path}`);
    if (details.field !== undefined) parts.push(`field: ${details.field}`);
    if (details.expected !== undefined) parts.push(`expected: ${details.expected}`);
    if (details.found !== undefined) parts.push(`found: ${details.found}`);
    super(parts.join("; "), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.path = details.path;
    this.field = details.field;
    this.expected = details.expected;
    this.found = details.found;
  }
}

/** The label volume cannot be meshed: wrong dtype, wrong size, empty, or a bad option. */
export class InvalidLabelsError extends MeshError {}

/** A requested label id does not occur in the volume. */
export class LabelNotFoundError extends MeshError {}

/** A mesh file or Neuroglancer precomputed folder that cannot be read as the format says. */
export class MeshFormatError extends MeshError {}

/** Writing meshes failed (e.g. a shard would be written empty). */
export class MeshWriteError extends MeshError {}
