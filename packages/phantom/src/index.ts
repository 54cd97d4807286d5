export { boxBlur2d, gaussianBlur2d } from "./blur.js";
export {
  type EmPhantom,
  type EmPhantom2dOptions,
  type EmPhantomOptions,
  emPhantom,
  emPhantom2d,
} from "./em-phantom.js";
export { type FftDirection, fft3d, naiveDft3d } from "./fft3d.js";
export {
  type PlantedHalo,
  type PlantedHalos,
  type PlantedHalosOptions,
  periodicDistance,
  plantedHalos,
} from "./planted-halos.js";
export { hash32, Rng, splitmix32 } from "./prng.js";
export { smoothNoise2d, textureNoise2d } from "./smooth-noise.js";
export {
  type ApplyDisplacementsOptions,
  applyDisplacements,
  type Interpolation,
  invertDisplacements,
  type StackArray,
  type WarpedSections,
  type WarpSectionsOptions,
  warpSections,
} from "./warp.js";
export {
  type GaussianRandomFieldOptions,
  gaussianRandomField,
  type PowerSpectrum,
  waveNumber,
  wrapPeriodic,
  type ZeldovichOptions,
  type ZeldovichRealisation,
  zeldovich,
} from "./zeldovich.js";
