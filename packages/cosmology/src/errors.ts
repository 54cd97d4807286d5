import { TesseraError } from "@tessera/volume/errors";

/** Base class of the errors of `@tessera/cosmology`. */
export class CosmologyError extends TesseraError {}

/** A cosmological parameter (or an option) is outside its allowed range. */
export class CosmologyParameterError extends CosmologyError {}

/** A quantity asked for has no real value in this cosmology (e.g. beyond a closed universe's antipode). */
export class OutOfDomainError extends CosmologyError {}
