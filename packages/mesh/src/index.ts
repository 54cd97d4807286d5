export { type MeshBlockOptions, type MeshVolumeOptions, meshBlock, meshVolume } from "./block.js";
export { decodeDraco, encodeDraco, type IntegerMesh } from "./draco.js";
export {
  InvalidLabelsError,
  LabelNotFoundError,
  MeshError,
  type MeshErrorDetails,
  MeshFormatError,
  MeshOptionsError,
  MeshWriteError,
  OutputTooLargeError,
  ServeBindError,
} from "./errors.js";
export { decodeGlb, encodeGlb, type NamedMesh } from "./glb.js";
export {
  directedHausdorffBounds,
  type HausdorffBounds,
  type HausdorffOptions,
  hausdorffBounds,
} from "./hausdorff.js";
export { pointTriangleDistance2 } from "./hausdorff-point.js";
export { checkLabelArray, type LabelArray } from "./label-array.js";
export { assertLabelVolume } from "./label-volume.js";
export { decodeLegacyFragment, encodeLegacyFragment } from "./legacy.js";
export { type MarchingCubesOptions, marchingCubes } from "./marching-cubes.js";
export {
  closeMarchingCubesPool,
  MARCHING_CUBES_WORKER,
  marchingCubesParallel,
  type ParallelMarchingCubesOptions,
} from "./mc-parallel.js";
export { mergeFragments } from "./merge.js";
export { type Mesh, meshBounds, triangleCount, vertexCount, vertexNormals } from "./mesh.js";
export { mimeType } from "./mime.js";
export {
  decodeManifest,
  decodeMultiresLod,
  encodeManifest,
  encodeMultiresMesh,
  type MultiresManifest,
  type MultiresOptions,
  mortonCode,
  splitMeshByGrid,
} from "./multires.js";
export { murmurHash3x86_128, murmurHash64 } from "./murmurhash3.js";
export { decodeObj, encodeObj } from "./obj.js";
export {
  estimateMeshBytes,
  formatBytes,
  type MeshBytesEstimate,
  type MeshOutputFormat,
} from "./output-estimate.js";
export { decodePly, encodePly } from "./ply.js";
export {
  type PrecomputedOptions,
  type PrecomputedSummary,
  readPrecomputedMesh,
  writePrecomputedMeshes,
} from "./precomputed.js";
export { DEFAULT_VIEWER_DIST, type RunningServer, type ServeOptions, safeJoin, serveRun } from "./serve.js";
export {
  decodeMinishardIndex,
  encodeShards,
  readShardChunk,
  type ShardChunk,
  type ShardEntry,
  type ShardingSpec,
  type ShardLocation,
  shardFileName,
  shardingSpecSchema,
  shardLocation,
} from "./sharding.js";
export { type SimplifyOptions, simplifyMesh } from "./simplify.js";
export {
  closeSimplifyPool,
  SIMPLIFY_WORKER,
  type SimplifyManyOptions,
  simplifyMeshes,
} from "./simplify-pool.js";
export { type SmoothOptions, smoothMesh } from "./smooth.js";
export { assertOutputFree, writeStaged } from "./staged-output.js";
export {
  type CountSurfaceOptions,
  countBlockSurface,
  countSurface,
  type SurfaceCount,
} from "./surface-count.js";
export { enclosedVolume, type MeshTopology, meshTopology, surfaceArea } from "./topology.js";
export { type MeshFileFormat, type MeshIndex, type MeshIndexEntry, writeMeshFiles } from "./write-meshes.js";
