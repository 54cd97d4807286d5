export { type AlignPairOptions, alignPair, type PairAlignment } from "./align-pair.js";
export { type BlankOptions, type SectionContent, sectionContent } from "./blank.js";
export { AlignError, AlignInputError } from "./errors.js";
export { fft2d, inverseReal2d, nextPowerOfTwo } from "./fft2d.js";
export {
  type Affine,
  applyAffine,
  type Correspondences,
  composeAffine,
  correspondences,
  fitAffine,
  fitRigid,
  fitRobust,
  invertAffine,
  type RobustFit,
  type RobustFitOptions,
} from "./fit.js";
export { matchPatches, type PatchMatch, type PatchMatchOptions } from "./patch-matches.js";
export { type PhaseCorrelationOptions, phaseCorrelate, type Translation } from "./phase-correlation.js";
export type { Section } from "./section.js";
export { warpAffine } from "./warp.js";
