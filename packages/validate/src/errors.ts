import { TesseraError } from "@tessera/volume/errors";

/** Base class of the errors of `@tessera/validate`. */
export class ValidateError extends TesseraError {}
