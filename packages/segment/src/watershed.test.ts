import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { gala, galaVolume } from "../test/data.js";
import { distanceTransform } from "./distance-transform.js";
import { SegmentDtypeError, SegmentShapeError, SegmentValueError } from "./errors.js";
import { watershedFragments } from "./fragments.js";
import { maximumFilter } from "./max-filter.js";
import { adaptedRand } from "./metrics.js";
import { seedsFromDistance, seedsFromMinima } from "./seeds.js";
import { seededWatershed } from "./watershed.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
const python = pythonHas("skimage.segmentation", "scipy.ndimage", "numpy");

function lcg(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe("seededWatershed", () => {
  it("splits two basins at the ridge between them", () => {
    // 1-D valley profile: minima at x=1 and x=7, ridge at x=4
    const surface = new Uint8Array([5, 0, 2, 4, 9, 4, 2, 0, 5]);
    const seeds = new Uint32Array(9);
    seeds[1] = 1;
    seeds[7] = 2;
    const out = seededWatershed(surface, [1, 1, 9], seeds);
    expect([...out]).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2]);
  });

  it("respects the mask and the 2-D mode", () => {
    const surface = new Float32Array(2 * 3 * 3);
    const seeds = new Uint32Array(18);
    seeds[0] = 1; // only section 0 is seeded
    const mask = new Uint8Array(18).fill(1);
    mask[4] = 0;
    const planar = seededWatershed(surface, [2, 3, 3], seeds, { mode: "2d", mask });
    expect([...planar.subarray(0, 9)]).toEqual([1, 1, 1, 1, 0, 1, 1, 1, 1]);
    expect([...planar.subarray(9)]).toEqual(new Array(9).fill(0));
    const volumetric = seededWatershed(surface, [2, 3, 3], seeds, { mask });
    expect([...volumetric.subarray(9)]).toEqual(new Array(9).fill(1));
  });

  it("rejects NaN, float seeds and shape mismatches with typed errors", () => {
    const surface = new Float32Array(8);
    surface[3] = Number.NaN;
    expect(() => seededWatershed(surface, [2, 2, 2], new Uint32Array(8))).toThrow(SegmentValueError);
    expect(() => seededWatershed(surface, [2, 2, 2], new Uint32Array(8))).toThrow(/flat index 3/);
    expect(() => seededWatershed(new Float32Array(8), [2, 2, 2], new Float32Array(8) as never)).toThrow(
      SegmentDtypeError,
    );
    expect(() =>
      seededWatershed(new Float32Array(8), [2, 2, 2], new Uint32Array(8), { mask: new Uint8Array(9) }),
    ).toThrow(SegmentShapeError);
    expect(() => watershedFragments(new Float32Array(7), [2, 2, 2])).toThrow(SegmentShapeError);
    const huge = new Uint32Array(8);
    huge[5] = 2 ** 31;
    expect(() => seededWatershed(new Float32Array(8), [2, 2, 2], huge)).toThrow(
      /seed id too large.*2147483648/,
    );
  });
});

describe.skipIf(!python || !gala.available)("seeded watershed vs scikit-image 0.19 on gala p1", () => {
  it("agrees with skimage.segmentation.watershed on the same input and markers", async () => {
    const p1 = await galaVolume("train-p1");
    const u8 = Uint8Array.from(p1.data as Float32Array, (v) => Math.round(v * 255));
    const { seeds, count } = seedsFromDistance(u8, p1.shape, { threshold: 128 });
    expect(count).toBeGreaterThan(50);
    const ours = seededWatershed(u8, p1.shape, seeds);
    writeFileSync(join(tmp.path, "u8.bin"), u8);
    writeFileSync(join(tmp.path, "seeds.bin"), seeds);
    runPython(
      `import sys, numpy as np
from skimage.segmentation import watershed
a = np.fromfile(sys.argv[1] + "/u8.bin", dtype="u1").reshape(${JSON.stringify(p1.shape)})
m = np.fromfile(sys.argv[1] + "/seeds.bin", dtype="<u4").reshape(a.shape).astype(np.int32)
watershed(a, m).astype("<u4").tofile(sys.argv[1] + "/sk.bin")`,
      [tmp.path],
    );
    const bytes = readFileSync(join(tmp.path, "sk.bin"));
    const sk = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    let same = 0;
    for (let i = 0; i < sk.length; i++) if (sk[i] === ours[i]) same++;
    // skimage pops markers of equal value in heap order (all have age 0); the flood order is otherwise
    // the same (level, arrival), so only voxels contested at marker ties can differ
    expect(same / sk.length).toBeGreaterThan(0.98);
    expect(adaptedRand(ours, sk, { convention: "skimage" }).are).toBeLessThan(0.01);
  });

  it("is identical to skimage when no two markers tie (random uint16 surface, single-voxel markers)", () => {
    const rand = lcg(11);
    const shape: [number, number, number] = [12, 30, 40];
    const n = 12 * 30 * 40;
    const surface = Uint16Array.from({ length: n }, () => Math.floor(rand() * 200));
    const seeds = new Uint32Array(n);
    for (let k = 1; k <= 40; k++) {
      const i = Math.floor(rand() * n);
      seeds[i] = k;
      surface[i] = 1000 + k; // distinct marker values: skimage's marker order is then fixed
    }
    writeFileSync(join(tmp.path, "u16.bin"), surface);
    writeFileSync(join(tmp.path, "markers.bin"), seeds);
    runPython(
      `import sys, numpy as np
from skimage.segmentation import watershed
a = np.fromfile(sys.argv[1] + "/u16.bin", dtype="<u2").reshape(${JSON.stringify(shape)})
m = np.fromfile(sys.argv[1] + "/markers.bin", dtype="<u4").reshape(a.shape).astype(np.int32)
watershed(a, m).astype("<u4").tofile(sys.argv[1] + "/sk16.bin")`,
      [tmp.path],
    );
    const bytes = readFileSync(join(tmp.path, "sk16.bin"));
    const sk = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    expect(Array.from(seededWatershed(surface, shape, seeds))).toEqual(Array.from(sk));
  });

  it("computes scipy's exact Euclidean distance transform, anisotropic sampling included", async () => {
    const p1 = await galaVolume("train-p1");
    const interior = Uint8Array.from(p1.data as Float32Array, (v) => (v < 0.5 ? 1 : 0));
    writeFileSync(join(tmp.path, "interior.bin"), interior);
    for (const sampling of [
      [1, 1, 1],
      [4, 1, 1.5],
    ] as [number, number, number][]) {
      runPython(
        `import sys, numpy as np
from scipy import ndimage
m = np.fromfile(sys.argv[1] + "/interior.bin", dtype="u1").reshape(${JSON.stringify(p1.shape)})
ndimage.distance_transform_edt(m, sampling=${JSON.stringify(sampling)}).astype("<f4").tofile(sys.argv[1] + "/edt.bin")`,
        [tmp.path],
      );
      const bytes = readFileSync(join(tmp.path, "edt.bin"));
      const ref = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      const ours = distanceTransform(interior, p1.shape, { sampling });
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i] - ours[i]));
      expect(worst).toBeLessThan(1e-4);
    }
  });
});

describe("distance transform and maximum filter (independent brute force)", () => {
  it("matches brute-force nearest-zero distances on random masks", () => {
    const rand = lcg(7);
    const shape: [number, number, number] = [4, 6, 7];
    const n = 4 * 6 * 7;
    const mask = Uint8Array.from({ length: n }, () => (rand() < 0.85 ? 1 : 0));
    const sampling: [number, number, number] = [3, 1, 0.5];
    const ours = distanceTransform(mask, shape, { sampling });
    for (let i = 0; i < n; i++) {
      let best = mask[i] === 0 ? 0 : Number.POSITIVE_INFINITY;
      for (let j = 0; j < n && mask[i] !== 0; j++) {
        if (mask[j] !== 0) continue;
        const d = [
          Math.floor(i / 42) - Math.floor(j / 42),
          (Math.floor(i / 7) % 6) - (Math.floor(j / 7) % 6),
          (i % 7) - (j % 7),
        ];
        best = Math.min(best, Math.hypot(d[0] * sampling[0], d[1] * sampling[1], d[2] * sampling[2]));
      }
      expect(ours[i]).toBeCloseTo(best, 5);
    }
  });

  it("maximum filter equals the brute-force window maximum", () => {
    const rand = lcg(3);
    const shape: [number, number, number] = [5, 9, 11];
    const values = Float32Array.from({ length: 5 * 9 * 11 }, () => rand());
    for (const size of [
      [3, 3, 3],
      [1, 4, 10],
      [2, 5, 1],
    ] as [number, number, number][]) {
      const ours = maximumFilter(values, shape, size);
      for (let z = 0; z < 5; z++)
        for (let y = 0; y < 9; y++)
          for (let x = 0; x < 11; x++) {
            let m = Number.NEGATIVE_INFINITY;
            for (let a = z - (size[0] >> 1); a <= z + size[0] - 1 - (size[0] >> 1); a++)
              for (let b = y - (size[1] >> 1); b <= y + size[1] - 1 - (size[1] >> 1); b++)
                for (let c = x - (size[2] >> 1); c <= x + size[2] - 1 - (size[2] >> 1); c++)
                  if (a >= 0 && b >= 0 && c >= 0 && a < 5 && b < 9 && c < 11)
                    m = Math.max(m, values[(a * 9 + b) * 11 + c]);
            expect(ours[(z * 9 + y) * 11 + x]).toBe(m);
          }
    }
  });
});

describe("seeds", () => {
  it("finds regional minima plateaus, not non-minimal plateaus", () => {
    // plateau of 1s at x=1..2 is a minimum; plateau of 3s at x=5..6 is not (it drains to 2 at x=7)
    const surface = new Uint8Array([4, 1, 1, 4, 5, 3, 3, 2, 6]);
    const { seeds, count } = seedsFromMinima(surface, [1, 1, 9]);
    expect(count).toBe(2);
    expect([...seeds]).toEqual([0, 1, 1, 0, 0, 0, 0, 2, 0]);
  });

  it("puts one distance seed in the middle of each disc", () => {
    // two discs of radius 6 separated by a membrane, one section
    const [Y, X] = [20, 40];
    const boundaries = new Float32Array(Y * X).fill(1);
    for (let y = 0; y < Y; y++)
      for (let x = 0; x < X; x++) {
        if (Math.hypot(y - 10, x - 10) < 6.5 || Math.hypot(y - 10, x - 29) < 6.5) boundaries[y * X + x] = 0;
      }
    const { seeds, count } = seedsFromDistance(boundaries, [1, Y, X], { minSeedDistance: 5 });
    expect(count).toBe(2);
    expect(seeds[10 * X + 10]).toBe(1);
    expect(seeds[10 * X + 29]).toBe(2);
    const { fragments, count: fragmentCount } = watershedFragments(boundaries, [1, Y, X], {
      minSeedDistance: 5,
    });
    expect(fragmentCount).toBe(2);
    expect(fragments[10 * X + 14]).toBe(1);
    expect(fragments[10 * X + 25]).toBe(2);
  });
});
