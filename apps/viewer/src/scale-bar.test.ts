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
  it("is deterministic, in range, and tells neighbouring ids apart", () => {
    expect(segmentColor(42)).toEqual(segmentColor(42));
    for (let id = 1; id < 200; id++) {
      const a = segmentColor(id);
      const b = segmentColor(id + 1);
      for (const c of a) expect(c >= 0 && c <= 1).toBe(true);
      expect(Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2])).toBeGreaterThan(0.05);
    }
  });
});
