import { AlignInputError } from "./errors.js";

/** A section's size (or pixel type) differs from the first section's: the message names the file and both sizes. */
export class SectionSizeError extends AlignInputError {}

/** A section file cannot be read as an image (not PNG/TIFF, corrupt, truncated, unsupported layout). */
export class UnreadableSectionError extends AlignInputError {}

/** A section of a float zarr holds NaN or ±Infinity: the message names the section and the position. */
export class NonFiniteSectionError extends AlignInputError {}

/** The input holds fewer than two sections (empty folder, a single section): there is nothing to align. */
export class NothingToAlignError extends AlignInputError {}
