import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { cremiExample, gala, galaVolume, h5, neuroproof, snemi, snemiStack } from "../test/data.js";
import { cremiBorderMask } from "./border-mask.js";
import { SegmentDtypeError, SegmentShapeError } from "./errors.js";
import { evaluateSegmentation } from "./evaluate.js";
import { adaptedRand, voi } from "./metrics.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

/** Brute-force reference: dense contingency matrix in float64, written straight from the definitions. */
function reference(seg: number[], gt: number[]) {
  const n = gt.length;
  const counts = new Map<string, number>();
  const a = new Map<number, number>();
  const b = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (gt[i] === 0) continue;
    total++;
    counts.set(`${gt[i]},${seg[i]}`, (counts.get(`${gt[i]},${seg[i]}`) ?? 0) + 1);
    a.set(gt[i], (a.get(gt[i]) ?? 0) + 1);
    b.set(seg[i], (b.get(seg[i]) ?? 0) + 1);
  }
  let split = 0;
  let merge = 0;
  for (const [key, c] of counts) {
    const [g, s] = key.split(",").map(Number);
    split += (c / total) * Math.log2((a.get(g) as number) / c);
    merge += (c / total) * Math.log2((b.get(s) as number) / c);
  }
  return { split, merge };
}

describe("metrics on small inputs", () => {
  it("is zero for identical segmentations and independent of ids", () => {
    const gt = new Uint32Array([1, 1, 2, 2, 3, 3, 3, 0]);
    const seg = new Uint16Array([7, 7, 9, 9, 4, 4, 4, 5]);
    expect(voi(seg, gt)).toEqual({ split: 0, merge: 0 });
    expect(adaptedRand(seg, gt).are).toBeCloseTo(0, 12);
  });

  it("matches a brute-force VOI on random labels", () => {
    let state = 12345;
    const rand = (k: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % k;
    };
    for (let trial = 0; trial < 5; trial++) {
      const gt = Array.from({ length: 500 }, () => rand(6));
      const seg = Array.from({ length: 500 }, () => rand(9));
      const ours = voi(new Int32Array(seg), new Uint8Array(gt));
      const ref = reference(seg, gt);
      expect(ours.split).toBeCloseTo(ref.split, 10);
      expect(ours.merge).toBeCloseTo(ref.merge, 10);
    }
  });

  it("counts one full split: VOI split = 1 bit, merge 0", () => {
    const gt = new Uint8Array([1, 1, 1, 1]);
    const seg = new Uint8Array([1, 1, 2, 2]);
    expect(voi(seg, gt)).toEqual({ split: 1, merge: 0 });
  });

  it("rejects float labels and size mismatches with typed errors", () => {
    const gt = new Uint32Array(4);
    expect(() => voi(new Float32Array(4) as never, gt)).toThrow(SegmentDtypeError);
    expect(() => voi(new Float32Array(4) as never, gt)).toThrow(/Float32Array/);
    expect(() => adaptedRand(new Uint32Array(5), gt)).toThrow(SegmentShapeError);
  });
});

describe.skipIf(!neuroproof.available)(
  "neuroproof sample 2: overseg vs ground truth (golden, README §3)",
  () => {
    it("reproduces VOI, ARE (cremi) and the CREMI score to 1e-4", async () => {
      const gt = await h5(join(neuroproof.path, "groundtruth.h5"), "stack");
      const seg = await h5(join(neuroproof.path, "overseg.h5"), "stack");
      const s = evaluateSegmentation(seg.data as Uint32Array, gt.data as Uint32Array);
      expect(Math.abs(s.voiSplit - 2.375748)).toBeLessThan(1e-4);
      expect(Math.abs(s.voiMerge - 0.3296)).toBeLessThan(1e-4);
      expect(Math.abs(s.are - 0.266307)).toBeLessThan(1e-4);
      expect(Math.abs(s.precision - 0.965215)).toBeLessThan(1e-4);
      expect(Math.abs(s.recall - 0.591752)).toBeLessThan(1e-4);
      expect(Math.abs(s.cremiScore - 0.848796)).toBeLessThan(1e-4);
      const sk = adaptedRand(seg.data as Uint32Array, gt.data as Uint32Array, { convention: "skimage" });
      expect(Math.abs(sk.are - 0.266308)).toBeLessThan(1e-5);
      expect(Math.abs(sk.precision - 0.591751)).toBeLessThan(1e-5);
      expect(Math.abs(sk.recall - 0.965215)).toBeLessThan(1e-5);
    });
  },
);

describe.skipIf(!gala.available)("gala train-ws vs train-gt (golden, README §1)", () => {
  it("reproduces the golden values to 1e-4", async () => {
    const gt = await galaVolume("train-gt");
    const ws = await galaVolume("train-ws");
    const s = evaluateSegmentation(ws.data as Int32Array, gt.data as Int32Array);
    expect(Math.abs(s.voiSplit - 1.335565)).toBeLessThan(1e-4);
    expect(Math.abs(s.voiMerge - 0.121189)).toBeLessThan(1e-4);
    expect(Math.abs(s.are - 0.249631)).toBeLessThan(1e-4);
    expect(Math.abs(s.precision - 0.981892)).toBeLessThan(1e-4);
    expect(Math.abs(s.recall - 0.607197)).toBeLessThan(1e-4);
    expect(Math.abs(s.cremiScore - 0.603034)).toBeLessThan(1e-4);
    const sk = adaptedRand(ws.data as Int32Array, gt.data as Int32Array, { convention: "skimage" });
    expect(Math.abs(sk.are - 0.249636)).toBeLessThan(1e-5);
  });
});

describe.skipIf(!snemi.available)("gala-snemi-mini fragments vs labels (golden, README §2)", () => {
  it("reproduces the golden values to 1e-4", async () => {
    const labels = await snemiStack("train-labels");
    const fragments = await snemiStack("train-fragments");
    const s = evaluateSegmentation(fragments.data, labels.data);
    expect(Math.abs(s.voiSplit - 5.656484)).toBeLessThan(1e-4);
    expect(Math.abs(s.voiMerge - 0.550661)).toBeLessThan(1e-4);
    expect(Math.abs(s.are - 0.93738)).toBeLessThan(1e-4);
    expect(Math.abs(s.cremiScore - 2.412147)).toBeLessThan(1e-4);
  });
});

describe.skipIf(!cremiExample.available)("CREMI border mask on cremi-example.h5 (golden, README §5)", () => {
  it("masks 1172 / 4634 / 8137 pixels at 0 / 3 / 6.25 px", async () => {
    const { data, shape } = await h5(cremiExample.path, "volumes/labels/neuron_ids");
    const count = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);
    expect(count(cremiBorderMask(data as BigUint64Array, shape, { maxDistancePx: 0 }))).toBe(1172);
    expect(count(cremiBorderMask(data as BigUint64Array, shape, { maxDistancePx: 3 }))).toBe(4634);
    const nm = cremiBorderMask(data as BigUint64Array, shape, {
      borderThresholdNm: 25,
      resolutionNm: [40, 4, 4],
    });
    expect(count(nm)).toBe(8137);
  });
});

const skimage = pythonHas("skimage.metrics", "numpy");
describe.skipIf(!skimage || !gala.available)(
  "agreement with scikit-image 0.19 (independent implementation)",
  () => {
    it("VOI and skimage-convention ARE match skimage on gala train-ws ids folded modulo 37 vs gt", async () => {
      const gt = await galaVolume("train-gt");
      const ws = await galaVolume("train-ws");
      // a different segmentation from the golden one: ws ids folded modulo 37 (merges unrelated fragments)
      const seg = new Int32Array(ws.data.length);
      for (let i = 0; i < seg.length; i++) seg[i] = (ws.data[i] as number) % 37;
      const segFile = join(tmp.path, "seg.bin");
      const gtFile = join(tmp.path, "gt.bin");
      writeFileSync(segFile, seg);
      writeFileSync(gtFile, gt.data as Int32Array);
      const out = runPython(
        `import sys, json, numpy as np
from skimage.metrics import variation_of_information, adapted_rand_error
seg = np.fromfile(sys.argv[1], dtype="<i4"); gt = np.fromfile(sys.argv[2], dtype="<i4")
v = variation_of_information(gt, seg, ignore_labels=(0,))
a = adapted_rand_error(gt, seg)
print(json.dumps([float(v[0]), float(v[1]), float(a[0]), float(a[1]), float(a[2])]))`,
        [segFile, gtFile],
      );
      const [split, merge, are, prec, rec] = JSON.parse(out) as number[];
      const v = voi(seg, gt.data as Int32Array);
      const a = adaptedRand(seg, gt.data as Int32Array, { convention: "skimage" });
      expect(Math.abs(v.split - split)).toBeLessThan(1e-9);
      expect(Math.abs(v.merge - merge)).toBeLessThan(1e-9);
      expect(Math.abs(a.are - are)).toBeLessThan(1e-9);
      expect(Math.abs(a.precision - prec)).toBeLessThan(1e-9);
      expect(Math.abs(a.recall - rec)).toBeLessThan(1e-9);
    });
  },
);
