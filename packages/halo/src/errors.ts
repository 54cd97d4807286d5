import { TesseraError } from "@tessera/volume/errors";

/** Base class of the errors of `@tessera/halo`. */
export class HaloError extends TesseraError {}
