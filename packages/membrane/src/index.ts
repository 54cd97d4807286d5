export { type BackendName, useBackend } from "./backend.js";
export {
  createPredictionVolume,
  type PredictVolumeOptions,
  predictBlock,
  predictionGrid,
  predictVolume,
} from "./block.js";
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
export { type PredictOptions, predictArray, tilingOf } from "./predict.js";
export { affinityTargets, boundaryTargets } from "./targets.js";
export {
  type EpochResult,
  scoreVolumes,
  type TrainingVolume,
  type TrainOptions,
  targetsFor,
  trainModel,
} from "./train.js";
export {
  buildUNet,
  fieldOfViewRadius,
  type OutputKind,
  outputChannels,
  sizeMultiple,
  type UNetConfig,
  type UNetOptions,
  unetConfig,
} from "./unet.js";
export { registerWasmConv2dFilterGrad } from "./wasm-conv2d-filter-grad.js";
export { registerWasmConv2dInputGrad } from "./wasm-conv2d-input-grad.js";
