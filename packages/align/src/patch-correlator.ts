import { type PhaseCorrelationOptions, phaseCorrelate, type Translation } from "./phase-correlation.js";

/**
 * Phase correlation of many square patches of one size (the elastic flow field's inner loop).
 * `correlate(fixed, moving)` returns what `phaseCorrelate` returns for the two `size × size` patches.
 */
export class PatchCorrelator {
  readonly size: number;
  readonly #options: PhaseCorrelationOptions;

  constructor(size: number, options: PhaseCorrelationOptions = {}) {
    this.size = size;
    this.#options = options;
  }

  /** Translation of `moving` onto `fixed` (both `size × size`, row-major), as `phaseCorrelate` gives it. */
  correlate(fixed: ArrayLike<number>, moving: ArrayLike<number>): Translation {
    const s = this.size;
    return phaseCorrelate({ data: fixed, width: s, height: s }, { data: moving, width: s, height: s }, this.#options);
  }
}
