import { describe, expect, it } from "vitest";
import { CosmologyParameterError } from "./errors.js";
import { haccSteps } from "./hacc-steps.js";

describe("HACC time steps", () => {
  it("500 steps from z = 200: step 499 is z = 0, step 247 is z = 1.006 (Outer Rim's label), linear in a", () => {
    const s = haccSteps();
    expect(s.zOfStep(499)).toBeCloseTo(0, 12);
    expect(s.zOfStep(247)).toBeCloseTo(1.006, 3);
    expect(s.nearestStep(1.006)).toBe(247);
    expect(s.nearestStep(0)).toBe(499);
    // equal steps in a, starting one step after a_in = 1/201
    const da = (1 - 1 / 201) / 500;
    expect(s.aOfStep(0)).toBeCloseTo(1 / 201 + da, 15);
    for (const step of [0, 100, 247, 498]) {
      expect(s.aOfStep(step + 1) - s.aOfStep(step)).toBeCloseTo(da, 14);
      expect(s.stepOfA(s.aOfStep(step))).toBeCloseTo(step, 9);
    }
  });

  it("is configurable and rejects an impossible range", () => {
    const s = haccSteps({ zIn: 50, zFinal: 1, steps: 100 });
    expect(s.zOfStep(99)).toBeCloseTo(1, 12);
    expect(() => haccSteps({ zIn: 0, zFinal: 1 })).toThrow(CosmologyParameterError);
    expect(() => haccSteps({ steps: 0 })).toThrow(/integer >= 1/);
  });
});
