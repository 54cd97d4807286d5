import { TesseraError } from "@tessera/volume/errors";

/** Base class of the errors of `@tessera/membrane`. */
export class MembraneError extends TesseraError {}

/** An option is out of range or of the wrong kind. */
export class MembraneOptionsError extends MembraneError {}

/** A model directory is missing files, or its model.json, weights or metadata are not what a model needs. */
export class ModelFormatError extends MembraneError {}

/** The input does not fit the model: channels, dimensionality, or smaller than its field of view. */
export class ModelInputError extends MembraneError {}

/** A TensorFlow.js backend is unknown or cannot start. */
export class BackendError extends MembraneError {}
