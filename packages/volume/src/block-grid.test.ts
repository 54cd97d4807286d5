import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BlockGrid } from "./block-grid.js";
import { Box } from "./box.js";
import { BoxOutOfBoundsError } from "./errors.js";

describe("BlockGrid", () => {
  it("enumerates blocks in C order with clipped last blocks", () => {
    const grid = new BlockGrid({ roi: Box.fromShape([10, 10]), blockShape: [4, 6], context: 1 });
    expect(grid.gridShape).toEqual([3, 2]);
    expect(grid.count).toBe(6);
    const b1 = grid.block(1);
    expect(b1.coords).toEqual([0, 1]);
    expect(b1.writeBox.toJSON()).toEqual({ begin: [0, 6], end: [4, 10] });
    expect(b1.readBox.toJSON()).toEqual({ begin: [0, 5], end: [5, 10] });
    expect(grid.block(5).writeBox.toJSON()).toEqual({ begin: [8, 6], end: [10, 10] });
  });

  it("maps ids, coordinates and points both ways", () => {
    const grid = new BlockGrid({ roi: new Box([2, 2, 2], [20, 30, 40]), blockShape: [5, 7, 9] });
    for (const block of grid.blocks()) {
      expect(grid.idOf(block.coords)).toBe(block.id);
      expect(grid.blockIdAt(block.writeBox.begin)).toBe(block.id);
      expect(grid.blockIdAt(block.writeBox.end.map((e) => e - 1))).toBe(block.id);
    }
  });

  it("finds face and diagonal neighbours", () => {
    const grid = new BlockGrid({ roi: Box.fromShape([3, 3]), blockShape: [1, 1] });
    expect(grid.neighbours(4)).toEqual([1, 3, 5, 7]);
    expect(grid.neighbours(4, { diagonal: true })).toEqual([0, 1, 2, 3, 5, 6, 7, 8]);
    expect(grid.neighbours(0)).toEqual([1, 3]);
  });

  it("tiles the ROI exactly, with read boxes inside the bounds (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 0, max: 3 }),
        (shape, blockSizes, context) => {
          const roi = Box.fromShape(shape);
          const bounds = roi.grow(1);
          const grid = new BlockGrid({
            roi,
            blockShape: shape.map((_, i) => blockSizes[i]),
            context,
            bounds,
          });
          const cover = new Uint8Array(roi.size);
          for (const block of grid.blocks()) {
            expect(block.readBox.contains(block.writeBox)).toBe(true);
            expect(bounds.contains(block.readBox)).toBe(true);
            for (const n of grid.neighbours(block.id)) expect(grid.neighbours(n)).toContain(block.id);
            forEachPoint(block.writeBox, (index) => cover[linear(index, shape)]++);
          }
          expect(cover.every((c) => c === 1)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("tells whether blocks align to chunks", () => {
    expect(new BlockGrid({ roi: Box.fromShape([64, 64]), blockShape: [32, 64] }).isAlignedTo([16, 32])).toBe(
      true,
    );
    expect(new BlockGrid({ roi: Box.fromShape([64, 64]), blockShape: [24, 64] }).isAlignedTo([16, 32])).toBe(
      false,
    );
  });

  it("rejects bad block shapes, context and ids", () => {
    const roi = Box.fromShape([4, 4]);
    expect(() => new BlockGrid({ roi, blockShape: [0, 2] })).toThrow(BoxOutOfBoundsError);
    expect(() => new BlockGrid({ roi, blockShape: [2] })).toThrow(/blockShape/);
    expect(() => new BlockGrid({ roi, blockShape: [2, 2], context: -1 })).toThrow(/context/);
    expect(() => new BlockGrid({ roi, blockShape: [2, 2] }).block(4)).toThrow(/\[0, 4\)/);
  });
});

function linear(index: number[], shape: number[]): number {
  return index.reduce((acc, v, i) => acc * shape[i] + v, 0);
}

function forEachPoint(box: Box, visit: (index: number[]) => void): void {
  const index = [...box.begin];
  if (box.isEmpty) return;
  for (;;) {
    visit(index);
    let axis = index.length - 1;
    while (axis >= 0 && ++index[axis] === box.end[axis]) {
      index[axis] = box.begin[axis];
      axis--;
    }
    if (axis < 0) return;
  }
}
