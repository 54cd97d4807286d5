export { AlignError, AlignInputError } from "./errors.js";
export { fft2d, nextPowerOfTwo } from "./fft2d.js";
export { type PhaseCorrelationOptions, phaseCorrelate, type Translation } from "./phase-correlation.js";
export type { Section } from "./section.js";
