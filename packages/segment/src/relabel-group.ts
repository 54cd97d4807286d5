import { join } from "node:path";
import { createGroup } from "@tessera/volume";
import { ensureOutput, prepareSegmentation, runGrid } from "./block-run.js";
import type { SegmentRun } from "./options.js";

/** One labelled array that relabel writes. */
export interface RelabelTarget {
  /** The agglomeration threshold. */
  threshold: number;
  /** Its index in `agglomerate.thresholds` (the lookup table). */
  index: number;
  /** The zarr array written: the segmentation itself, or an array of the segmentation group. */
  path: string;
}

/** Name of the array of threshold `t` in a multi-threshold segmentation group (`0.3` → `"0.3"`). */
export function thresholdArrayName(t: number): string {
  return String(t);
}

/** Whether relabel writes a group of one array per threshold (`run.relabelThresholds` set). */
export function writesGroup(run: SegmentRun): boolean {
  return run.relabelThresholds !== undefined;
}

/**
 * What relabel writes: without `run.relabelThresholds`, the threshold at `run.thresholdIndex` into
 * `run.segmentation`; with it (`"all"` or a list of `agglomerate.thresholds` values), each threshold,
 * ascending and once, into `<segmentation>/<threshold>`.
 */
export function relabelTargets(run: SegmentRun): RelabelTarget[] {
  const thresholds = run.agglomerate.thresholds;
  const wanted = run.relabelThresholds;
  if (wanted === undefined) {
    return [{ threshold: thresholds[run.thresholdIndex], index: run.thresholdIndex, path: run.segmentation }];
  }
  const indices =
    wanted === "all"
      ? thresholds.map((_, k) => k)
      : thresholds.flatMap((t, k) => (wanted.includes(t) ? [k] : []));
  return indices.map((k) => ({
    threshold: thresholds[k],
    index: k,
    path: join(run.segmentation, thresholdArrayName(thresholds[k])),
  }));
}

/**
 * Create relabel's output when absent: the segmentation volume, or (with `run.relabelThresholds`) a
 * zarr v2 group whose `.zattrs` list `thresholds` and the matching `arrays` names, holding one u32
 * array per threshold chunked like the blocks. Block tasks of one run may call this concurrently.
 */
export async function prepareRelabel(run: SegmentRun): Promise<void> {
  if (!writesGroup(run)) {
    await prepareSegmentation(run);
    return;
  }
  const { boundaries } = await runGrid(run);
  const targets = relabelTargets(run);
  await createGroup(run.segmentation, {
    thresholds: targets.map((t) => t.threshold),
    arrays: targets.map((t) => thresholdArrayName(t.threshold)),
    fragments: run.fragments,
    graph: run.graph,
  });
  for (const target of targets) await ensureOutput(run, boundaries, target.path, "uint32");
}
