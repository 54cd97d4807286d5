import { openVolume } from "@tessera/volume";
import { type BlockSummary, numberData, runGrid, withBlock } from "./block-run.js";
import { SegmentBlockError } from "./errors.js";
import { openLookup } from "./lookup-file.js";
import type { SegmentRun } from "./options.js";

/**
 * Relabel block `id`: map its fragments through the lookup of `run.thresholdIndex` and write the
 * segmentation. Only the part of the lookup covering the block's fragment ids is read.
 */
export async function runRelabelBlock(run: SegmentRun, id: number): Promise<BlockSummary> {
  return withBlock(id, run.segmentation, async () => {
    const started = performance.now();
    const { grid } = await runGrid(run);
    const block = grid.block(id);
    const lookup = await openLookup(run, run.thresholdIndex);
    let fragments: ArrayLike<number>;
    let ids: Float64Array;
    let table: Float64Array;
    try {
      fragments = numberData((await (await openVolume(run.fragments)).read(block.writeBox)).data);
      let minId = Number.POSITIVE_INFINITY;
      let maxId = 0;
      for (let i = 0; i < fragments.length; i++) {
        const f = fragments[i];
        if (f !== 0 && f < minId) minId = f;
        if (f > maxId) maxId = f;
      }
      ({ ids, segments: table } = await lookup.range(minId, maxId));
    } finally {
      await lookup.close();
    }
    const out = new Uint32Array(fragments.length);
    let prev = -1;
    let mapped = 0;
    const segments = new Set<number>();
    for (let i = 0; i < fragments.length; i++) {
      const f = fragments[i];
      if (f !== prev) {
        prev = f;
        if (f === 0) mapped = 0;
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
              block: id,
              field: "fragment id",
              expected: "an id listed by the block graphs",
              found: String(f),
            });
          }
          mapped = table[lo];
        }
        segments.add(mapped);
      }
      out[i] = mapped;
    }
    await (await openVolume(run.segmentation)).write(block.writeBox, out);
    return {
      block: id,
      voxels: out.length,
      count: segments.size,
      seconds: (performance.now() - started) / 1000,
    };
  });
}
