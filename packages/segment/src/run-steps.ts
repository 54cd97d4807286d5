import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { openVolume, type ProgressBar } from "@tessera/volume";
import type { Logger } from "pino";
import { agglomerateRun } from "./block-agglomerate.js";
import { runFragmentsBlock } from "./block-fragments.js";
import { runGraphBlock } from "./block-graph.js";
import { runRelabelBlock } from "./block-relabel.js";
import { type BlockSummary, prepareFragments, prepareRun, runGrid } from "./block-run.js";
import { SegmentBlockError, SegmentOptionsError } from "./errors.js";
import { lookupFile } from "./lookup-file.js";
import type { SegmentRun } from "./options.js";
import { refuseExisting, withStaging } from "./output-guard.js";
import { prepareRelabel, writesGroup } from "./relabel-group.js";
import { loadRunModel, openRunRaw } from "./run-model.js";

/** How a step reports: a structured log and progress bars (both optional). */
export interface StepHooks {
  log?: Logger;
  /** Tell the user something looks wrong (one line), without stopping the step. */
  warn?: (message: string) => void;
  /** Start a progress bar for `label`, counting `unit`. */
  progress?: (label: string, unit: string) => ProgressBar;
}

/** What the agglomeration of a run found. */
export interface AgglomerationSummary {
  fragments: number;
  edges: number;
  /** Segments at each threshold. */
  segments: number[];
  seconds: number;
  /** With a model: the data it is applied to look unlike its training data (`modelInputWarning`). */
  warning?: string;
}

async function allBlocks(
  run: SegmentRun,
  label: string,
  step: (run: SegmentRun, id: number) => Promise<BlockSummary>,
  hooks: StepHooks,
): Promise<BlockSummary[]> {
  const { grid } = await runGrid(run);
  const bar = hooks.progress?.(label, "blocks");
  const summaries: BlockSummary[] = [];
  try {
    for (let id = 0; id < grid.count; id++) {
      const summary = await step(run, id);
      summaries.push(summary);
      hooks.log?.info({ step: label, block: id, summary }, "block done");
      bar?.update(id + 1, grid.count);
    }
  } finally {
    bar?.stop();
  }
  return summaries;
}

async function agglomerateAll(run: SegmentRun, hooks: StepHooks): Promise<AgglomerationSummary> {
  await allBlocks(run, "graph", runGraphBlock, hooks);
  const bar = hooks.progress?.("agglomerate", "graphs");
  let summary: AgglomerationSummary;
  try {
    summary = await agglomerateRun(run, bar?.update);
  } finally {
    bar?.stop();
  }
  if (summary.warning) {
    hooks.log?.warn({ step: "agglomerate", warning: summary.warning }, "model input warning");
    hooks.warn?.(summary.warning);
  }
  return summary;
}

const count = (summaries: BlockSummary[]) => summaries.reduce((s, b) => s + b.count, 0);

/**
 * The `fragments` step over all blocks. Refuses an existing fragments volume unless `run.overwrite`;
 * writes a staging volume and moves it into place when every block is done, so a failed run leaves
 * no half-written fragments (and keeps the ones it was to replace).
 */
export async function fragmentsStep(
  run: SegmentRun,
  hooks: StepHooks = {},
): Promise<{ blocks: number; fragments: number }> {
  await refuseExisting([{ path: run.fragments, what: "fragments" }], run.overwrite);
  return withStaging([run.fragments], async ([fragments]) => {
    const staged = { ...run, fragments, overwrite: true };
    await prepareFragments(staged);
    const summaries = await allBlocks(staged, "fragments", runFragmentsBlock, hooks);
    return { blocks: summaries.length, fragments: count(summaries) };
  });
}

/**
 * The `agglomerate` step: the region graph of every block, then the global agglomeration. Refuses
 * a graph folder that holds an agglomeration already unless `run.overwrite` (which first removes the
 * old result, so a failure cannot leave it beside new block graphs); needs the fragments.
 */
export async function agglomerateStep(run: SegmentRun, hooks: StepHooks = {}): Promise<AgglomerationSummary> {
  const done = join(run.graph, "agglomeration.json");
  await refuseExisting([{ path: done, what: "agglomeration" }], run.overwrite);
  // a missing or unusable model fails before any block is written
  if (run.agglomerate.model !== undefined) await loadRunModel(run);
  await openRunRaw(run);
  await openVolume(run.fragments).catch((error: unknown) => {
    throw new SegmentBlockError(
      "the fragments of the run are missing: run `tessera segment fragments` first",
      {
        path: run.fragments,
        field: "fragments",
        expected: "the fragments volume of this run",
        found: (error as Error).message,
        cause: error,
      },
    );
  });
  await rm(done, { force: true });
  await rm(lookupFile(run), { force: true });
  return agglomerateAll(run, hooks);
}

/**
 * The `relabel` step: the segmentation at `run.thresholdIndex`, or with `run.relabelThresholds` a zarr
 * group of one segmentation per requested threshold (written in one pass over the fragments). Refuses
 * an existing segmentation unless `run.overwrite`; staged like {@link fragmentsStep}; needs the
 * agglomeration (and, for a group, one made with the run's `agglomerate.thresholds`).
 */
export async function relabelStep(
  run: SegmentRun,
  hooks: StepHooks = {},
): Promise<{ blocks: number; voxels: number }> {
  await refuseExisting([{ path: run.segmentation, what: "segmentation" }], run.overwrite);
  if (!existsSync(lookupFile(run))) {
    throw new SegmentBlockError("the run has no agglomeration: run `tessera segment agglomerate` first", {
      path: lookupFile(run),
      field: "graph",
      expected: "the lookup written by the agglomerate step",
      found: "no file",
    });
  }
  if (writesGroup(run)) await checkAgglomerationThresholds(run);
  return withStaging([run.segmentation], async ([segmentation]) => {
    const staged = { ...run, segmentation, overwrite: true };
    await prepareRelabel(staged);
    const summaries = await allBlocks(staged, "relabel", runRelabelBlock, hooks);
    return { blocks: summaries.length, voxels: summaries.reduce((s, b) => s + b.voxels, 0) };
  });
}

/** What {@link segmentStep} did. */
export interface SegmentRunSummary {
  blocks: number;
  fragments: number;
  agglomeration: AgglomerationSummary;
}

/**
 * Every step in one go (the workstation case): fragments, region graphs, agglomeration, relabel.
 * Refuses existing outputs (fragments, graph folder, segmentation) unless `run.overwrite`; all three
 * are staged and moved into place only when the whole run succeeded.
 */
export async function segmentStep(run: SegmentRun, hooks: StepHooks = {}): Promise<SegmentRunSummary> {
  await refuseExisting(
    [
      { path: run.fragments, what: "fragments" },
      { path: run.graph, what: "graph" },
      { path: run.segmentation, what: "segmentation" },
    ],
    run.overwrite,
  );
  if (run.agglomerate.model !== undefined) await loadRunModel(run);
  await openRunRaw(run);
  return withStaging(
    [run.fragments, run.graph, run.segmentation],
    async ([fragments, graph, segmentation]) => {
      // run writes the one segmentation at thresholdIndex (relabelThresholds is for `relabel`)
      const staged = {
        ...run,
        fragments,
        graph,
        segmentation,
        overwrite: true,
        relabelThresholds: undefined,
      };
      await prepareRun(staged);
      const summaries = await allBlocks(staged, "fragments", runFragmentsBlock, hooks);
      const agglomeration = await agglomerateAll(staged, hooks);
      await allBlocks(staged, "relabel", runRelabelBlock, hooks);
      return { blocks: summaries.length, fragments: count(summaries), agglomeration };
    },
  );
}

/**
 * The thresholds of the run's agglomeration (`agglomeration.json`) must be `agglomerate.thresholds`:
 * a group names its arrays by threshold, so a config edited after `agglomerate` would mislabel them.
 */
async function checkAgglomerationThresholds(run: SegmentRun): Promise<void> {
  const file = join(run.graph, "agglomeration.json");
  const done = JSON.parse(await readFile(file, "utf8").catch(() => "{}")) as { thresholds?: number[] };
  const found = done.thresholds ?? [];
  if (found.join() !== run.agglomerate.thresholds.join()) {
    throw new SegmentOptionsError("the agglomeration was made with other thresholds than the config's", {
      path: file,
      field: "agglomerate.thresholds",
      expected: `[${run.agglomerate.thresholds.join(", ")}] (rerun agglomerate, or set these in the config)`,
      found: `[${found.join(", ")}]`,
    });
  }
}
