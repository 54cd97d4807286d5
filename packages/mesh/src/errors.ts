import { TesseraError, type TesseraErrorDetails } from "@tessera/volume";

/** What a {@link MeshError} reports: the file, the field, what was expected and what was found. */
export type MeshErrorDetails = TesseraErrorDetails;

/** Base class of every error raised by `@tessera/mesh`; its message names path, field, expected and found. */
export class MeshError extends TesseraError {}

/** The label volume cannot be meshed: wrong dtype, wrong size, empty, or a bad option. */
export class InvalidLabelsError extends MeshError {}

/** A requested label id does not occur in the volume. */
export class LabelNotFoundError extends MeshError {}

/** A mesh file or Neuroglancer precomputed folder that cannot be read as the format says. */
export class MeshFormatError extends MeshError {}

/** Writing meshes failed (e.g. a shard would be written empty). */
export class MeshWriteError extends MeshError {}

/** Options of a mesh command contradict each other or do not fit the input (e.g. `--sharded` without `--format precomputed`). */
export class MeshOptionsError extends MeshError {}

/**
 * The estimated output of `tessera mesh` is over the limit (`--max-output`, default 1 GiB): the input is
 * probably an image rather than labels. `--force` meshes it anyway.
 */
export class OutputTooLargeError extends MeshError {}

/** `tessera serve` cannot listen on the address asked for (port in use, address not of this machine, …). */
export class ServeBindError extends MeshError {}
