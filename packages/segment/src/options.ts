import { z } from "zod";
import { SegmentOptionsError } from "./errors.js";
import { optionIssues } from "./option-issues.js";

const positiveTriple = z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]);
const intTriple = z.tuple([
  z.number().int().positive(),
  z.number().int().positive(),
  z.number().int().positive(),
]);

// Every field carries a `.describe()` text: the CLI prints it as the comment of the field in
// `tessera segment init-config`, and errors name the field by its path.

/** How boundary maps are read: scale and polarity. */
export const boundaryOptionsSchema = z.strictObject({
  maxValue: z
    .number()
    .positive()
    .optional()
    .describe('value meaning "certainly membrane" (default: 255 for uint8, 65535 for uint16, 1 for floats)'),
  invert: z
    .boolean()
    .default(false)
    .describe(
      "true when the map is high inside cells and low on membranes (e.g. grayscale EM): 1 − p is used",
    ),
});

/** Options of the `fragments` step (CLI, pipeline YAML and JS API). */
export const fragmentsOptionsSchema = z.strictObject({
  method: z
    .enum(["seeded", "affinity"])
    .default("seeded")
    .describe(
      '"seeded": seeded watershed of the boundary map; "affinity": affinity-graph watershed (zwatershed style)',
    ),
  seeds: z
    .enum(["distance", "minima"])
    .default("distance")
    .describe(
      'seeds of the seeded watershed: "distance" (maxima of the boundary distance transform) or "minima" of the map',
    ),
  mode: z.enum(["2d", "3d"]).default("3d").describe('"3d", or "2d" per z-section'),
  threshold: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe("interior threshold of the boundary map (0..1, after scaling) for distance seeds"),
  minSeedDistance: z
    .number()
    .int()
    .positive()
    .default(10)
    .describe("maximum-filter window for distance seeds, voxels"),
  minSize: z
    .number()
    .int()
    .nonnegative()
    .default(0)
    .describe(
      "fragments smaller than this many voxels are flooded by their neighbours (seeded) or merged (affinity)",
    ),
  resolutionNm: positiveTriple
    .optional()
    .describe("voxel size [z, y, x] in nm for the distance transform (default isotropic)"),
  low: z.number().default(0.0001).describe("affinity watershed: edges ≤ low are cut"),
  high: z.number().default(0.9999).describe("affinity watershed: edges ≥ high are always followed"),
  mergeAffinity: z
    .number()
    .default(0.3)
    .describe("affinity watershed: size merging applies above this affinity"),
});

/** Options of the `agglomerate` step. */
export const agglomerateOptionsSchema = z.strictObject({
  thresholds: z
    .array(z.number().min(0).max(1))
    .min(1)
    .default([0.5])
    .refine((t) => t.every((v, i) => i === 0 || v > t[i - 1]), "expected strictly ascending thresholds")
    .describe(
      "thresholds, 0..1, ascending; one segmentation each: on the edge score (1 − mean affinity), or with a model on the merge probability (merge while p ≥ threshold)",
    ),
  scoring: z
    .union([z.literal("mean"), z.number().min(0).max(1)])
    .default("mean")
    .describe('"mean" affinity, or a quantile in [0, 1] of the affinity histogram'),
  histogramBins: z
    .number()
    .int()
    .min(0)
    .max(65536)
    .default(0)
    .describe("histogram bins per edge (needed for quantile scoring; 0 = none)"),
  model: z
    .string()
    .min(1)
    .optional()
    .describe(
      'learned agglomeration: a model file written by train-agglomeration, or a shipped model ("gala"); thresholds are then merge probabilities (not set: mean-affinity agglomeration)',
    ),
  raw: z
    .string()
    .min(1)
    .optional()
    .describe(
      "raw image (zarr array, the boundaries' shape) for a model trained with one (train-agglomeration --raw)",
    ),
});

/** Options of the `evaluate` step. */
export const evaluateOptionsSchema = z.strictObject({
  convention: z.enum(["cremi", "skimage"]).default("cremi").describe("adapted Rand convention"),
  borderThresholdNm: z
    .number()
    .nonnegative()
    .optional()
    .describe("CREMI border mask radius in nm (none by default)"),
  resolutionNm: positiveTriple
    .optional()
    .describe(
      "voxel size [z, y, x] in nm (for the border mask; default: the ground truth's resolution attribute)",
    ),
  ignoreGt: z.array(z.number().int().nonnegative()).default([0]).describe("ground-truth ids to leave out"),
});

/**
 * A blockwise segmentation run: inputs, outputs, block grid and the options of every step. A config
 * file (`run.json`, JSON with `//` line comments) holds one; `tessera segment init-config` prints a
 * complete, commented example.
 */
export const segmentRunSchema = z
  .strictObject({
    boundaries: z
      .string()
      .min(1)
      .describe(
        "input: boundary map, a zarr array [z, y, x] (uint8/uint16/float32), high = membrane unless boundary.invert",
      ),
    fragments: z.string().min(1).describe("output: fragments, a zarr array (u32, or u64 when ids need it)"),
    graph: z
      .string()
      .min(1)
      .describe("output: folder for per-block region graphs and the agglomeration lookup"),
    segmentation: z.string().min(1).describe("output: the segmentation, a zarr array (u32 consecutive ids)"),
    blockShape: intTriple.describe("write-block shape [z, y, x], voxels"),
    context: z
      .union([
        z.number().int().nonnegative(),
        z.tuple([
          z.number().int().nonnegative(),
          z.number().int().nonnegative(),
          z.number().int().nonnegative(),
        ]),
      ])
      .default(24)
      .describe(
        "voxels read around each block for the fragments (one number or [z, y, x]); 24 gave fragments identical to the whole-volume ones on neuroproof sample 2 (8 did not)",
      ),
    thresholdIndex: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .describe("index into agglomerate.thresholds of the segmentation that relabel writes"),
    relabelThresholds: z
      .union([z.literal("all"), z.array(z.number().min(0).max(1)).min(1)])
      .optional()
      .describe(
        'relabel: "all" or a list of agglomerate.thresholds values, written as one array per threshold into a zarr group at segmentation (not set: one array, the thresholdIndex entry)',
      ),
    boundary: boundaryOptionsSchema.default({ invert: false }).describe("how the boundary map is read"),
    fragmentsOptions: fragmentsOptionsSchema
      .default(fragmentsOptionsSchema.parse({}))
      .describe("the watershed that makes fragments"),
    agglomerate: agglomerateOptionsSchema
      .default(agglomerateOptionsSchema.parse({}))
      .describe("the region-graph agglomeration"),
    overwrite: z
      .boolean()
      .default(false)
      .describe("replace existing outputs (like --overwrite); otherwise a step refuses to write over them"),
    sortRunEdges: z
      .number()
      .int()
      .positive()
      .default(2 ** 20)
      .describe(
        "edges per sorted run of the out-of-core agglomeration (memory while sorting ≈ 48 bytes × this)",
      ),
  })
  .refine((run) => run.thresholdIndex < run.agglomerate.thresholds.length, {
    path: ["thresholdIndex"],
    message: "expected an index into agglomerate.thresholds",
  })
  .refine(
    (run) =>
      !Array.isArray(run.relabelThresholds) ||
      run.relabelThresholds.every((t) => run.agglomerate.thresholds.includes(t)),
    {
      path: ["relabelThresholds"],
      message: 'expected "all" or values of agglomerate.thresholds',
    },
  );

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

/** How {@link parseOptions} words its error. */
export interface ParseOptionsContext {
  /** What is validated, for the message (`run config`; default `options`). */
  what?: string;
  /** Extra advice appended to an issue's `expected` (e.g. the command-line option that sets the field). */
  hint?: (field: string, found: string) => string | undefined;
}

/**
 * Validate `value` against `schema`, applying defaults; throws one {@link SegmentOptionsError} that
 * names every offending field at once, with what was expected and what was found (`issues` holds
 * them one by one), and `path`, the config file, when given.
 */
export function parseOptions<T extends z.ZodType>(
  schema: T,
  value: unknown,
  path?: string,
  context: ParseOptionsContext = {},
): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = optionIssues(schema, value, result.error.issues).map((issue) => {
    const hint = context.hint?.(issue.field, issue.found);
    return hint ? { ...issue, expected: `${issue.expected} (${hint})` } : issue;
  });
  const list = issues.map((i) => `${i.field}: expected ${i.expected}, found ${i.found}`).join("; ");
  const count = `${issues.length} invalid field${issues.length === 1 ? "" : "s"}`;
  throw new SegmentOptionsError(`invalid ${context.what ?? "options"} (${count}): ${list}`, {
    path,
    field: issues.map((i) => i.field).join(", "),
    issues,
  });
}
