import { describe, expect, it } from "vitest";
import { FragmentIndex } from "./fragment-index.js";

describe("FragmentIndex", () => {
  it("finds every listed id and nothing else, for clustered ids with large gaps", () => {
    // like a blockwise run: dense ranges starting at multiples of a block's voxels, some above 2^32
    const list: number[] = [];
    for (const start of [0, 2 ** 21, 5 * 2 ** 21, 2 ** 33, 2 ** 52]) {
      for (let k = 1; k <= 300; k++) if (k % 7 !== 3) list.push(start + k);
    }
    const ids = Float64Array.from(list);
    const index = new FragmentIndex(ids);
    const expected = new Map(list.map((id, k) => [id, k]));
    for (const id of list) expect(index.indexOf(id)).toBe(expected.get(id));
    for (const id of [0, 3, 2 ** 21 + 3, 2 ** 21 + 301, 2 ** 33 - 1, 2 ** 52 + 1000, -5, 2 ** 53]) {
      expect(index.indexOf(id)).toBe(-1);
    }
  });

  it("handles empty and single-id lists", () => {
    expect(new FragmentIndex(new Float64Array(0)).indexOf(1)).toBe(-1);
    const one = new FragmentIndex(Float64Array.of(42));
    expect([one.indexOf(42), one.indexOf(41), one.indexOf(43)]).toEqual([0, -1, -1]);
  });
});
