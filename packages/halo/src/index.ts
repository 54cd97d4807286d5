export { HaloError } from "./errors.js";
export {
  type BlockwiseFofResult,
  blockwiseFriendsOfFriends,
  type FofBlockMemberships,
  type FofBlockMerge,
  type FofBlockOptions,
  type FofBlockParticles,
  type FofBlockPlan,
  type FofBlockResult,
  type FofBlockSpec,
  type FofGroupTable,
  fofOwnerBlock,
  fofRegionContains,
  mergeFofBlocks,
  planFofBlocks,
  resolveFofBlock,
  runFofBlock,
} from "./fof/blockwise.js";
export {
  FofError,
  FofMergeError,
  FofOptionError,
  NonFinitePositionError,
  ParticleOutsideBoxError,
} from "./fof/errors.js";
export { type FofHalos, type FofOptions, type FofResult, friendsOfFriends } from "./fof/fof.js";
export { type LinkedParticles, type LinkRegion, linkParticles } from "./fof/link.js";
export {
  DEFAULT_LINKING_PARAMETER,
  DEFAULT_MIN_MEMBERS,
  type FofLinkingOptions,
} from "./fof/options.js";
export type { CoordinateArray, ParticlePositions } from "./fof/positions.js";
export { FofWorkspace } from "./fof/workspace.js";
export { Crc64, crc64, crc64Trailer } from "./genericio/crc64.js";
export {
  CrcMismatchError,
  type CrcMismatchLocation,
  GenericIOFormatError,
  GenericIORequestError,
  GenericIOWriteError,
  MissingFileError,
  NotGenericIOError,
  TruncatedFileError,
  UnknownFilterError,
} from "./genericio/errors.js";
export type {
  ByteOrder,
  GenericIOArray,
  GenericIOType,
  VariableFlags,
  VariableInfo,
} from "./genericio/format.js";
export {
  type GenericIOBlock,
  GenericIOFile,
  type GenericIORank,
  type OpenGenericIOOptions,
  openGenericIO,
} from "./genericio/read.js";
export {
  type GenericIORankInput,
  type GenericIOVariableSpec,
  type WriteGenericIOOptions,
  type WriteGenericIOResult,
  writeGenericIO,
} from "./genericio/write.js";
export {
  EmptySnapshotListError,
  LightconeError,
  LightconeOptionError,
  LightconeRangeError,
  ObjectOutsideBoxError,
  SnapshotInputError,
  SnapshotOrderError,
} from "./lightcone/errors.js";
export { checkFootprint, type Footprint, footprintSkyFraction } from "./lightcone/footprint.js";
export { shellImages } from "./lightcone/images.js";
export { buildLightcone } from "./lightcone/lightcone.js";
export {
  comovingDistanceMpcH,
  REDSHIFT_TABLE_SPACING_MPC_H,
  RedshiftOfDistance,
} from "./lightcone/redshift-table.js";
export { type ShellBoundaries, snapshotShells } from "./lightcone/shells.js";
export { raDecDegrees } from "./lightcone/sky.js";
export type {
  Lightcone,
  LightconeColumnArray,
  LightconeInputColumn,
  LightconeObjects,
  LightconeOptions,
  LightconeShell,
  LightconeSnapshot,
} from "./lightcone/types.js";
export {
  type HaloPropertiesColumns,
  type HaloPropertiesInput,
  type HaloPropertiesOptions,
  HaloPropertyError,
  haloProperties,
  POTENTIAL_DIRECT_MAX,
  sourceSlots,
} from "./properties/properties.js";
export {
  type SodColumns,
  SodError,
  type SodOptions,
  type SodReferenceDensities,
  type SodResult,
  sodCrossing,
  sodProperties,
  sodReferenceDensities,
} from "./properties/sod.js";
export {
  type Catalog,
  type CatalogColumn,
  catalogColumn,
  catalogRows,
  isCatalogColumn,
  ReduceError,
  takeRows,
  UnknownColumnError,
} from "./reduce/catalog.js";
export { catalogsAtSteps, type StepCatalog, type StepCatalogInput } from "./reduce/catalog-steps.js";
export {
  type DownsampleOptions,
  downsample,
  downsampleIndices,
  downsampleMask,
  hashId64,
  type ParticleIds,
} from "./reduce/downsample.js";
export { type MassCutOptions, massCut, selectColumns } from "./reduce/mass-cut.js";
export { type MassFunction, type MassFunctionOptions, massFunction } from "./reduce/mass-function.js";
export { type WriteCatalogCsvOptions, writeCatalogCsv } from "./reduce/output-csv.js";
export { PROVENANCE_SUFFIX, temporaryPath } from "./reduce/output-files.js";
export {
  genericIOTypeOf,
  type WriteCatalogGenericIOOptions,
  writeCatalogGenericIO,
} from "./reduce/output-genericio.js";
export { type WriteCatalogZarrOptions, writeCatalogZarr } from "./reduce/output-zarr.js";
export {
  asciiJson,
  type CatalogProvenance,
  type CatalogProvenanceInput,
  catalogProvenance,
  HALO_VERSION,
} from "./reduce/provenance.js";
