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
export { cleanFlow, type FlowField, type FlowOptions, flowField } from "./flow.js";
export { type InvertMapOptions, invertMap } from "./invert.js";
export {
  type MeshGeometry,
  mapGrid,
  mapPoint,
  meshFrom,
  meshGeometry,
  meshPoint,
  renderSection,
} from "./map.js";
export { type PairMapOptions, type PairResult, pairMap } from "./pair-map.js";
export { closePairPool, PAIR_WORKER, type PairComputer, pairPool } from "./pair-pool.js";
export { PatchCorrelator } from "./patch-correlator.js";
export { matchPatches, type PatchMatch, type PatchMatchOptions } from "./patch-matches.js";
export { type PhaseCorrelationOptions, phaseCorrelate, type Translation } from "./phase-correlation.js";
export type { Section } from "./section.js";
export { type OpenedSectionSource, openSectionSource, type SectionSourceKind } from "./source.js";
export {
  NonFiniteSectionError,
  NothingToAlignError,
  SectionSizeError,
  UnreadableSectionError,
} from "./source-errors.js";
export { countFoldedTriangles, type RelaxedMesh, relaxMesh, type SpringMeshOptions } from "./spring-mesh.js";
export {
  type AlignedSection,
  type AlignStackOptions,
  alignStack,
  computePairs,
  correlation,
  type PairMap,
  type PairStore,
} from "./stack.js";
export {
  type AffineMap,
  ALIGN_MODES,
  type AlignMode,
  type MeshMap,
  type SectionAlignment,
  type SectionMap,
  type SectionSource,
} from "./stack-types.js";
export { warpAffine } from "./warp.js";
