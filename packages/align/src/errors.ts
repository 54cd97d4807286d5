import { TesseraError } from "@tessera/volume/errors";

/** Base class of the errors of `@tessera/align`. */
export class AlignError extends TesseraError {}

/** A section or an option is not what alignment needs (size, values, range). */
export class AlignInputError extends AlignError {}
