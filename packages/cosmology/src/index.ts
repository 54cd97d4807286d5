export { ageUnitless, dlnEdlnA, e2OfA } from "./background.js";
export {
  DELTA_C,
  HUBBLE_DISTANCE_MPC_H,
  HUBBLE_TIME_GYR_H,
  NEUTRINO_PER_PHOTON,
  OMEGA_PHOTON_H2_PER_K4,
  RHO_CRITICAL_MSUN_MPC3_H2,
  SPEED_OF_LIGHT_KM_S,
} from "./constants.js";
export { Cosmology, cosmology } from "./cosmology.js";
export { CosmologyError, CosmologyParameterError, OutOfDomainError } from "./errors.js";
export { GROWTH_A_START, GrowthTable } from "./growth.js";
export { type HaccStepOptions, type HaccSteps, haccSteps } from "./hacc-steps.js";
export {
  type MassFunctionName,
  type MassFunctionOptions,
  massFunction,
  msunHToMsun,
  msunToMsunH,
  multiplicity,
  multiplicityAt,
  perDexToPerLnM,
  perMpc3ToPerMpcH3,
  tinker08Parameters,
} from "./mass-function.js";
export {
  CCL_MODEL1,
  type CosmologyParams,
  type CosmologyParamsInput,
  CosmologyParamsSchema,
  cosmologyParams,
  OUTER_RIM,
  PLANCK18,
} from "./params.js";
export { LinearPower, type LinearPowerOptions, linearPower } from "./power.js";
export {
  bbks,
  eisensteinHu,
  type TransferFunction,
  type TransferName,
  transferFunction,
} from "./transfer.js";
export { type Vectorized, vectorize } from "./vectorize.js";
