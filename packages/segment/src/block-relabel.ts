import { openVolume } from "@tessera/volume";
import { type BlockSummary, numberData, runGrid, withBlock } from "./block-run.js";
import { SegmentBlockError } from "./errors.js";
import { openLookup } from "./lookup-file.js";
import type { SegmentRun } from "./options.js";
import { relabelTargets } from "./relabel-group.js";

/**
 * Relabel block `id`: map its fragments through the lookup of `run.thresholdIndex` and write the
 * segmentation; with `run.relabelThresholds`, map them through the table of every requested threshold
 * in the same pass and write each into its array of the segmentation group. Only the part of the
 * lookup covering the block's fragment ids is read. `count` is the number of distinct segments in
 * the block, summed over the thresholds written.
 */
export async function runRelabelBlock(run: SegmentRun, id: number): Promise<BlockSummary> {
  return withBlock(id, run.segmentation, async () => {
    const started = performance.now();
    const { grid } = await runGrid(run);
    const block = grid.block(id);
    const targets = relabelTargets(run);
    const lookup = await openLookup(
      run,
      targets.map((t) => t.index),
    );
    let fragments: ArrayLike<number>;
    let ids: Float64Array;
    let tables: Float64Array[];
    try {
      fragments = numberData((await (await openVolume(run.fragments)).read(block.writeBox)).data);
      let minId = Number.POSITIVE_INFINITY;
      let maxId = 0;
      for (let i = 0; i < fragments.length; i++) {
        const f = fragments[i];
        if (f !== 0 && f < minId) minId = f;
        if (f > maxId) maxId = f;
      }
      ({ ids, segments: tables } = await lookup.ranges(minId, maxId));
    } finally {
      await lookup.close();
    }
    const outs = mapFragments(fragments, ids, tables, id);
    let count = 0;
    for (let k = 0; k < targets.length; k++) {
      await (await openVolume(targets[k].path)).write(block.writeBox, outs[k]);
      count += distinct(outs[k]);
    }
    return {
      block: id,
      voxels: fragments.length,
      count,
      seconds: (performance.now() - started) / 1000,
    };
  });
}

/** `fragments` mapped through each table (`tables[k][i]` is the segment of `ids[i]`), in one pass. */
function mapFragments(
  fragments: ArrayLike<number>,
  ids: Float64Array,
  tables: Float64Array[],
  block: number,
): Uint32Array[] {
  const n = fragments.length;
  const outs = tables.map(() => new Uint32Array(n));
  let prev = -1;
  let at = -1; // index of `prev` in ids, -1 for background
  for (let i = 0; i < n; i++) {
    const f = fragments[i];
    if (f !== prev) {
      prev = f;
      if (f === 0) at = -1;
      else {
        // binary search in the sorted fragment ids
        let lo = 0;
        let hi = ids.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (ids[mid] < f) lo = mid + 1;
          else hi = mid;
        }
        if (ids[lo] !== f) {
          throw new SegmentBlockError("fragment missing from the agglomeration lookup", {
            block,
            field: "fragment id",
            expected: "an id listed by the block graphs",
            found: String(f),
          });
        }
        at = lo;
      }
    }
    if (at >= 0) for (let k = 0; k < outs.length; k++) outs[k][i] = tables[k][at];
  }
  return outs;
}

/** Distinct values of `labels` (0 included when present), counted once per run of equal values. */
function distinct(labels: Uint32Array): number {
  const seen = new Set<number>();
  let prev = -1;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== prev) {
      prev = labels[i];
      seen.add(prev);
    }
  }
  return seen.size;
}
