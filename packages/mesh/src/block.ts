import { BlockGrid, Box, type Volume } from "@tessera/volume";
import { InvalidLabelsError } from "./errors.js";
import { assertLabelsPresent, assertLabelVolume } from "./label-volume.js";
import { marchingCubesParallel } from "./mc-parallel.js";
import { mergeFragments } from "./merge.js";
import type { Mesh } from "./mesh.js";

/** Options of {@link meshBlock} and {@link meshVolume}. */
export interface MeshBlockOptions {
  /** Voxel size in nm z,y,x (default: the volume's `resolution` attribute, else 1,1,1). */
  resolutionNm?: [number, number, number];
  /** Mesh only these label ids. */
  labels?: number[];
  /** Worker threads for marching cubes (default: available cores; 1 meshes in this thread). */
  threads?: number;
}

function resolutionOf(volume: Volume, options: MeshBlockOptions): [number, number, number] {
  const r = options.resolutionNm ?? volume.resolution ?? [1, 1, 1];
  if (r.length !== 3) {
    throw new InvalidLabelsError("resolution must have three values", {
      path: volume.path,
      field: "resolution",
      expected: "[z, y, x] nm",
      found: JSON.stringify(r),
    });
  }
  return [r[0], r[1], r[2]];
}

/**
 * Mesh one write block of a label volume: reads the block plus one voxel on its high faces
 * (inside the volume) and meshes the cells whose low corner is in the block, closing surfaces
 * only at the volume border. Fragments of neighbouring blocks then share their seam vertices
 * exactly and no cell is meshed twice; {@link mergeFragments} joins them.
 */
export async function meshBlock(
  volume: Volume,
  writeBox: Box,
  options: MeshBlockOptions = {},
): Promise<Map<number, Mesh>> {
  if (volume.shape.length !== 3) {
    throw new InvalidLabelsError("label volume must be 3D", {
      path: volume.path,
      field: "shape",
      expected: "[z, y, x]",
      found: JSON.stringify(volume.shape),
    });
  }
  const res = resolutionOf(volume, options);
  const bounds = Box.fromShape(volume.shape);
  const readBox = new Box(
    writeBox.begin,
    writeBox.end.map((e, k) => Math.min(e + 1, volume.shape[k])),
  ).clip(bounds);
  const { data } = await volume.read(readBox);
  const closeLow = writeBox.begin.map((b) => b === 0) as [boolean, boolean, boolean];
  const closeHigh = writeBox.end.map((e, k) => e >= volume.shape[k]) as [boolean, boolean, boolean];
  const present = options.labels && labelsIn(data as ArrayLike<number>, options.labels);
  return marchingCubesParallel(data as ArrayLike<number>, readBox.shape, {
    threads: options.threads,
    resolutionNm: res,
    offsetVoxels: [writeBox.begin[0], writeBox.begin[1], writeBox.begin[2]],
    closeLow,
    closeHigh,
    labels: present,
  });
}

function labelsIn(data: ArrayLike<number | bigint>, wanted: number[]): number[] {
  const want = new Set(wanted);
  const found = new Set<number>();
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    if (want.has(v)) found.add(v);
  }
  return [...found];
}

/** Options of {@link meshVolume}. */
export interface MeshVolumeOptions extends MeshBlockOptions {
  /** Write-block shape z,y,x (default: the whole volume in one block). */
  blockShape?: [number, number, number];
  /** Called after each block with (blocks done, blocks total). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Mesh a whole label volume block by block and merge each label's fragments into one mesh.
 * The result does not depend on the block shape (same triangles; vertex order may differ).
 * Raises {@link InvalidLabelsError} for non-integer volumes and `LabelNotFoundError` for
 * requested ids that occur nowhere.
 */
export async function meshVolume(
  volume: Volume,
  options: MeshVolumeOptions = {},
): Promise<Map<number, Mesh>> {
  assertLabelVolume(volume);
  const bounds = Box.fromShape(volume.shape);
  const grid = new BlockGrid({ roi: bounds, blockShape: options.blockShape ?? [...volume.shape], bounds });
  const parts = new Map<number, Mesh[]>();
  let done = 0;
  for (let id = 0; id < grid.count; id++) {
    const meshes = await meshBlock(volume, grid.block(id).writeBox, options);
    for (const [label, mesh] of meshes) {
      if (mesh.indices.length === 0) continue;
      const list = parts.get(label) ?? [];
      list.push(mesh);
      parts.set(label, list);
    }
    options.onProgress?.(++done, grid.count);
  }
  if (options.labels) {
    assertLabelsPresent(options.labels, (id) => parts.has(id), volume.path);
  }
  const out = new Map<number, Mesh>();
  for (const label of [...parts.keys()].sort((a, b) => a - b))
    out.set(label, mergeFragments(parts.get(label) as Mesh[]));
  return out;
}
