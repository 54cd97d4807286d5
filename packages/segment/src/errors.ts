/** What a {@link SegmentError} reports: file, block, field, what was expected and what was found. */
export interface SegmentErrorDetails {
  /** File or folder the error is about. */
  path?: string;
  /** Block id, when the error happened inside a blockwise task. */
  block?: number;
  /** Argument, option or field at fault (e.g. `mask`, `affinities`, `thresholds`). */
  field?: string;
  /** What was expected there. */
  expected?: string;
  /** What was found instead. */
  found?: string;
  /** Underlying error, when there is one. */
  cause?: unknown;
}

/** Base class of every error raised by `@tessera/segment`; its message names path, block, field, expected and found. */
export class SegmentError extends Error {
  readonly path?: string;
  readonly block?: number;
  readonly field?: string;
  readonly expected?: string;
  readonly found?: string;

  constructor(summary: string, details: SegmentErrorDetails = {}) {
    const parts = [summary];
    if (details.path !== undefined) parts.push(`path: ${details.path}`);
    if (details.block !== undefined) parts.push(`block: ${details.block}`);
    if (details.field !== undefined) parts.push(`field: ${details.field}`);
    if (details.expected !== undefined) parts.push(`expected: ${details.expected}`);
    if (details.found !== undefined) parts.push(`found: ${details.found}`);
    super(parts.join("; "), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.path = details.path;
    this.block = details.block;
    this.field = details.field;
    this.expected = details.expected;
    this.found = details.found;
  }
}

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
