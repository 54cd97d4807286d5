import { BlockGrid, Box } from "@tessera/volume";
import { describe, expect, it } from "vitest";
import { fragmentsDtype, idOffset } from "./block-run.js";

describe("fragment id ranges of a blockwise run", () => {
  it("gives every block a disjoint id range of one full block's voxels", () => {
    const grid = new BlockGrid({ roi: Box.fromShape([100, 100, 100]), blockShape: [40, 50, 60] });
    const perBlock = 40 * 50 * 60;
    for (let id = 0; id < grid.count; id++) expect(idOffset(grid, id)).toBe(id * perBlock);
    // the last block is cut by the ROI, but its ids still stay below the next range
    expect(grid.block(grid.count - 1).writeBox.size).toBeLessThan(perBlock);
  });

  it("switches fragments to uint64 exactly when the id ranges pass 2^32", () => {
    // 64 blocks of 128³ (2^21 voxels each): ranges end at 2^27 — uint32
    const small = new BlockGrid({ roi: Box.fromShape([512, 512, 512]), blockShape: [128, 128, 128] });
    expect(fragmentsDtype(small)).toBe("uint32");
    // 2^11 blocks of 2^21 voxels end exactly at 2^32: ids up to 2^32 need uint64
    const edge = new BlockGrid({ roi: Box.fromShape([2048, 2048, 1024]), blockShape: [128, 128, 128] });
    expect(edge.count).toBe(2048);
    expect(fragmentsDtype(edge)).toBe("uint64");
    const below = new BlockGrid({ roi: Box.fromShape([2048, 2048, 896]), blockShape: [128, 128, 128] });
    expect(idOffset(below, below.count)).toBeLessThan(2 ** 32);
    expect(fragmentsDtype(below)).toBe("uint32");
  });
});
