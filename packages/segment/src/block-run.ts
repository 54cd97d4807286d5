import { mkdir } from "node:fs/promises";
import { BlockGrid, type Box, createVolume, openVolume, type TypedArray, type Volume } from "@tessera/volume";
import type { ScalarArray } from "./arrays.js";
import { SegmentBlockError, SegmentError, SegmentShapeError } from "./errors.js";
import { parseOptions, type SegmentRun, type SegmentRunInput, segmentRunSchema } from "./options.js";

/** What a block task reports to the workflow. */
export interface BlockSummary {
  block: number;
  /** Voxels written (or read, for graph tasks). */
  voxels: number;
  /** Fragments, edges or segments produced, depending on the step. */
  count: number;
  seconds: number;
}

/** Validate a run configuration (throws {@link SegmentOptionsError} naming the field). */
export function parseRun(config: SegmentRunInput | SegmentRun | unknown, path?: string): SegmentRun {
  return parseOptions(segmentRunSchema, config, path, { what: "run config" });
}

/** The block grid of a run over its boundary volume. */
export async function runGrid(run: SegmentRun): Promise<{ grid: BlockGrid; boundaries: Volume }> {
  const boundaries = await openVolume(run.boundaries);
  if (boundaries.shape.length !== 3) {
    throw new SegmentShapeError("boundaries must be 3-D", {
      path: run.boundaries,
      field: "shape",
      expected: "[z, y, x]",
      found: JSON.stringify(boundaries.shape),
    });
  }
  const grid = new BlockGrid({
    roi: boundaries.bounds,
    blockShape: run.blockShape,
    context: run.context,
    bounds: boundaries.bounds,
  });
  return { grid, boundaries };
}

/** Ids of block `id` start above `id · (voxels of a full block)`: unique without coordination. */
export function idOffset(grid: BlockGrid, id: number): number {
  return id * grid.blockShape.reduce((a, b) => a * b, 1);
}

/** u32 fragment ids while every block's id range fits, else u64. */
export function fragmentsDtype(grid: BlockGrid): "uint32" | "uint64" {
  return idOffset(grid, grid.count) < 2 ** 32 ? "uint32" : "uint64";
}

/**
 * Open the output volume at `path` when it has the boundaries' shape and `dtype` (and `overwrite` is
 * not set), else create it chunked like the blocks. Block tasks of one run call this concurrently.
 */
export async function ensureOutput(
  run: SegmentRun,
  boundaries: Volume,
  path: string,
  dtype: "uint32" | "uint64",
): Promise<void> {
  try {
    const v = await openVolume(path);
    if (!run.overwrite && v.shape.every((s, i) => s === boundaries.shape[i]) && v.dtype === dtype) return;
  } catch {
    // absent: create below
  }
  await createVolume(path, {
    shape: boundaries.shape,
    chunks: run.blockShape,
    dtype,
    attrs: { resolution: boundaries.resolution, source: run.boundaries },
    overwrite: true,
  });
}

/** Create the fragments volume of a run (and the graph folder, where fragments tasks write block faces). */
export async function prepareFragments(run: SegmentRun): Promise<BlockGrid> {
  const { grid, boundaries } = await runGrid(run);
  await ensureOutput(run, boundaries, run.fragments, fragmentsDtype(grid));
  await mkdir(run.graph, { recursive: true });
  return grid;
}

/** Create the segmentation volume of a run. */
export async function prepareSegmentation(run: SegmentRun): Promise<BlockGrid> {
  const { grid, boundaries } = await runGrid(run);
  await ensureOutput(run, boundaries, run.segmentation, "uint32");
  return grid;
}

/**
 * Create the outputs of a run (fragments and segmentation volumes chunked like the blocks, the graph
 * folder). Idempotent unless `overwrite` was asked for on an existing run with another shape.
 */
export async function prepareRun(run: SegmentRun): Promise<BlockGrid> {
  const grid = await prepareFragments(run);
  await prepareSegmentation(run);
  return grid;
}

/** The block's boundary data as a scalar map, or a typed error naming the volume. */
export function asScalar(data: TypedArray, path: string): ScalarArray {
  if (
    data instanceof Uint8Array ||
    data instanceof Uint16Array ||
    data instanceof Float32Array ||
    data instanceof Float64Array
  ) {
    return data;
  }
  throw new SegmentShapeError("unsupported boundary dtype", {
    path,
    field: "dtype",
    expected: "uint8, uint16, float32 or float64",
    found: data.constructor.name,
  });
}

/** A box's shape as `[z, y, x]`. */
export function shape3(box: Box): [number, number, number] {
  const s = box.shape;
  return [s[0], s[1], s[2]];
}

/** Run a block task; untyped failures become {@link SegmentBlockError} naming the block and path. */
export async function withBlock<T>(block: number, path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SegmentError && error.block !== undefined) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new SegmentBlockError(`block task failed: ${message}`, { path, block, cause: error });
  }
}

/** Label data as numbers (64-bit ids converted; they stay exact below 2^53). */
export function numberData(data: TypedArray): ArrayLike<number> {
  if (data instanceof BigUint64Array || data instanceof BigInt64Array)
    return Float64Array.from(data, (v) => Number(v));
  return data as ArrayLike<number>;
}
