export {
  Catalog,
  type CatalogChunk,
  type IterateOptions,
  openCatalog,
  type QuantityDescription,
} from "./catalog/catalog.js";
export {
  type CatalogConfig,
  COSMOLOGY_PRESETS,
  loadCatalogConfig,
  parseCatalogConfig,
} from "./catalog/config.js";
export { type CatalogConfigInput, CatalogConfigSchema } from "./catalog/config-schema.js";
export {
  CatalogColumnError,
  CatalogConfigError,
  CatalogError,
  type CatalogErrorDetails,
  CatalogFileError,
  type ConfigLocation,
  ExpressionError,
  UnitError,
  UnknownQuantityError,
} from "./catalog/errors.js";
export { type CompiledExpression, compileExpression, EXPRESSION_FUNCTIONS } from "./catalog/expression.js";
export { expandPattern } from "./catalog/glob.js";
export {
  type QuantityInfo,
  type QuantityType,
  STANDARD_QUANTITIES,
  standardQuantity,
} from "./catalog/quantities.js";
export type { ColumnSource, NativeArray } from "./catalog/readers/source.js";
export { conversionFactor, type Dimension, parseUnit, UNITS, type Unit } from "./catalog/units.js";
export {
  AMF_BBKS_SIGMA_FACTOR,
  AMF_DELTA_C,
  AMF_REFERENCE_RUNS,
  AMF_RHO_CRITICAL,
  AMF_T_CMB_K,
  type AmfFit,
  type AmfParameters,
  type AmfTable,
  amfMassFunction,
  amfMultiplicity,
  readAmfFile,
} from "./checks/amf.js";
export { chi2Covariance, chi2Diagonal, jackknifeCovariance } from "./checks/chi2.js";
export { parseTestConfig } from "./checks/config.js";
export { ReferenceDataError, ValidationConfigError, ValidationInputError } from "./checks/errors.js";
export {
  binAveragedMassFunction,
  type HaloMassFunctionConfig,
  HaloMassFunctionConfigSchema,
  HaloMassFunctionTest,
} from "./checks/halo-mass-function.js";
export {
  coil2004Table3,
  type Deep2Bin,
  type NzConfig,
  NzConfigSchema,
  NzTest,
  z0FromMean,
} from "./checks/nz.js";
export { type ComparisonPoint, comparisonPlot } from "./checks/plots.js";
export {
  DEFAULT_RANGES,
  type QuantityReadiness,
  type ReadinessConfig,
  ReadinessConfigSchema,
  ReadinessTest,
} from "./checks/readiness.js";
export { defaultDataDir } from "./checks/reference-data.js";
export type {
  ValidationContext,
  ValidationResult,
  ValidationStatus,
  ValidationTest,
  VegaLiteSpec,
} from "./checks/result.js";
export {
  liWhite2009,
  MOUSTAKAS13_H,
  moustakas2013,
  type SmfReference,
  type SmfReferenceName,
  smfReference,
} from "./checks/smf-references.js";
export {
  type StellarMassFunctionConfig,
  StellarMassFunctionConfigSchema,
  StellarMassFunctionTest,
} from "./checks/stellar-mass-function.js";
export { readNumericTable } from "./checks/table.js";
export { ValidateError } from "./errors.js";
export {
  type AbundanceMatchOptions,
  abundanceMatch,
  type CumulativeSmf,
  cumulativeSmf,
  massAtNumberDensity,
  type StellarMassFunctionTable,
} from "./mock/abundance-matching.js";
export { type CentralStellarMassOptions, centralStellarMasses } from "./mock/central-masses.js";
export type { HaloColumns } from "./mock/columns.js";
export { MockGalaxyError } from "./mock/errors.js";
export {
  erf,
  ZHENG07_MR20,
  type Zheng07Parameters,
  zheng07MeanCentrals,
  zheng07MeanSatellites,
} from "./mock/hod.js";
export {
  type MockGalaxiesOptions,
  type MockGalaxyCatalog,
  type MockGalaxyColumns,
  type MockGalaxyProvenance,
  type MockHaloColumnNames,
  type MockHodOptions,
  mockGalaxies,
} from "./mock/mock-galaxies.js";
export {
  type Duffy08Definition,
  duffy08Concentration,
  nfwEnclosedFraction,
  nfwMu,
  nfwRadiusAtFraction,
  r200cComovingMpcH,
} from "./mock/nfw.js";
export { type IdColumn, IdHalves, IdRandom } from "./mock/random.js";
export {
  BEHROOZI13,
  type Behroozi13Parameters,
  behroozi13,
  MOSTER13,
  type Moster13Parameters,
  moster13,
  type ShmrName,
  type ShmrParameters,
  stellarMassRelation,
} from "./mock/shmr.js";
export { escapeHtml } from "./report/escape.js";
export {
  CSP,
  cellPage,
  formatScore,
  indexPage,
  renderData,
  STATUS_STYLE,
  writeReport,
} from "./report/html.js";
export { renderSvg, UNSAFE_SVG } from "./report/svg.js";
export {
  describeInput,
  HASH_LIMIT_BYTES,
  type InputRecord,
  packageVersion,
  runVersions,
} from "./runner/provenance.js";
export {
  type CatalogInput,
  type CellRecord,
  type CellStatus,
  type RunOptions,
  type RunSummary,
  runValidation,
  safeJson,
  slugify,
} from "./runner/runner.js";
export {
  type LoadedTest,
  loadTestConfig,
  parseTestConfigYaml,
  TEST_KINDS,
  TestConfigError,
} from "./runner/test-config.js";
