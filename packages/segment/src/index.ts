export {
  checkFinite,
  checkLabels,
  checkLength,
  checkShape,
  type LabelArray,
  labelsAsNumbers,
  type NumberLabelArray,
  type ScalarArray,
  type Shape3,
  voxelCount,
} from "./arrays.js";
export { type BorderMaskOptions, cremiBorderMask } from "./border-mask.js";
export { type ContingencyTable, contingencyTable } from "./contingency.js";
export { type DistanceTransformOptions, distanceTransform } from "./distance-transform.js";
export {
  SegmentBlockError,
  SegmentDtypeError,
  SegmentError,
  type SegmentErrorDetails,
  SegmentOptionsError,
  SegmentShapeError,
  SegmentValueError,
} from "./errors.js";
export { type EvaluateOptions, evaluateSegmentation, type SegmentationScores } from "./evaluate.js";
export {
  type AdaptedRand,
  type AdaptedRandOptions,
  adaptedRand,
  adaptedRandFromTable,
  cremiScore,
  type MetricOptions,
  type Voi,
  voi,
  voiFromTable,
} from "./metrics.js";
export { PairCounter } from "./pair-counter.js";
