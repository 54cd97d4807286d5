import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { warn } from "@tessera/cli";
import { openVolume, startProgressBar, type Volume } from "@tessera/volume";
import { meshVolume } from "./block.js";
import { InvalidLabelsError, OutputTooLargeError } from "./errors.js";
import { assertLabelsPresent, assertLabelVolume } from "./label-volume.js";
import type { Mesh } from "./mesh.js";
import type { MeshCliOptions } from "./mesh-options.js";
import { estimateMeshBytes, formatBytes, type MeshBytesEstimate } from "./output-estimate.js";
import { writePrecomputedMeshes } from "./precomputed.js";
import type { ShardingSpec } from "./sharding.js";
import { simplifyMeshes } from "./simplify-pool.js";
import { smoothMesh } from "./smooth.js";
import { writeStaged } from "./staged-output.js";
import { countSurface } from "./surface-count.js";
import { writeMeshFiles } from "./write-meshes.js";

/** What `tessera mesh` prints (one JSON line) and logs when it is done. */
export interface MeshRunSummary {
  output: string;
  format: MeshCliOptions["format"];
  segments: number;
  triangles: number;
  trianglesBeforeSimplification: number;
  /** Bytes written. */
  bytes: number;
  /** The size estimated before meshing (absent with `--force`, which skips the estimate). */
  estimatedBytes?: number;
}

const SHARDING: ShardingSpec = {
  "@type": "neuroglancer_uint64_sharded_v1",
  preshift_bits: 0,
  hash: "murmurhash3_x86_128",
  minishard_bits: 6,
  shard_bits: 0,
  minishard_index_encoding: "gzip",
  data_encoding: "gzip",
};

/** Warn about input that is probably a mistake: a uint8 volume (an image?), no resolution. */
function warnAboutInput(volume: Volume, opts: MeshCliOptions): void {
  if (volume.dtype === "uint8") {
    warn(
      `${opts.input} is uint8, which is usually an image, not labels: each of its distinct values is meshed as one label`,
    );
  }
  if (opts.resolution === undefined && volume.resolution === undefined) {
    warn(`${opts.input} has no resolution attribute: using 1,1,1 nm per voxel (give --resolution z,y,x)`);
  }
}

/**
 * Count the labels and surface faces (one pass, no meshing), refuse absent `--labels` ids and an
 * estimated output over `--max-output`.
 */
async function estimateOrRefuse(volume: Volume, opts: MeshCliOptions): Promise<MeshBytesEstimate> {
  const count = await countSurface(volume, { labels: opts.labels, blockShape: opts.block });
  if (opts.labels === undefined && count.labels.size === 0) {
    throw new InvalidLabelsError("label volume holds no labels to mesh", {
      path: opts.input,
      field: "values",
      expected: "non-zero label ids (0 is background)",
      found: "only 0",
    });
  }
  assertLabelsPresent(opts.labels ?? [], (id) => count.labels.has(id), opts.input);
  const estimate = estimateMeshBytes(count, opts.format);
  if (estimate.bytes > opts.maxOutput) {
    throw new OutputTooLargeError(
      `estimated output is ${formatBytes(estimate.bytes)}, over the --max-output limit of ${formatBytes(opts.maxOutput)}`,
      {
        path: opts.input,
        field: "max-output",
        expected: `an output of at most ${formatBytes(opts.maxOutput)} (raise --max-output, or pass --force to mesh anyway)`,
        found: `${estimate.labels} labels with ${count.faces} surface faces, ~${formatBytes(estimate.bytes)} of ${opts.format} before simplification`,
      },
    );
  }
  return estimate;
}

/** Total size of the files under `dir`. */
async function folderBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    bytes += entry.isDirectory() ? await folderBytes(path) : (await stat(path)).size;
  }
  return bytes;
}

async function withBar<T>(
  label: string,
  unit: string,
  work: (tick: (d: number, t: number) => void) => Promise<T>,
) {
  const bar = startProgressBar(label, unit);
  try {
    return await work((done, total) => bar.update(done, total));
  } finally {
    bar.stop();
  }
}

/** Triangles of all meshes. */
const triangles = (meshes: Map<number, Mesh>) =>
  [...meshes.values()].reduce((sum, mesh) => sum + mesh.indices.length / 3, 0);

/**
 * What `tessera mesh` does once its options are checked and the output is known to be free:
 * open and check the labels, estimate the output (unless `force`), mesh, smooth and simplify, and
 * write into a staging folder moved into place at the end.
 */
export async function runMesh(opts: MeshCliOptions): Promise<MeshRunSummary> {
  const volume = await openVolume(opts.input);
  assertLabelVolume(volume);
  warnAboutInput(volume, opts);
  const estimate = opts.force ? undefined : await estimateOrRefuse(volume, opts);
  const res = (opts.resolution ?? volume.resolution ?? [1, 1, 1]) as [number, number, number];
  let meshes = await withBar("mesh", "blocks", (onProgress) =>
    meshVolume(volume, {
      resolutionNm: res,
      labels: opts.labels,
      blockShape: opts.block,
      threads: opts.threads,
      onProgress,
    }),
  );
  const ids = [...meshes.keys()];
  const before = triangles(meshes);
  const precomputed = opts.format === "precomputed";
  if (opts.smooth !== undefined && !precomputed) {
    for (const id of ids) meshes.set(id, smoothMesh(meshes.get(id) as Mesh, { iterations: opts.smooth }));
  }
  if (opts.simplify !== undefined && !precomputed) {
    const maxErrorNm = opts.simplify;
    meshes = await withBar("simplify", "segments", (onProgress) =>
      simplifyMeshes(meshes, { maxErrorNm, threads: opts.threads, onProgress }),
    );
  }
  const bytes = await withBar("write", "segments", (update) =>
    writeStaged(opts.output, opts.overwrite === true, async (folder) => {
      let done = 0;
      const onSegment = () => update(++done, ids.length);
      if (opts.format === "precomputed" || opts.format === "precomputed-legacy") {
        await writePrecomputedMeshes(folder, meshes, {
          format: precomputed ? "multires" : "legacy",
          resolutionNm: res,
          numLods: opts.lods,
          maxErrorNm: opts.simplify,
          sharding: opts.sharded ? SHARDING : undefined,
          onSegment,
        });
      } else {
        await writeMeshFiles(folder, meshes, opts.format, res, onSegment);
      }
      return folderBytes(folder);
    }),
  );
  return {
    output: opts.output,
    format: opts.format,
    segments: ids.length,
    triangles: triangles(meshes),
    trianglesBeforeSimplification: before,
    bytes,
    estimatedBytes: estimate?.bytes,
  };
}
