import { describe, expect, it } from "vitest";
import { cleanFlow, type FlowField } from "./flow.js";
import { meshGeometry } from "./map.js";

/** A 5 × 5 field shifting everything by (1, −2) with clear peaks. */
function field(): FlowField {
  const g = meshGeometry(161, 161, 40);
  const n = g.rows * g.cols;
  return {
    ...g,
    dy: new Float64Array(n).fill(1),
    dx: new Float64Array(n).fill(-2),
    peak: new Float64Array(n).fill(0.6),
    peakRatio: new Float64Array(n).fill(5),
    valid: new Uint8Array(n).fill(1),
  };
}

describe("cleanFlow", () => {
  it("keeps a consistent field", () => {
    const f = field();
    expect(cleanFlow(f)).toBe(25);
  });

  it("drops a low peak ratio, a low peak (with minPeak), a too-large shift and an outlier among its neighbours", () => {
    const f = field();
    f.peakRatio[3] = 1.05;
    f.peak[7] = 0.05;
    f.dy[11] = 50;
    f.dx[12] = 6; // 8 px from its neighbours' median
    const left = cleanFlow(f, { patchSize: 160, minPeak: 0.1 });
    expect(Array.from(f.valid).flatMap((v, i) => (v ? [] : [i]))).toEqual([3, 7, 11, 12]);
    expect(left).toBe(21);
  });

  it("minPeak is off by default", () => {
    const f = field();
    f.peak[7] = 0.05;
    expect(cleanFlow(f)).toBe(25);
  });
});
