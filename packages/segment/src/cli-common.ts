import { dirname, join } from "node:path";
import { warn } from "@tessera/cli";
import { openVolume, startProgressBar } from "@tessera/volume";
import { openRunLog } from "@tessera/volume/cli";
import type { Command } from "commander";
import type { Logger } from "pino";
import { checkBoundaryVolume } from "./boundary-sample.js";
import type { SegmentRun } from "./options.js";
import { refuseExisting } from "./output-guard.js";
import { saveRunConfig } from "./run-config.js";
import type { StepHooks } from "./run-steps.js";

/** Print `value` as indented JSON on stdout. */
export function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Add an `Examples:` section to `command`'s help (each line is a `tessera …` command line). */
export function examples(command: Command, ...lines: string[]): Command {
  return command.addHelpText("after", `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`);
}

/**
 * The run log file of a step: `--log`, else `segment-<step>.log` beside the config file, else in the
 * folder that holds the run's fragments (`--out`).
 */
export function stepLogFile(step: string, run: SegmentRun, config?: string, file?: string): string {
  const folder = config === undefined ? dirname(run.fragments) : dirname(config);
  return file ?? join(folder, `segment-${step}.log`);
}

/** The structured log of a step (pino JSON lines appended to {@link stepLogFile}). */
export function stepLog(step: string, run: SegmentRun, config?: string, file?: string): Logger {
  return openRunLog(stepLogFile(step, run, config, file), `tessera-segment-${step}`);
}

/** Progress bars on stderr (silent when stderr is not a terminal), warnings on stderr and the step's log. */
export function hooks(log: Logger): StepHooks {
  return { log, progress: startProgressBar, warn: (message) => warn(message) };
}

/** Warn (one line on stderr) when the run's boundary map looks like raw EM or is inverted by mistake. */
export async function warnAboutBoundaries(run: SegmentRun): Promise<void> {
  const diagnosis = await checkBoundaryVolume(await openVolume(run.boundaries), run.boundary);
  if (diagnosis.warning) warn(`boundaries ${run.boundaries}: ${diagnosis.warning}`);
}

/** `--save-config <file>`: write the effective run config, refusing an existing file unless `--overwrite`. */
export async function saveConfigOption(file: string | undefined, run: SegmentRun): Promise<void> {
  if (file === undefined) return;
  await refuseExisting([{ path: file, what: "config" }], run.overwrite);
  await saveRunConfig(file, run);
}
