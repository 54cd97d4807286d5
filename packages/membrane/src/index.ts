export { type BackendName, useBackend } from "./backend.js";
export {
  createPredictionVolume,
  type PredictVolumeOptions,
  predictBlock,
  predictionGrid,
  predictVolume,
} from "./block.js";
export { registerConv3dTransposeGrad } from "./conv3d-transpose-grad.js";
export { CentreCrop, type CentreCropArgs, centreCrop } from "./crop-layer.js";
export { type ElasticField, randomElasticField, warpPatch } from "./elastic.js";
export {
  BackendError,
  MembraneError,
  MembraneOptionsError,
  ModelFormatError,
  ModelInputError,
} from "./errors.js";
export {
  loadModel,
  type MembraneModel,
  type ModelMetadata,
  type Normalisation,
  saveModel,
} from "./model-io.js";
export { type PredictOptions, predictArray, type Tiling, tilingOf } from "./predict.js";
export { resolveModelPath, SHIPPED_MODELS_DIR, shippedModels } from "./shipped-models.js";
export { affinityTargets, boundaryTargets } from "./targets.js";
export {
  type EpochResult,
  scoreVolumes,
  type TrainingVolume,
  type TrainOptions,
  targetsFor,
  trainModel,
} from "./train.js";
export { type Array3d, readArray3d, sectionsOf } from "./training-input.js";
export {
  buildUNet,
  type ConvPadding,
  fieldOfViewRadius,
  inputSizeFor,
  nearestValidSizes,
  type OutputKind,
  outputChannels,
  outputMargin,
  outputSizeFor,
  sizeMultiple,
  type UNetConfig,
  type UNetOptions,
  unetConfig,
} from "./unet.js";
export { registerWasmConv2dFilterGrad } from "./wasm-conv2d-filter-grad.js";
export { registerWasmConv2dInputGrad } from "./wasm-conv2d-input-grad.js";
export { registerWasmConv3d } from "./wasm-conv3d.js";
export { registerWasmSlice } from "./wasm-slice.js";
