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
  type HaloPropertiesColumns,
  type HaloPropertiesInput,
  type HaloPropertiesOptions,
  HaloPropertyError,
  haloProperties,
  POTENTIAL_DIRECT_MAX,
  sourceSlots,
} from "./properties/properties.js";
