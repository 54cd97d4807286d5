import { describe, expect, it } from "vitest";
import { affinityTargets, boundaryTargets } from "./targets.js";

describe("training targets", () => {
  // two cells side by side (labels 1 | 2) with a column of 0 (membrane) between them
  const labels = [1, 1, 0, 2, 1, 1, 0, 2, 1, 1, 2, 2];
  const shape = [3, 4];

  it("boundaries: label 0, and pixels next to another non-zero label (not those next to a membrane)", () => {
    expect(Array.from(boundaryTargets(labels, shape))).toEqual([0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 1, 0]);
  });

  it("affinities: 1 only between equal non-zero labels, 0 at the volume's low edge", () => {
    const a = affinityTargets(labels, shape);
    // channel y: row 0 has no neighbour above
    expect(Array.from(a.subarray(0, 12))).toEqual([0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 0, 1]);
    // channel x: column 0 has no neighbour to the left
    expect(Array.from(a.subarray(12))).toEqual([0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1]);
  });

  it("refuses labels that do not match the shape", () => {
    expect(() => boundaryTargets([1, 2, 3], [2, 2])).toThrow(/labels/);
  });
});
