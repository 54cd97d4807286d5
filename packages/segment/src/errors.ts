import { TesseraError, type TesseraErrorDetails } from "@tessera/volume";
import type { OptionIssue } from "./option-issues.js";

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

/**
 * An option is invalid (fails its zod schema, or contradicts another option). When a whole config
 * was checked, `issues` lists every invalid field (the message names them all).
 */
export class SegmentOptionsError extends SegmentError {
  /** Every invalid field, with what was expected and found (empty when the error is about one option). */
  readonly issues: readonly OptionIssue[];

  constructor(summary: string, details: SegmentErrorDetails & { issues?: readonly OptionIssue[] } = {}) {
    super(summary, details);
    this.issues = details.issues ?? [];
  }
}

/** Blockwise inputs are missing or inconsistent (a block's graph file absent, volumes of other shapes). */
export class SegmentBlockError extends SegmentError {}
