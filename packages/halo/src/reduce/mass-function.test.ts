import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { ReduceError } from "./catalog.js";
import { massFunction } from "./mass-function.js";

const hasNumpy = pythonHas("numpy");
const tmp = tempDir("tessera-hmf-");
afterAll(() => tmp.cleanup());

describe("massFunction", () => {
  it("counts a hand-made catalog (edges: lower inclusive, last upper inclusive)", () => {
    // log10 M: 12, 12.5, 12.99, 13, 13.5, 14 (upper edge), 14.2 (outside), 11 (outside), 0 and NaN
    const m = [1e12, 10 ** 12.5, 10 ** 12.99, 1e13, 10 ** 13.5, 1e14, 10 ** 14.2, 1e11, 0, Number.NaN];
    const hmf = massFunction(m, { boxSize: 10, bins: 2, min: 12, max: 14 });
    expect([...hmf.edges]).toEqual([12, 13, 14]);
    expect([...hmf.centres]).toEqual([12.5, 13.5]);
    expect([...hmf.counts]).toEqual([3, 3]);
    expect(hmf.outside).toBe(4);
    expect(hmf.volume).toBe(1000);
    // dn/dlog10M = N / (V Δ) = 3 / (1000 · 1); error sqrt(3)/1000
    expect([...hmf.dndlog10m]).toEqual([0.003, 0.003]);
    expect(hmf.error[0]).toBeCloseTo(Math.sqrt(3) / 1000, 15);
    // explicit unequal edges; BigInt masses
    const e = massFunction(BigInt64Array.from([10n ** 12n, 10n ** 13n, 5n * 10n ** 13n]), {
      boxSize: 2,
      binEdges: [12, 12.5, 14],
    });
    expect([...e.counts]).toEqual([1, 2]);
    expect(e.dndlog10m[1]).toBeCloseTo(2 / (8 * 1.5), 15);
  });

  it.skipIf(!hasNumpy)("equals numpy.histogram of log10 M on 200,000 random masses", () => {
    let s = 99;
    const r = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 4294967296;
    };
    // a falling power law in M between 10^11 and 10^15.5
    const n = 200_000;
    const masses = new Float64Array(n);
    for (let i = 0; i < n; i++) masses[i] = 10 ** (11 + 4.5 * r() ** 3);
    const t0 = performance.now();
    const hmf = massFunction(masses, { boxSize: 250, bins: 17, min: 11.5, max: 15 });
    const ms = performance.now() - t0;
    const f = join(tmp.path, "m.f64");
    const ef = join(tmp.path, "e.f64");
    writeFileSync(f, masses);
    writeFileSync(ef, hmf.edges);
    const ref = JSON.parse(
      runPython(
        `
import sys, json, numpy as np
m = np.fromfile(sys.argv[1]); e = np.fromfile(sys.argv[2])
c, _ = np.histogram(np.log10(m), bins=e)
V = 250.0 ** 3; w = np.diff(e)
lin = np.linspace(11.5, 15, 18)
print(json.dumps({"counts": c.tolist(), "dn": (c / (V * w)).tolist(), "err": (np.sqrt(c) / (V * w)).tolist(),
  "edgeDiff": float(np.max(np.abs(lin - e)))}))`,
        [f, ef],
      ),
    );
    expect([...hmf.counts]).toEqual(ref.counts);
    for (let k = 0; k < 17; k++) {
      expect(hmf.dndlog10m[k]).toBeCloseTo(ref.dn[k], 20);
      expect(Math.abs(hmf.dndlog10m[k] - ref.dn[k])).toBeLessThanOrEqual(1e-14 * ref.dn[k]);
      expect(Math.abs(hmf.error[k] - ref.err[k])).toBeLessThanOrEqual(1e-14 * ref.err[k]);
    }
    expect(ref.edgeDiff).toBeLessThan(1e-13);
    expect(hmf.counts.reduce((a, b) => a + b, 0) + hmf.outside).toBe(n);
    console.log(
      `numpy.histogram: 200,000 masses, 17 bins identical; ours ${ms.toFixed(1)} ms; counts ${hmf.counts.join(" ")}`,
    );
  });

  it("rejects bad options naming the field", () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ReduceError);
        return (e as ReduceError).field;
      }
      return "no error";
    };
    expect(err(() => massFunction([1], { boxSize: 0, bins: 2, min: 1, max: 2 }))).toBe("boxSize");
    expect(err(() => massFunction([1], { boxSize: 1 }))).toBe("bins");
    expect(err(() => massFunction([1], { boxSize: 1, bins: 2.5, min: 1, max: 2 }))).toBe("bins");
    expect(err(() => massFunction([1], { boxSize: 1, bins: 2, min: 1 }))).toBe("max");
    expect(err(() => massFunction([1], { boxSize: 1, bins: 2, min: 3, max: 2 }))).toBe("max");
    expect(err(() => massFunction([1], { boxSize: 1, binEdges: [1] }))).toBe("binEdges");
    expect(err(() => massFunction([1], { boxSize: 1, binEdges: [1, 3, 2] }))).toBe("binEdges[2]");
    expect(err(() => massFunction([1], { boxSize: 1, binEdges: [1, Number.NaN] }))).toBe("binEdges[1]");
  });
});
