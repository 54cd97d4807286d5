import { parse } from "@tessera/cli";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { RunOverrides } from "./run-config.js";

/** Options every run step takes (`fragments`, `agglomerate`, `relabel`, `run`), as commander parses them. */
export interface RunOptionValues {
  config?: string;
  boundaries?: string;
  out?: string;
  fragments?: string;
  graph?: string;
  segmentation?: string;
  blockShape?: number[];
  context?: number | number[];
  invert?: boolean;
  maxValue?: number;
  method?: string;
  seeds?: string;
  mode?: string;
  seedThreshold?: number;
  minSeedDistance?: number;
  minSize?: number;
  /** `agglomerate.thresholds`, or for `relabel` the thresholds to write (`relabelThresholds`). */
  thresholds?: number[] | "all";
  thresholdIndex?: number;
  /** `agglomerate.model`: a learned agglomeration model (file or shipped name). */
  model?: string;
  /** `agglomerate.raw`: the raw image for a model trained with one. */
  raw?: string;
  overwrite?: boolean;
  saveConfig?: string;
  log?: string;
}

const contextList = parse.integers("24 or 8,24,24", { min: 0 });

/** `--context 24` or `--context 8,24,24`. */
function contextOption(value: string): number | number[] {
  const list = contextList(value);
  if (list.length !== 1 && list.length !== 3) {
    throw new InvalidArgumentError(`expected 1 or 3 integers ≥ 0 like 24 or 8,24,24, got "${value}"`);
  }
  return list.length === 1 ? list[0] : list;
}

const positive = parse.numbers("255", { count: 1, positive: true });

/** The commands that take the run options. */
export type RunCommandName = "run" | "fragments" | "agglomerate" | "relabel";

const thresholdNumbers = parse.numbers("0.3,0.5");

/** `--thresholds all` or `--thresholds 0.3,0.5` (relabel: which agglomeration thresholds to write). */
export function relabelThresholdsOption(value: string): number[] | "all" {
  return value.trim() === "all" ? "all" : thresholdNumbers(value);
}

/** Description of relabel's `--thresholds`. */
export const RELABEL_THRESHOLDS_HELP =
  "write one segmentation per threshold into a zarr group at the segmentation path: all, or values of agglomerate.thresholds (relabelThresholds)";

/** Description of `--threshold-index` (only on the commands that write one segmentation: run, relabel). */
export const THRESHOLD_INDEX_HELP = "which threshold relabel writes (default 0: the first)";

/**
 * Add the run options (config file, inputs, outputs, block grid, step options) to the command
 * `name`; `--threshold-index` only where a segmentation is written (`run`, `relabel`), and for
 * `relabel` `--thresholds` chooses the thresholds written ({@link relabelThresholdsOption}).
 */
export function addRunOptions(command: Command, name: RunCommandName): Command {
  command
    .option(
      "--config <run.json>",
      "run config (JSON with // comments; `tessera segment init-config` prints one); the options below override it",
    )
    .option("--boundaries <zarr>", "input boundary map, zarr [z,y,x] (high = membrane, or set --invert)")
    .option(
      "--out <dir>",
      "folder for the outputs not named below: fragments.zarr, graph/, segmentation.zarr",
    )
    .option("--fragments <zarr>", "fragments output")
    .option("--graph <dir>", "region graphs and agglomeration output folder")
    .option("--segmentation <zarr>", "segmentation output")
    .option(
      "--block-shape <z,y,x>",
      "write-block shape (default: a multiple of the input chunks near 64,256,256)",
      parse.integers("64,256,256", { count: 3 }),
    )
    .option("--context <n>", "voxels read around each block: n or z,y,x (default 24)", contextOption)
    .option("--invert", "the boundary map is high inside cells, low on membranes (e.g. grayscale EM)")
    .option("--no-invert", "the boundary map is high on membranes (overrides the config)")
    .option(
      "--max-value <v>",
      'value meaning "certainly membrane" (default 255 for uint8, 65535 for uint16, 1 for floats)',
      (v: string) => positive(v)[0],
    )
    .addOption(
      new Option("--method <name>", "fragments: seeded or affinity watershed (default seeded)").choices([
        "seeded",
        "affinity",
      ]),
    )
    .addOption(
      new Option("--seeds <name>", "seeded watershed seeds (default distance)").choices([
        "distance",
        "minima",
      ]),
    )
    .addOption(
      new Option("--mode <name>", "watershed in 3d or per 2d section (default 3d)").choices(["2d", "3d"]),
    )
    .option(
      "--seed-threshold <p>",
      "interior threshold for distance seeds, 0..1 (default 0.5)",
      parse.number(0, 1, "0.5"),
    )
    .option(
      "--min-seed-distance <n>",
      "distance seeds' maximum-filter window, voxels (default 10)",
      parse.integer(1, 10_000, "10"),
    )
    .option("--min-size <n>", "smallest fragment, voxels (default 0)", parse.integer(0, 2 ** 31 - 1, "50"));
  if (name === "relabel") {
    command.option("--thresholds <all|t,...>", RELABEL_THRESHOLDS_HELP, relabelThresholdsOption);
  } else {
    command.option(
      "--thresholds <t,...>",
      "agglomeration thresholds, ascending (default 0.5): on 1 − mean affinity, or with --model merge probabilities (merge while p ≥ t)",
      parse.numbers("0.3,0.5,0.7"),
    );
  }
  if (name === "agglomerate" || name === "run") {
    command.option(
      "--model <model.json|name>",
      'learned agglomeration by merge probability: a model from train-agglomeration, or a shipped one ("gala"); agglomerate.model',
    );
    command.option(
      "--raw <zarr>",
      "raw image (the boundaries' shape) for a model trained with one; agglomerate.raw",
    );
  }
  if (name === "relabel" || name === "run") {
    command.option("--threshold-index <k>", THRESHOLD_INDEX_HELP, parse.integer(0, 1000, "1"));
  }
  return command
    .option("--overwrite", "replace existing outputs (otherwise a step refuses to write over them)")
    .option("--save-config <file>", "write the effective run config (the reproducible record of this run)")
    .option(
      "--log <file>",
      "structured log, JSON lines (default segment-<step>.log beside the config, else in the output folder)",
    );
}

/**
 * The run config fields the command line sets (undefined where an option was not given); for
 * `relabel`, `--thresholds` sets `relabelThresholds` instead of `agglomerate.thresholds`.
 */
export function runOverrides(opts: RunOptionValues, name: RunCommandName): RunOverrides {
  const relabel = name === "relabel";
  return {
    out: opts.out,
    config: {
      boundaries: opts.boundaries,
      fragments: opts.fragments,
      graph: opts.graph,
      segmentation: opts.segmentation,
      blockShape: opts.blockShape,
      context: opts.context,
      thresholdIndex: opts.thresholdIndex,
      overwrite: opts.overwrite,
      boundary: { invert: opts.invert, maxValue: opts.maxValue },
      fragmentsOptions: {
        method: opts.method,
        seeds: opts.seeds,
        mode: opts.mode,
        threshold: opts.seedThreshold,
        minSeedDistance: opts.minSeedDistance,
        minSize: opts.minSize,
      },
      relabelThresholds: relabel ? opts.thresholds : undefined,
      agglomerate: { thresholds: relabel ? undefined : opts.thresholds, model: opts.model, raw: opts.raw },
    },
  };
}
