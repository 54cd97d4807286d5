export {
  type FileLockOptions,
  LOCK_HEARTBEAT_MS,
  type LockInfo,
  readLockInfo,
  STALE_LOCK_MS,
  withFileLock,
  writeFileAtomic,
} from "./atomic-file.js";
export { type Block, BlockGrid, type BlockGridOptions } from "./block-grid.js";
export { Box } from "./box.js";
export { type ChunkDecodingOptions, configureChunkDecoding } from "./chunk-pool.js";
export {
  type BloscCompressor,
  type CompressorConfig,
  DEFAULT_COMPRESSOR,
  type GzipCompressor,
  type ZlibCompressor,
} from "./compressor.js";
export { cOrderStrides, copyRegion, type StridedView } from "./copy-region.js";
export {
  bytesPerElement,
  DATA_TYPES,
  type DataType,
  type DataTypeAlias,
  dtypeOfArray,
  type IntegerTypedArray,
  isBigIntDtype,
  isIntegerTypedArray,
  resolveDataType,
  type TypedArray,
  type TypedArrayConstructor,
  typedArrayFor,
} from "./dtype.js";
export {
  BoxOutOfBoundsError,
  CorruptChunkError,
  Hdf5FormatError,
  InvalidInputError,
  NotAnHdf5FileError,
  NotAZarrArrayError,
  OutputExistsError,
  PathNotFoundError,
  ShapeMismatchError,
  TesseraError,
  type TesseraErrorDetails,
  UnsupportedCompressorError,
  UnsupportedDtypeError,
  UnsupportedHdf5FilterError,
  VolumeError,
  type VolumeErrorDetails,
} from "./errors.js";
export { type Hdf5Dataset, listHdf5Datasets, openHdf5Dataset, readHdf5Dataset } from "./hdf5.js";
export { assertHdf5File, findHdf5Signature, HDF5_SIGNATURE, isHdf5File } from "./hdf5-signature.js";
export { naturalCompare } from "./natural-sort.js";
export { type ProgressBar, startProgressBar } from "./progress.js";
export { readPng, readTiffPages, type SectionImage } from "./section-image.js";
export { type ExportSlicesOptions, exportSlicesPng } from "./slice-export.js";
export {
  type ImportStackOptions,
  importStack,
  type StackSourceKind,
  stackSourceKind,
} from "./stack-import.js";
export {
  type CreateVolumeOptions,
  createGroup,
  createVolume,
  openGroup,
  openVolume,
  Volume,
  type VolumeArray,
  type VolumeData,
} from "./volume.js";
export type { VolumeAttrs } from "./zarr-metadata.js";
