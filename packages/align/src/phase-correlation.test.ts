// Translation on known truth from real EM (ISBI 2012 sections, 4 nm pixels): the moving section is a
// crop of the same image at an offset (integer truth), or both are 4 × 4 block averages of crops
// offset by whole pixels, which samples the scene on a grid shifted by a quarter pixel (sub-pixel
// truth with no interpolation). skimage's phase_cross_correlation runs on the same pairs.
import { join } from "node:path";
import { pythonHas, sharedData } from "@tessera/testkit";
import { readPng } from "@tessera/volume";
import { beforeAll, describe, expect, it } from "vitest";
import { AlignInputError } from "./errors.js";
import { phaseCorrelate } from "./phase-correlation.js";
import type { Section } from "./section.js";

const isbi = sharedData("em/isbi2012/image");

/** rows × cols crop of `image` at (y0, x0), block-averaged by `block`. */
function crop(
  image: Section,
  y0: number,
  x0: number,
  rows: number,
  cols: number,
  block = 1,
): Float64Array & { width?: number } {
  const out = new Float64Array((rows / block) * (cols / block));
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      out[Math.floor(y / block) * (cols / block) + Math.floor(x / block)] +=
        image.data[(y0 + y) * image.width + x0 + x] / (block * block);
    }
  }
  return out;
}

describe.skipIf(!isbi.available)("phaseCorrelate on ISBI 2012 sections with known shifts", () => {
  let image: Section;
  beforeAll(async () => {
    const png = await readPng(join(isbi.path, "3.png"));
    image = { data: png.data, width: png.width, height: png.height };
  });

  it("integer shifts exactly; quarter-pixel shifts within 0.05 px; the peak ratio says it is a clear match", () => {
    // crops 384 × 384 from (64, 64) and (64 + sy, 64 + sx): moving must be shifted by (sy, sx)
    for (const [sy, sx] of [
      [0, 0],
      [7, -13],
      [-29, 41],
      [50, 3],
    ]) {
      const fixed = { data: crop(image, 64, 64, 384, 384), width: 384, height: 384 };
      const moving = { data: crop(image, 64 + sy, 64 + sx, 384, 384), width: 384, height: 384 };
      const t = phaseCorrelate(fixed, moving);
      expect(Math.abs(t.dy - sy), `dy for (${sy}, ${sx})`).toBeLessThanOrEqual(0.05);
      expect(Math.abs(t.dx - sx), `dx for (${sy}, ${sx})`).toBeLessThanOrEqual(0.05);
      expect(t.peakRatio).toBeGreaterThan(3);
    }
    // 4 × 4 averages: an offset of k original pixels is k/4 pixels of the averaged sections
    for (const [ky, kx] of [
      [1, 2],
      [-3, 5],
      [6, -7],
      [13, 10],
    ]) {
      const fixed = { data: crop(image, 64, 64, 384, 384, 4), width: 96, height: 96 };
      const moving = { data: crop(image, 64 + ky, 64 + kx, 384, 384, 4), width: 96, height: 96 };
      const t = phaseCorrelate(fixed, moving);
      expect(Math.abs(t.dy - ky / 4), `dy for ${ky}/4`).toBeLessThanOrEqual(0.05);
      expect(Math.abs(t.dx - kx / 4), `dx for ${kx}/4`).toBeLessThanOrEqual(0.05);
    }
  });

  it("unrelated sections give a low peak ratio; different sizes and NaN are typed errors", async () => {
    const other = await readPng(join(isbi.path, "20.png"));
    const a = { data: crop(image, 0, 0, 256, 256), width: 256, height: 256 };
    const noise = {
      data: Float64Array.from({ length: 256 * 256 }, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1),
      width: 256,
      height: 256,
    };
    const match = phaseCorrelate(a, { data: crop(image, 5, 9, 256, 256), width: 256, height: 256 });
    const none = phaseCorrelate(a, noise);
    expect(none.peakRatio).toBeLessThan(match.peakRatio / 3);
    expect(other.width).toBe(512);
    expect(() => phaseCorrelate(a, { data: new Float64Array(100), width: 10, height: 10 })).toThrow(
      AlignInputError,
    );
    const nan = Float64Array.from(a.data);
    nan[300] = Number.NaN;
    expect(() => phaseCorrelate(a, { data: nan, width: 256, height: 256 })).toThrow(/row 1, column 44/);
  });
});

const skimage = isbi.available && pythonHas("skimage.registration", "numpy");

describe.skipIf(!skimage)("against skimage.registration.phase_cross_correlation", () => {
  it("agrees on the same pairs (integer and quarter-pixel shifts) within 0.1 px; ours within 0.05 px of the truth", async () => {
    const png = await readPng(join(isbi.path, "11.png"));
    const image = { data: png.data, width: png.width, height: png.height };
    const pairs = [
      [17, -9, 1],
      [-5, 22, 1],
      [3, -6, 4],
      [-10, 7, 4],
    ];
    const inputs = pairs.map(([ky, kx, block]) => {
      const size = 384 / block;
      return {
        fixed: Array.from(crop(image, 64, 64, 384, 384, block)),
        moving: Array.from(crop(image, 64 + ky, 64 + kx, 384, 384, block)),
        size,
      };
    });
    const script = `
import json, sys
import numpy as np
from skimage.registration import phase_cross_correlation
out = []
for p in json.load(sys.stdin):
    n = p["size"]
    a = np.array(p["fixed"], dtype=np.float64).reshape(n, n)
    b = np.array(p["moving"], dtype=np.float64).reshape(n, n)
    shift, _, _ = phase_cross_correlation(a, b, upsample_factor=100)
    out.append([float(shift[0]), float(shift[1])])
print(json.dumps(out))`;
    const { spawnSync } = await import("node:child_process");
    const run = spawnSync("/usr/bin/python3", ["-c", script], {
      input: JSON.stringify(inputs),
      encoding: "utf8",
      maxBuffer: 1 << 28,
    });
    expect(run.status, run.stderr).toBe(0);
    const theirs = JSON.parse(run.stdout) as number[][];
    pairs.forEach(([ky, kx, block], i) => {
      const n = inputs[i].size;
      const ours = phaseCorrelate(
        { data: inputs[i].fixed, width: n, height: n },
        { data: inputs[i].moving, width: n, height: n },
      );
      const truth = [ky / block, kx / block];
      const said = `pair ${i}: ours (${ours.dy}, ${ours.dx}), skimage (${theirs[i]}), truth (${truth})`;
      // skimage weights all frequencies alike and shows pixel locking on the quarter-pixel pairs
      // (up to ~0.06 px towards whole pixels), so the two agree to 0.1 px; ours is within 0.05 of the truth
      expect(Math.abs(ours.dy - theirs[i][0]), said).toBeLessThanOrEqual(0.1);
      expect(Math.abs(ours.dx - theirs[i][1]), said).toBeLessThanOrEqual(0.1);
      expect(Math.abs(ours.dy - truth[0]), said).toBeLessThanOrEqual(0.05);
      expect(Math.abs(ours.dx - truth[1]), said).toBeLessThanOrEqual(0.05);
      console.log(said);
    });
  });
});
