import { haccSteps } from "@tessera/cosmology";
import { describe, expect, it } from "vitest";
import { ReduceError } from "./catalog.js";
import { catalogsAtSteps } from "./catalog-steps.js";

const cols = (n: number) => ({ fof_halo_mass: new Float32Array(n) });

describe("catalogsAtSteps", () => {
  it("labels steps with z and a (HACC defaults: step 499 z = 0, 247 z ≈ 1.006) and sorts by step", () => {
    const out = catalogsAtSteps([
      { step: 499, columns: cols(3) },
      { step: 247, columns: cols(5) },
      { step: 0, columns: cols(0) },
    ]);
    expect(out.map((c) => c.step)).toEqual([0, 247, 499]);
    expect(out.map((c) => c.rows)).toEqual([0, 5, 3]);
    expect(out[2].redshift).toBeCloseTo(0, 12);
    expect(out[2].scaleFactor).toBeCloseTo(1, 12);
    expect(out[1].redshift).toBeCloseTo(1.006, 3);
    // hand formula: a = a_in + (s + 1)(1 − a_in)/500, a_in = 1/201
    const aIn = 1 / 201;
    const a247 = aIn + (248 * (1 - aIn)) / 500;
    expect(out[1].scaleFactor).toBeCloseTo(a247, 14);
    expect(out[1].redshift).toBeCloseTo(1 / a247 - 1, 12);
    expect(out[0].scaleFactor).toBeCloseTo(aIn + (1 - aIn) / 500, 14);
  });

  it("takes the run's own step map or its options", () => {
    const run = { zIn: 50, zFinal: 0, steps: 100 };
    const a = catalogsAtSteps([{ step: 99, columns: cols(1) }], run);
    const b = catalogsAtSteps([{ step: 99, columns: cols(1) }], haccSteps(run));
    expect(a[0].redshift).toBeCloseTo(0, 12);
    expect(b[0].scaleFactor).toBe(a[0].scaleFactor);
  });

  it("rejects steps outside the run, repeated steps and misaligned catalogs", () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ReduceError);
        return (e as ReduceError).field;
      }
      return "no error";
    };
    expect(err(() => catalogsAtSteps([{ step: 500, columns: cols(1) }]))).toBe("catalogs[0].step");
    expect(
      err(() =>
        catalogsAtSteps([
          { step: 3, columns: cols(1) },
          { step: -1, columns: cols(1) },
        ]),
      ),
    ).toBe("catalogs[1].step");
    expect(err(() => catalogsAtSteps([{ step: 2.5, columns: cols(1) }]))).toBe("catalogs[0].step");
    expect(err(() => catalogsAtSteps([{ step: 100, columns: cols(1) }], { steps: 100 }))).toBe(
      "catalogs[0].step",
    );
    expect(
      err(() =>
        catalogsAtSteps([
          { step: 7, columns: cols(1) },
          { step: 7, columns: cols(1) },
        ]),
      ),
    ).toBe("catalogs[1].step");
    expect(
      err(() => catalogsAtSteps([{ step: 7, columns: { a: new Float32Array(1), b: new Int32Array(2) } }])),
    ).toBe("catalogs[0].columns.b");
  });
});
