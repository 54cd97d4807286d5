import { agglomerateRun } from "./block-agglomerate.js";
import { runFragmentsBlock } from "./block-fragments.js";
import { runGraphBlock } from "./block-graph.js";
import { runRelabelBlock } from "./block-relabel.js";
import { parseRun, prepareRun } from "./block-run.js";
import type { SegmentRun, SegmentRunInput } from "./options.js";

/** Run every step of a blockwise segmentation in this process (blocks one after another). */
export async function segmentBlockwise(
  config: SegmentRunInput | SegmentRun,
  onProgress?: (step: "fragments" | "graph" | "agglomerate" | "relabel", done: number, total: number) => void,
): Promise<{ blocks: number; fragments: number; segments: number }> {
  const run = parseRun(config);
  const grid = await prepareRun(run);
  let fragments = 0;
  for (let id = 0; id < grid.count; id++) {
    fragments += (await runFragmentsBlock(run, id)).count;
    onProgress?.("fragments", id + 1, grid.count);
  }
  for (let id = 0; id < grid.count; id++) {
    await runGraphBlock(run, id);
    onProgress?.("graph", id + 1, grid.count);
  }
  const agg = await agglomerateRun(run, (d, t) => onProgress?.("agglomerate", d, t));
  for (let id = 0; id < grid.count; id++) {
    await runRelabelBlock(run, id);
    onProgress?.("relabel", id + 1, grid.count);
  }
  return { blocks: grid.count, fragments, segments: agg.segments[run.thresholdIndex] ?? 0 };
}
