import { z } from "zod";
import { SegmentOptionsError } from "./errors.js";

const positiveTriple = z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]);
const intTriple = z.tuple([
  z.number().int().positive(),
  z.number().int().positive(),
  z.number().int().positive(),
]);

/** How boundary maps are read: scale and polarity. */
export const boundaryOptionsSchema = z.object({
  /** Value meaning "certainly membrane" (default: 255 for uint8, 65535 for uint16, 1 for floats). */
  maxValue: z.number().positive().optional(),
  /** The map is high inside cells and low on membranes (use 1 − p). */
  invert: z.boolean().default(false),
});

/** Options of the `fragments` step (CLI, pipeline YAML and JS API). */
export const fragmentsOptionsSchema = z.object({
  /** `seeded`: seeded watershed of the boundary map; `affinity`: affinity-graph watershed (zwatershed style). */
  method: z.enum(["seeded", "affinity"]).default("seeded"),
  /** Seeds of the seeded watershed: maxima of the boundary distance transform, or minima of the map. */
  seeds: z.enum(["distance", "minima"]).default("distance"),
  /** `3d`, or `2d` per z-section. */
  mode: z.enum(["2d", "3d"]).default("3d"),
  /** Interior threshold of the boundary map (in [0, 1], after scaling) for distance seeds. */
  threshold: z.number().min(0).max(1).default(0.5),
  /** Maximum-filter window for distance seeds, voxels. */
  minSeedDistance: z.number().int().positive().default(10),
  /** Fragments smaller than this many voxels are flooded by their neighbours (seeded) or merged (affinity). */
  minSize: z.number().int().nonnegative().default(0),
  /** Voxel size `[z, y, x]` in nm for the distance transform (default isotropic). */
  resolutionNm: positiveTriple.optional(),
  /** Affinity watershed: edges ≤ low are cut. */
  low: z.number().default(0.0001),
  /** Affinity watershed: edges ≥ high are always followed. */
  high: z.number().default(0.9999),
  /** Affinity watershed: size merging applies above this affinity. */
  mergeAffinity: z.number().default(0.3),
});

/** Options of the `agglomerate` step. */
export const agglomerateOptionsSchema = z.object({
  /** Thresholds on the edge score (1 − mean affinity), ascending; one segmentation each. */
  thresholds: z.array(z.number()).min(1).default([0.5]),
  /** `mean` affinity, or a quantile in [0, 1] of the affinity histogram. */
  scoring: z.union([z.literal("mean"), z.number().min(0).max(1)]).default("mean"),
  /** Histogram bins per edge (needed for quantile scoring; 0 = none). */
  histogramBins: z.number().int().min(0).max(65536).default(0),
});

/** Options of the `evaluate` step. */
export const evaluateOptionsSchema = z.object({
  /** Adapted Rand convention. */
  convention: z.enum(["cremi", "skimage"]).default("cremi"),
  /** CREMI border mask radius in nm (none by default). */
  borderThresholdNm: z.number().nonnegative().optional(),
  /** Voxel size `[z, y, x]` in nm (for the border mask; default: the ground truth's `resolution` attribute). */
  resolutionNm: positiveTriple.optional(),
  /** Ground-truth ids to leave out. */
  ignoreGt: z.array(z.number().int().nonnegative()).default([0]),
});

/** A blockwise segmentation run: inputs, outputs, block grid and the options of every step. */
export const segmentRunSchema = z.object({
  /** Boundary map, a zarr array `[z, y, x]` (uint8/uint16/float32; high = membrane unless `boundary.invert`). */
  boundaries: z.string().min(1),
  /** Fragments output, a zarr array (u32, or u64 when ids need it). */
  fragments: z.string().min(1),
  /** Folder for per-block region graphs and the agglomeration lookup. */
  graph: z.string().min(1),
  /** Final segmentation output, a zarr array (u32 consecutive ids). */
  segmentation: z.string().min(1),
  /** Write-block shape `[z, y, x]`. */
  blockShape: intTriple,
  /**
   * Context voxels read around each block for the fragments (one number or per axis). It must cover
   * how far a fragment's shape depends on data outside the block: 24 gave fragments identical to the
   * whole-volume ones on neuroproof sample 2 (8 did not).
   */
  context: z
    .union([
      z.number().int().nonnegative(),
      z.tuple([
        z.number().int().nonnegative(),
        z.number().int().nonnegative(),
        z.number().int().nonnegative(),
      ]),
    ])
    .default(24),
  /** Index into `agglomerate.thresholds` of the segmentation that `relabel` writes (default: the first). */
  thresholdIndex: z.number().int().nonnegative().default(0),
  boundary: boundaryOptionsSchema.default({ invert: false }),
  fragmentsOptions: fragmentsOptionsSchema.default(fragmentsOptionsSchema.parse({})),
  agglomerate: agglomerateOptionsSchema.default(agglomerateOptionsSchema.parse({})),
  /** Replace existing outputs. */
  overwrite: z.boolean().default(false),
  /**
   * Edges per sorted run of the out-of-core agglomeration (the block graphs' edges are sorted in runs
   * of this many on disk, then merged): memory while sorting ≈ 48 bytes × this. Default 2^20.
   */
  sortRunEdges: z
    .number()
    .int()
    .positive()
    .default(2 ** 20),
});

/** Validated options of the `fragments` step. */
export type FragmentsOptions = z.infer<typeof fragmentsOptionsSchema>;
/** Validated options of the `agglomerate` step. */
export type AgglomerateStepOptions = z.infer<typeof agglomerateOptionsSchema>;
/** Validated options of the `evaluate` step. */
export type EvaluateStepOptions = z.infer<typeof evaluateOptionsSchema>;
/** Validated boundary-map options. */
export type BoundaryOptions = z.infer<typeof boundaryOptionsSchema>;
/** A validated blockwise run configuration. */
export type SegmentRun = z.infer<typeof segmentRunSchema>;
/** A run configuration as written by hand (defaults not yet applied). */
export type SegmentRunInput = z.input<typeof segmentRunSchema>;

/**
 * Validate `value` against `schema`, applying defaults; throws {@link SegmentOptionsError} naming the
 * first offending field (and `path`, the config file, when given).
 */
export function parseOptions<T extends z.ZodType>(schema: T, value: unknown, path?: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new SegmentOptionsError(`invalid options: ${issue.message}`, {
    path,
    field: issue.path.join(".") || "(root)",
    expected: issue.message,
    found:
      JSON.stringify(
        issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown>)?.[k as PropertyKey], value),
      ) ?? "undefined",
  });
}
