import { parse } from "@tessera/cli";
import { logged } from "@tessera/volume/cli";
import { Command } from "commander";
import type { Logger } from "pino";
import type { BlockSummary } from "./block-run.js";
import { examples, print, saveConfigOption, stepLog, warnAboutBoundaries } from "./cli-common.js";
import {
  addRunOptions,
  RELABEL_THRESHOLDS_HELP,
  type RunOptionValues,
  relabelThresholdsOption,
  runOverrides,
  THRESHOLD_INDEX_HELP,
} from "./cli-run-options.js";
import { SegmentOptionsError } from "./errors.js";
import type { SegmentRun } from "./options.js";
import { refuseExisting } from "./output-guard.js";
import { resolveRun } from "./run-config.js";

/** One step of a blockwise run, as a command: all blocks, or `block --id N` (one workflow task). */
export interface StepDefinition {
  name: "fragments" | "agglomerate" | "relabel";
  description: string;
  blockDescription: string;
  /** The whole step over all blocks (refuses existing outputs unless `run.overwrite`). */
  whole: (run: SegmentRun, log: Logger) => Promise<unknown>;
  /** One block task. */
  block: (run: SegmentRun, id: number) => Promise<BlockSummary>;
  /** Called before a block task (creates the step's output volume when absent). */
  prepareBlock?: (run: SegmentRun) => Promise<unknown>;
  /** Whether the step reads the boundary map (then it is checked for a likely mistake first). */
  readsBoundaries?: boolean;
}

/** Output paths of a run must differ from its input and from each other. */
export function checkDistinctPaths(run: SegmentRun): void {
  const seen = new Map<string, string>([[run.boundaries, "boundaries"]]);
  for (const field of ["fragments", "graph", "segmentation"] as const) {
    const other = seen.get(run[field]);
    if (other !== undefined) {
      throw new SegmentOptionsError(`the ${field} output is the ${other} path`, {
        path: run[field],
        field,
        expected: `a path of its own, not the ${other}`,
        found: run[field],
      });
    }
    seen.set(run[field], field);
  }
}

/** Options of `<step> block` as commander parses them (the thresholds only on `relabel block`). */
interface BlockOptionValues {
  id: number;
  config: string;
  thresholdIndex?: number;
  thresholds?: number[] | "all";
  log?: string;
}

/** The command of one step. */
export function stepCommand(step: StepDefinition): Command {
  const { name } = step;
  const command = addRunOptions(
    new Command(name).description(`${step.description} (all blocks; \`${name} block --id N\` for one task)`),
    name,
  );
  examples(
    command,
    `tessera segment ${name} --config run.json`,
    `tessera segment ${name} --boundaries boundaries.zarr --out run/ --block-shape 64,256,256${name === "relabel" ? " --threshold-index 1" : ""}`,
    ...(name === "relabel" ? ["tessera segment relabel --config run.json --thresholds all"] : []),
    `tessera segment ${name} --config run.json --overwrite --log ${name}.log`,
  );
  // options before `block` belong to this command, options after it to `block`
  command.enablePositionalOptions();
  command.action(async (opts: RunOptionValues) => {
    const run = await resolveRun(opts.config, runOverrides(opts, name));
    checkDistinctPaths(run);
    if (opts.saveConfig !== undefined)
      await refuseExisting([{ path: opts.saveConfig, what: "config" }], run.overwrite);
    if (step.readsBoundaries) await warnAboutBoundaries(run);
    const log = stepLog(name, run, opts.config, opts.log);
    const result = await logged(log, { command: `segment ${name}`, config: opts.config }, () =>
      step.whole(run, log),
    );
    await saveConfigOption(opts.saveConfig, run);
    print(result);
  });
  const block = new Command("block")
    .description(step.blockDescription)
    .requiredOption("--id <n>", "block id (0 … blocks − 1)", parse.integer(0, 2 ** 31 - 1, "3"))
    .requiredOption("--config <run.json>", "run config (JSON with // comments)");
  if (name === "relabel") {
    block
      .option("--threshold-index <k>", THRESHOLD_INDEX_HELP, parse.integer(0, 1000, "1"))
      .option("--thresholds <all|t,...>", RELABEL_THRESHOLDS_HELP, relabelThresholdsOption);
  }
  block.option("--log <file>", "structured log, JSON lines (default segment-<step>.log beside the config)");
  examples(
    block,
    `tessera segment ${name} block --id 3 --config run.json`,
    ...(name === "relabel"
      ? ["tessera segment relabel block --id 3 --config run.json --thresholds all"]
      : []),
  );
  block.action(async (opts: BlockOptionValues) => {
    const run = await resolveRun(opts.config, {
      config: { thresholdIndex: opts.thresholdIndex, relabelThresholds: opts.thresholds },
    });
    const log = stepLog(name, run, opts.config, opts.log);
    const result = await logged(log, { command: `segment ${name} block`, block: opts.id }, async () => {
      await step.prepareBlock?.(run);
      return step.block(run, opts.id);
    });
    print(result);
  });
  command.addCommand(block);
  return command;
}
