import type { Affine } from "./fit.js";

/** The alignment models of {@link AlignStackOptions.mode}. */
export type AlignMode = "translation" | "rigid" | "affine" | "elastic";

/** The alignment modes, in order of flexibility. */
export const ALIGN_MODES: readonly AlignMode[] = ["translation", "rigid", "affine", "elastic"];

/**
 * A stack of sections read one at a time, so memory stays bounded by a few sections. Implementations
 * read from a folder of PNG/TIFF files or from a zarr array.
 */
export interface SectionSource {
  /** Number of sections. */
  readonly depth: number;
  readonly height: number;
  readonly width: number;
  /** Section z, `height × width` values in row-major order. Throws a typed error naming the file or section on bad data. */
  read(z: number): Promise<Float32Array>;
  /** A name for section z in messages: its file, or "<zarr> z=N". */
  name(z: number): string;
}

/**
 * Where each point of the output grid lies in a raw section, given at the nodes of a regular mesh:
 * node (row, col) sits at output point (y0 + row·stride, x0 + col·stride) and `positions[2·i]`,
 * `positions[2·i+1]` (i = row·cols + col) are its (y, x) in the raw section. Between nodes the map is
 * interpolated (Catmull–Rom); outside the mesh it is extended linearly from the edge cells.
 */
export interface MeshMap {
  kind: "mesh";
  rows: number;
  cols: number;
  stride: number;
  y0: number;
  x0: number;
  positions: Float64Array;
}

/** An affine output → raw map (see `Affine`: y' = a·y + b·x + c, x' = d·y + e·x + f). */
export interface AffineMap {
  kind: "affine";
  affine: Affine;
}

/** Output (aligned) coordinates → raw section coordinates: aligned(q) = raw(map(q)). */
export type SectionMap = AffineMap | MeshMap;

/** What happened to one section in {@link AlignStackOptions}'s run. */
export interface SectionAlignment {
  z: number;
  /** "reference": the first section with content (identity map); "aligned"; "skipped": blank or unmatched (no map). */
  status: "reference" | "aligned" | "skipped";
  /** Why skipped, or a warning about an aligned section; null when there is nothing to say. */
  reason: string | null;
  /** The sections it was matched to (nearest first). */
  references: number[];
  /** Output → raw map of this section; null when skipped. */
  map: SectionMap | null;
  /** Patch matches used, and how many the robust fit / mesh kept. */
  matches: number;
  inliers: number;
  /** RMS distance between the matches and the final map, px (null when there were none). */
  residualRms: number | null;
  /** Pearson correlation with the nearest reference: raw against raw, and aligned against aligned (null for the reference or a skipped section). */
  correlationBefore: number | null;
  correlationAfter: number | null;
  /** Mesh triangles whose orientation flipped (elastic only; 0 otherwise). */
  foldedTriangles: number;
}
