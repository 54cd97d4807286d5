export {
  type Affinities,
  type AffinitiesFromBoundariesOptions,
  affinitiesFromBoundaries,
  affinitiesFromLabels,
  checkAffinities,
} from "./affinities.js";
export { type AffinityWatershedOptions, affinityWatershed } from "./affinity-watershed.js";
export {
  type AgglomerateOptions,
  type Agglomeration,
  agglomerate,
  applyAgglomeration,
} from "./agglomerate.js";
export {
  agglomerateFeatureTable,
  checkModelFeatures,
  checkProbabilityThresholds,
} from "./agglomerate-feature-table.js";
export { type AgglomerateWithModelOptions, agglomerateWithModel } from "./agglomerate-with-model.js";
export {
  type AgglomerationModel,
  type AgglomerationModelProvenance,
  checkAgglomerationModel,
} from "./agglomeration-model.js";
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
export { segmentBlockwise } from "./block.js";
export { agglomerateRun, agglomerateRunWithModel, mergedRunFeatures } from "./block-agglomerate.js";
export {
  type BlockEdgeFeatures,
  blockEdgeFeatures,
  canonicalEdgeFeatureTable,
  mergeBlockEdgeFeatures,
  type OwnedRegion,
} from "./block-edge-features.js";
export { faceFile } from "./block-faces.js";
export { runFragmentsBlock } from "./block-fragments.js";
export { graphFile, runGraphBlock } from "./block-graph.js";
export { runRelabelBlock } from "./block-relabel.js";
export {
  type BlockSummary,
  parseRun,
  prepareFragments,
  prepareRun,
  prepareSegmentation,
  runGrid,
} from "./block-run.js";
export { type BorderMaskOptions, cremiBorderMask } from "./border-mask.js";
export {
  BOUNDARY_MEDIAN_MAX,
  type BoundaryDiagnosis,
  diagnoseBoundaries,
  INVERTED_MEDIAN_MIN,
} from "./boundary-check.js";
export { checkBoundaryVolume } from "./boundary-sample.js";
export { blockShapeFor, commentedRunConfig, type ExampleInput, exampleRunConfig } from "./config-example.js";
export { parseConfigText, stripLineComments } from "./config-text.js";
export {
  type Components,
  type ConnectedComponentsOptions,
  connectedComponents,
} from "./connected-components.js";
export { type ContingencyTable, contingencyTable } from "./contingency.js";
export type { DecisionTree } from "./decision-tree.js";
export { type DistanceTransformOptions, distanceTransform } from "./distance-transform.js";
export {
  RandomForestClassifier,
  type RandomForestJson,
  type RandomForestOptions,
} from "./edge-classifier.js";
export {
  EDGE_CLASSIFIER_TYPES,
  type EdgeClassifier,
  type EdgeClassifierJson,
  type EdgeClassifierOptions,
  edgeClassifierFromJSON,
  fitEdgeClassifier,
} from "./edge-classifiers.js";
export {
  contactQuantile,
  EDGE_FEATURE_QUANTILES,
  edgeFeatureNames,
  featureVector,
  mergeEdgeFeatures,
  mergeRegionFeatures,
} from "./edge-feature-vector.js";
export {
  binOf,
  type ContactStats,
  type EdgeFeatureOptions,
  type EdgeFeatureTable,
  edgeFeatures,
} from "./edge-features.js";
export { readEdgeFeaturesFile, writeEdgeFeaturesFile } from "./edge-features-file.js";
export { EdgeHeap } from "./edge-heap.js";
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
export { FeatureAgglomerator } from "./feature-agglomerator.js";
export { type Fragments, type WatershedFragmentsOptions, watershedFragments } from "./fragments.js";
export {
  GradientBoostingClassifier,
  type GradientBoostingJson,
  type GradientBoostingOptions,
} from "./gradient-boosting.js";
export { readGraphFile, writeGraphFile } from "./graph-file.js";
export {
  type LearnAgglomerationOptions,
  type LearnedAgglomeration,
  learnAgglomeration,
} from "./learn-agglomeration.js";
export { type LookupReader, lookupFile, openLookup, readLookup, readLookupRange } from "./lookup-file.js";
export { maximumFilter } from "./max-filter.js";
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
export {
  CONTACT_QUANTILE_TOLERANCE,
  contactBoundaryQuantiles,
  modelInputWarning,
} from "./model-input-check.js";
export { ModelScorer } from "./model-scorer.js";
export type { OptionIssue } from "./option-issues.js";
export {
  type AgglomerateStepOptions,
  agglomerateOptionsSchema,
  type BoundaryOptions,
  boundaryOptionsSchema,
  type EvaluateStepOptions,
  evaluateOptionsSchema,
  type FragmentsOptions,
  fragmentsOptionsSchema,
  type ParseOptionsContext,
  parseOptions,
  type SegmentRun,
  type SegmentRunInput,
  segmentRunSchema,
} from "./options.js";
export { PairCounter } from "./pair-counter.js";
export {
  fragmentsFromBoundaries,
  type SegmentBoundariesOptions,
  type SegmentBoundariesResult,
  scaleBoundaries,
  segmentBoundaries,
} from "./pipeline.js";
export { type Quantised, quantise } from "./quantise.js";
export {
  buildRegionGraph,
  mergeRegionGraphs,
  type RegionGraph,
  type RegionGraphOptions,
} from "./region-graph.js";
export { RegionMajority } from "./region-majority.js";
export { type Relabelled, relabelConsecutive } from "./relabel.js";
export {
  prepareRelabel,
  type RelabelTarget,
  relabelTargets,
  thresholdArrayName,
  writesGroup,
} from "./relabel-group.js";
export {
  RUN_PATH_FIELDS,
  type RunOverrides,
  readRunConfig,
  resolveRun,
  saveRunConfig,
} from "./run-config.js";
export { checkBlockwiseModel, featuresFile, loadRunModel } from "./run-model.js";
export {
  type AgglomerationSummary,
  agglomerateStep,
  fragmentsStep,
  relabelStep,
  type SegmentRunSummary,
  type StepHooks,
  segmentStep,
} from "./run-steps.js";
export {
  type DistanceSeeds,
  type DistanceSeedsOptions,
  type MinimaSeedsOptions,
  type Seeds,
  seedsFromDistance,
  seedsFromMinima,
} from "./seeds.js";
export { type SeededWatershedOptions, seededWatershed } from "./watershed.js";
export { agglomerateLikeWaterz } from "./waterz-agglomerate.js";
