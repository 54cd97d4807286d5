import { type CompactLabels, type CompactOptions, compactLabels } from "./compact-labels.js";
import { InvalidLabelsError } from "./errors.js";
import { returnKernel, takeKernel } from "./kernels/mc-wasm.js";
import { checkLabelArray, type LabelArray } from "./label-array.js";
import { LabelBuffers, march } from "./mc-march.js";
import type { Mesh } from "./mesh.js";

type Vec3 = readonly [number, number, number];
type Flags3 = readonly [boolean, boolean, boolean];

/** Options of {@link marchingCubes}. */
export interface MarchingCubesOptions {
  /** Voxel size in nm, z,y,x (default `[1, 1, 1]`). */
  resolutionNm?: Vec3;
  /** Mesh only these label ids (default: every non-zero label). Each must occur in the volume. */
  labels?: Iterable<number>;
  /** Position of the array's first voxel in the whole volume, in voxels z,y,x (default 0). */
  offsetVoxels?: Vec3;
  /**
   * Per axis z,y,x: is the array's low face the volume border? Then the surface is closed there
   * (voxels outside count as background). Default all true. A block adapter sets false on faces
   * inside the volume, so each cell is meshed by exactly one block.
   */
  closeLow?: Flags3;
  /** Same as `closeLow` for the high faces. Where false, the array must hold one voxel of overlap. */
  closeHigh?: Flags3;
}

/**
 * Surfaces of every label of an integer volume in one pass (multi-label marching cubes on the
 * voxel-centre lattice). Each label's surface is closed (also at the volume border), its vertices
 * are shared between triangles (no duplicates), triangles wind counter-clockwise seen from outside.
 * Vertex positions are in nm, x,y,z, with voxel `(z, y, x)` centred at `(x, y, z) * resolution`.
 *
 * @param labels integer label volume, C order z,y,x; 0 is background.
 * @param shape `[z, y, x]`.
 * @returns a map label id → mesh, in increasing label order.
 */
export function marchingCubes(
  labels: ArrayLike<number | bigint>,
  shape: readonly number[],
  options: MarchingCubesOptions = {},
): Map<number, Mesh> {
  const kernel = takeKernel();
  try {
    // the labels are compacted in the kernel, or by compactLabels straight into its memory (when it
    // can hold them)
    const plan = planMarchingCubes(labels, shape, options, {
      compact: kernel?.compact,
      allocate: kernel?.grid,
    });
    if (plan.empty) return emptyMeshes(plan.ids);
    if (kernel?.holds(plan.cid)) {
      const meshes = kernel.march(plan.P, plan.Q, plan.R, plan.ids.length, plan.origin, plan.spacing);
      if (meshes !== undefined) return byLabel(plan.ids, (k) => meshes[k]);
      // the output did not fit in the kernel's memory: the reference path over the same grid
      return marchReference({ ...plan, cid: kernel.gridView() });
    }
    return marchReference(plan);
  } finally {
    if (kernel !== undefined) returnKernel(kernel);
  }
}

/**
 * The TypeScript marching cubes (`march`) over a plan, in this thread: what the WebAssembly kernel
 * must reproduce exactly, and what runs where the kernel cannot.
 */
export function marchReference(plan: MarchPlan): Map<number, Mesh> {
  if (plan.empty) return emptyMeshes(plan.ids);
  const buffers = new LabelBuffers(plan.ids.length, plan.runs);
  march(plan.cid, plan.P, plan.Q, plan.R, plan.origin, plan.spacing, buffers);
  return byLabel(plan.ids, (k) => buffers.mesh(k));
}

/** A validated, compacted marching-cubes job: what {@link march} needs, on any thread. */
export interface MarchPlan {
  /** Padded compact-id grid, `P×Q×R` (z,y,x); in a SharedArrayBuffer when planned for workers. */
  cid: Uint16Array | Uint32Array;
  ids: number[];
  runs: Float64Array;
  P: number;
  Q: number;
  R: number;
  /** Lattice position of the grid's first point, voxels x,y,z. */
  origin: Vec3;
  /** Voxel size in nm, x,y,z. */
  spacing: Vec3;
  /** Nothing to march: no labels, or a grid too thin for a cell. */
  empty: boolean;
}

/** How {@link planMarchingCubes} compacts the labels. */
export interface PlanOptions extends CompactOptions {
  /**
   * Compact instead of `compactLabels` (same arguments and result): the WebAssembly kernel's
   * `compact`; where it returns `undefined`, `compactLabels` runs with the other options.
   */
  compact?: (
    data: LabelArray,
    shape: readonly number[],
    pad: Vec3,
    padded: Vec3,
    wanted: Iterable<number> | undefined,
  ) => CompactLabels | undefined;
}

/** Validate the input and options and compact the labels (`compact`: where, shared memory, progress). */
export function planMarchingCubes(
  labels: ArrayLike<number | bigint>,
  shape: readonly number[],
  options: MarchingCubesOptions,
  compact: PlanOptions = {},
): MarchPlan {
  const data = checkLabelArray(labels, shape);
  if (data.length === 0) {
    throw new InvalidLabelsError("label volume is empty", {
      field: "shape",
      expected: "at least one voxel",
      found: JSON.stringify(shape),
    });
  }
  const res = options.resolutionNm ?? [1, 1, 1];
  if (res.length !== 3 || res.some((r) => !(r > 0))) {
    throw new InvalidLabelsError("resolution must be three positive numbers", {
      field: "resolutionNm",
      expected: "[z, y, x] > 0",
      found: JSON.stringify(res),
    });
  }
  const off = options.offsetVoxels ?? [0, 0, 0];
  const closeLow = options.closeLow ?? [true, true, true];
  const lz = closeLow[0] ? 1 : 0;
  const ly = closeLow[1] ? 1 : 0;
  const lx = closeLow[2] ? 1 : 0;
  const [P, Q, R] = paddedShape(shape, options);
  const pad: Vec3 = [lz, ly, lx];
  const { cid, ids, runs } =
    compact.compact?.(data, shape, pad, [P, Q, R], options.labels) ??
    compactLabels(data, shape, pad, [P, Q, R], options.labels, compact);
  return {
    cid,
    ids,
    runs,
    P,
    Q,
    R,
    // Vertex position of padded lattice index i along an axis: (i - pad + offset) * res, with the
    // integer part summed first so that blocks of one volume compute bit-identical seam vertices.
    origin: [off[2] - lx, off[1] - ly, off[0] - lz],
    spacing: [res[2], res[1], res[0]],
    empty: ids.length <= 1 || P < 2 || Q < 2 || R < 2,
  };
}

/** Shape z,y,x of the grid: the volume plus one background layer on every closed face. */
export function paddedShape(
  shape: readonly number[],
  options: MarchingCubesOptions,
): [number, number, number] {
  const closeLow = options.closeLow ?? [true, true, true];
  const closeHigh = options.closeHigh ?? [true, true, true];
  return [0, 1, 2].map((k) => shape[k] + (closeLow[k] ? 1 : 0) + (closeHigh[k] ? 1 : 0)) as [
    number,
    number,
    number,
  ];
}

/** Empty meshes for every label of a plan with nothing to march. */
export function emptyMeshes(ids: readonly number[]): Map<number, Mesh> {
  return byLabel(ids, () => ({ positions: new Float32Array(0), indices: new Uint32Array(0) }));
}

/** The meshes of compact ids 1.. keyed by their label, in increasing label order. */
export function byLabel(ids: readonly number[], meshOf: (k: number) => Mesh): Map<number, Mesh> {
  const order = Array.from({ length: ids.length - 1 }, (_, i) => i + 1).sort((x, y) => ids[x] - ids[y]);
  const out = new Map<number, Mesh>();
  for (const k of order) out.set(ids[k], meshOf(k));
  return out;
}
