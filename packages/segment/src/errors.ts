import { TesseraError, type TesseraErrorDetails } from "@tessera/volume";

/** What a {@link SegmentError} reports: file, block, field, what was expected and what was found. */
export type SegmentErrorDetails = TesseraErrorDetails;

/** Base class of every error raised by `@tessera/segment`; its message names path, block, field, expected and found. */
export class SegmentError extends TesseraError {}

/** Two arrays that must cover the same voxels do not (boundaries vs mask, segmentation vs ground truth, ...). */
export class SegmentShapeError extends SegmentError {}

/** An array holds values it must not (NaN or infinite probabilities, affinities outside [0, 1]). */
export class SegmentValueError extends SegmentError {}

/** An array has a dtype the function cannot take (labels of a float dtype, ...). */
export class SegmentDtypeError extends SegmentError {}

/** An option is invalid (fails its zod schema, or contradicts another option). */
export class SegmentOptionsError extends SegmentError {}

/** Blockwise inputs are missing or inconsistent (a block's graph file absent, volumes of other shapes). */
export class SegmentBlockError extends SegmentError {}
