import { describe, expect, it } from "vitest";
import { segmentColor } from "./colors.js";
import { scaleBar } from "./scale-bar.js";

describe("scaleBar", () => {
  it("picks the longest 1-2-5 length that fits", () => {
    expect(scaleBar(10, 120)).toEqual({ pixels: 100, nm: 1000, label: "1 µm" });
    expect(scaleBar(4, 120)).toMatchObject({ nm: 200, label: "200 nm" });
    expect(scaleBar(50, 120)).toMatchObject({ nm: 5000, label: "5 µm" });
    for (const npp of [0.3, 7, 33, 999]) {
      const b = scaleBar(npp, 120);
      expect(b.pixels).toBeLessThanOrEqual(120);
      expect(b.pixels).toBeGreaterThan(120 / 2.5 - 1e-9);
    }
  });
});

describe("segmentColor", () => {
  it("is the HSL colour of the golden-ratio hue, by the textbook sector conversion", () => {
    // independent truth: HSL → RGB by the six 60° sectors (chroma C, second component X, offset m)
    const hslToRgb = (h: number, s: number, l: number): number[] => {
      const c = (1 - Math.abs(2 * l - 1)) * s;
      const hp = (h * 360) / 60;
      const x = c * (1 - Math.abs((hp % 2) - 1));
      const m = l - c / 2;
      const sector = [
        [c, x, 0],
        [x, c, 0],
        [0, c, x],
        [0, x, c],
        [x, 0, c],
        [c, 0, x],
      ][Math.floor(hp) % 6];
      return sector.map((v) => v + m);
    };
    // id 42: hue frac(42·0.618…) = 0.9574 (345°), lightness 0.45 → a crimson
    const crimson = segmentColor(42);
    expect(crimson[0]).toBeCloseTo(0.7425, 3);
    expect(crimson[1]).toBeCloseTo(0.1575, 3);
    expect(crimson[2]).toBeCloseTo(0.3066, 3);
    for (let id = 1; id < 500; id++) {
      const hue = (id * 0.618033988749895) % 1;
      const lightness = (id * 0.381966) % 1 > 0.5 ? 0.65 : 0.45;
      const expected = hslToRgb(hue, 0.65, lightness);
      const got = segmentColor(id);
      for (let c = 0; c < 3; c++) expect(got[c]).toBeCloseTo(expected[c], 9);
    }
  });

  it("is in range and tells neighbouring ids apart", () => {
    for (let id = 1; id < 200; id++) {
      const a = segmentColor(id);
      const b = segmentColor(id + 1);
      for (const c of a) expect(c >= 0 && c <= 1).toBe(true);
      expect(Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2])).toBeGreaterThan(0.05);
    }
  });
});
