import { openVolume } from "@tessera/volume";
import { logged } from "@tessera/volume/cli";
import { Command } from "commander";
import {
  examples,
  hooks,
  print,
  saveConfigOption,
  stepLog,
  stepLogFile,
  warnAboutBoundaries,
} from "./cli-common.js";
import { scoreLabels } from "./cli-evaluate.js";
import { addRunOptions, type RunOptionValues, runOverrides } from "./cli-run-options.js";
import { checkDistinctPaths } from "./cli-steps.js";
import { SegmentShapeError } from "./errors.js";
import type { SegmentationScores } from "./evaluate.js";
import { labelShape, readLabels } from "./labels-input.js";
import { refuseExisting } from "./output-guard.js";
import { resolveRun } from "./run-config.js";
import { segmentStep } from "./run-steps.js";

interface RunCommandOptions extends RunOptionValues {
  gt?: string;
  gtDataset?: string;
  json?: boolean;
}

/** What `segment run` prints (as JSON with `--json`, else as a few lines of text). */
export interface RunReport {
  boundaries: string;
  shape: number[];
  blocks: number;
  fragments: number;
  thresholds: number[];
  /** Segments at each threshold. */
  segments: number[];
  /** The threshold whose segmentation was written. */
  threshold: number;
  outputs: { fragments: string; graph: string; segmentation: string };
  log: string;
  seconds: number;
  /** Scores against `--gt`, when given. */
  scores?: SegmentationScores & { groundTruth: string };
}

const f4 = (x: number) => x.toFixed(4);

/** The short text summary of a run. */
export function formatRunReport(r: RunReport): string {
  const k = r.thresholds.indexOf(r.threshold);
  const lines = [
    `segmented ${r.boundaries} (${r.shape.join("×")}) in ${r.blocks} block${r.blocks === 1 ? "" : "s"}, ${r.seconds.toFixed(1)} s: ` +
      `${r.fragments} fragments; segments at thresholds ${r.thresholds.join(", ")}: ${r.segments.join(", ")}`,
    `  fragments     ${r.outputs.fragments}`,
    `  graph         ${r.outputs.graph}`,
    `  segmentation  ${r.outputs.segmentation} (threshold ${r.threshold}, ${r.segments[k]} segments)`,
    `  log           ${r.log}`,
  ];
  if (r.scores) {
    const s = r.scores;
    lines.push(
      `scores against ${s.groundTruth}: VOI split ${f4(s.voiSplit)}, VOI merge ${f4(s.voiMerge)}, ` +
        `adapted Rand error ${f4(s.are)}, CREMI score ${f4(s.cremiScore)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** `segment run`: fragments → agglomerate → relabel (→ evaluate with `--gt`) in one process. */
export function runCommand(): Command {
  const command = addRunOptions(
    new Command("run").description(
      "the whole segmentation in one go (workstation case): fragments → agglomerate → relabel, then scores when --gt is given",
    ),
    "run",
  )
    .option("--gt <zarr|h5>", "ground-truth labels to score the segmentation against (label 0 ignored)")
    .option("--gt-dataset <name>", "HDF5 dataset of --gt (default: the file's only dataset)")
    .option("--json", "print the summary as JSON");
  examples(
    command,
    "tessera segment run --boundaries boundaries.zarr --out run/",
    "tessera segment run --boundaries em.zarr --invert --out run/ --thresholds 0.3,0.5 --gt groundtruth.zarr",
    "tessera segment run --config run.json --overwrite --save-config run/run.json",
  );
  command.action(async (opts: RunCommandOptions) => {
    const started = performance.now();
    const run = await resolveRun(opts.config, runOverrides(opts, "run"));
    checkDistinctPaths(run);
    const boundaries = await openVolume(run.boundaries);
    if (opts.gt !== undefined) {
      const shape = await labelShape(opts.gt, opts.gtDataset);
      if (shape.join() !== boundaries.shape.join()) {
        throw new SegmentShapeError("the ground truth and the boundaries differ in shape", {
          path: opts.gt,
          field: "--gt",
          expected: boundaries.shape.join("×"),
          found: shape.join("×"),
        });
      }
    }
    if (opts.saveConfig !== undefined)
      await refuseExisting([{ path: opts.saveConfig, what: "config" }], run.overwrite);
    await warnAboutBoundaries(run);
    const logFile = stepLogFile("run", run, opts.config, opts.log);
    const log = stepLog("run", run, opts.config, opts.log);
    const summary = await logged(log, { command: "segment run", config: opts.config }, async () => {
      const result = await segmentStep(run, hooks(log));
      let scores: RunReport["scores"];
      if (opts.gt !== undefined) {
        const [seg, gt] = await Promise.all([
          readLabels(run.segmentation),
          readLabels(opts.gt, opts.gtDataset),
        ]);
        scores = { ...scoreLabels(seg, gt, { segPath: run.segmentation }), groundTruth: opts.gt };
      }
      return { ...result, scores };
    });
    await saveConfigOption(opts.saveConfig, run);
    const report: RunReport = {
      boundaries: run.boundaries,
      shape: [...boundaries.shape],
      blocks: summary.blocks,
      fragments: summary.fragments,
      thresholds: run.agglomerate.thresholds,
      segments: summary.agglomeration.segments,
      threshold: run.agglomerate.thresholds[run.thresholdIndex],
      outputs: { fragments: run.fragments, graph: run.graph, segmentation: run.segmentation },
      log: logFile,
      seconds: (performance.now() - started) / 1000,
      scores: summary.scores,
    };
    if (opts.json) print(report);
    else process.stdout.write(formatRunReport(report));
  });
  return command;
}
