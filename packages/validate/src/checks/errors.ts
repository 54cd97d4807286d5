import { ValidateError } from "../errors.js";

/** A validation test's config is invalid: `field` names the config key (e.g. `threshold`, `bins.min`). */
export class ValidationConfigError extends ValidateError {}

/** A reference data file is missing or not in the documented format: `path` names the file, `field` the row/column. */
export class ReferenceDataError extends ValidateError {}

/** The catalog lacks what a test needs in a way that is an error, not a skip (e.g. no box size for a mass function). */
export class ValidationInputError extends ValidateError {}
