// PatchCorrelator on real EM (ISBI 2012 sections, 4 nm pixels) with known truth: patches cut from a
// 2 × 2 mosaic of sections at whole-pixel offsets (integer truth), or 4 × 4 block averages of crops
// offset by whole pixels (quarter-pixel truth with no interpolation), as in phase-correlation.test.ts.
import { join } from "node:path";
import { sharedData } from "@tessera/testkit";
import { readPng } from "@tessera/volume";
import { beforeAll, describe, expect, it } from "vitest";
import { AlignInputError } from "./errors.js";
import { PatchCorrelator } from "./patch-correlator.js";
import { phaseCorrelate } from "./phase-correlation.js";
import type { Section } from "./section.js";

const isbi = sharedData("em/isbi2012/image");

/** size × size crop of `image` at (y0, x0), block-averaged by `block` (the crop spans size·block px). */
function crop(image: Section, y0: number, x0: number, size: number, block = 1): Float64Array {
  const out = new Float64Array(size * size);
  for (let y = 0; y < size * block; y++) {
    for (let x = 0; x < size * block; x++) {
      out[Math.floor(y / block) * size + Math.floor(x / block)] +=
        image.data[(y0 + y) * image.width + x0 + x] / (block * block);
    }
  }
  return out;
}

/** Sections side by side, 2 × 2, into one 1024 × 1024 image. */
async function mosaic(sections: number[]): Promise<Section> {
  const data = new Float64Array(1024 * 1024);
  for (let k = 0; k < 4; k++) {
    const png = await readPng(join(isbi.path, `${sections[k]}.png`));
    const ty = (k >> 1) * 512;
    const tx = (k & 1) * 512;
    for (let y = 0; y < 512; y++) {
      for (let x = 0; x < 512; x++) data[(ty + y) * 1024 + tx + x] = png.data[y * 512 + x];
    }
  }
  return { data, width: 1024, height: 1024 };
}

describe.skipIf(!isbi.available)("PatchCorrelator on ISBI 2012 patches with known shifts", () => {
  const size = 160;
  let image: Section;
  // [y0, x0, ky, kx, block]: moving is cut (ky, kx) original pixels from fixed; truth (ky, kx)/block
  const cases = [
    [100, 120, 0, 0, 1],
    [300, 500, 7, -13, 1],
    [620, 240, -19, 11, 1],
    [150, 760, 23, 4, 1],
    [700, 700, -3, -28, 1],
    [60, 80, 1, 2, 4],
    [200, 150, -3, 5, 4],
    [120, 300, 6, -7, 4],
    [300, 80, 13, 10, 4],
    [250, 250, -9, -1, 4],
  ];
  const pairs = () =>
    cases.map(([y0, x0, ky, kx, block]) => ({
      fixed: crop(image, y0, x0, size, block),
      moving: crop(image, y0 + ky, x0 + kx, size, block),
      truth: [ky / block, kx / block],
      name: `(${ky}, ${kx})/${block} at (${y0}, ${x0})`,
    }));
  beforeAll(async () => {
    image = await mosaic([3, 4, 11, 12]);
  });

  it("finds integer and quarter-pixel shifts within 0.05 px, with a clear peak", () => {
    const pc = new PatchCorrelator(size);
    let worst = 0;
    for (const p of pairs()) {
      const t = pc.correlate(p.fixed, p.moving);
      expect(Math.abs(t.dy - p.truth[0]), `dy for ${p.name}`).toBeLessThanOrEqual(0.05);
      expect(Math.abs(t.dx - p.truth[1]), `dx for ${p.name}`).toBeLessThanOrEqual(0.05);
      expect(t.peakRatio, p.name).toBeGreaterThan(3);
      worst = Math.max(worst, Math.abs(t.dy - p.truth[0]), Math.abs(t.dx - p.truth[1]));
    }
    console.log(`PatchCorrelator: largest error against the truth ${worst.toFixed(4)} px`);
  });

  it("agrees with phaseCorrelate within 0.02 px, and on the peak height within 5%", () => {
    const pc = new PatchCorrelator(size);
    let worst = 0;
    for (const p of pairs()) {
      const ours = pc.correlate(p.fixed, p.moving);
      const ref = phaseCorrelate(
        { data: p.fixed, width: size, height: size },
        { data: p.moving, width: size, height: size },
      );
      const said = `${p.name}: ours (${ours.dy}, ${ours.dx}), phaseCorrelate (${ref.dy}, ${ref.dx})`;
      expect(Math.abs(ours.dy - ref.dy), said).toBeLessThanOrEqual(0.02);
      expect(Math.abs(ours.dx - ref.dx), said).toBeLessThanOrEqual(0.02);
      expect(Math.abs(ours.peak / ref.peak - 1), said).toBeLessThan(0.05);
      worst = Math.max(worst, Math.abs(ours.dy - ref.dy), Math.abs(ours.dx - ref.dx));
    }
    console.log(`PatchCorrelator: largest difference from phaseCorrelate ${worst.toFixed(4)} px`);
  });

  it("gives a peak ratio below 2 for unrelated patches and above 3 for matching ones", async () => {
    const pc = new PatchCorrelator(size);
    const png = await readPng(join(isbi.path, "20.png"));
    const other = { data: png.data, width: png.width, height: png.height };
    for (const [y0, x0, oy, ox] of [
      [100, 100, 50, 300],
      [400, 600, 200, 100],
      [500, 200, 300, 300],
    ]) {
      const fixed = crop(image, y0, x0, size);
      const unrelated = pc.correlate(fixed, crop(other, oy, ox, size));
      const elsewhere = pc.correlate(fixed, crop(image, oy + 500, ox + 400, size));
      const match = pc.correlate(fixed, crop(image, y0 + 5, x0 - 7, size));
      expect(unrelated.peakRatio).toBeLessThan(2);
      expect(elsewhere.peakRatio).toBeLessThan(2);
      expect(match.peakRatio).toBeGreaterThan(3);
      expect(match.peak).toBeGreaterThan(3 * unrelated.peak);
    }
  });

  it("respects maxShift, and options upsample, window and spectralWidth as phaseCorrelate does", () => {
    const fixed = crop(image, 300, 400, size);
    const far = crop(image, 300 + 20, 400 - 25, size);
    // the true peak lies beyond maxShift: the best one within it is reported (refined by < 1 px)
    const limited = new PatchCorrelator(size, { maxShift: 10 }).correlate(fixed, far);
    expect(Math.abs(limited.dy)).toBeLessThan(11);
    expect(Math.abs(limited.dx)).toBeLessThan(11);
    expect(limited.peakRatio).toBeLessThan(1);
    const wide = new PatchCorrelator(size, { maxShift: 30 }).correlate(fixed, far);
    expect(Math.abs(wide.dy - 20)).toBeLessThan(0.05);
    expect(Math.abs(wide.dx + 25)).toBeLessThan(0.05);
    // upsample 1: whole pixels; other options: close to phaseCorrelate with the same options
    const quarter = [crop(image, 200, 300, size, 4), crop(image, 200 - 3, 300 + 5, size, 4)];
    const whole = new PatchCorrelator(size, { upsample: 1 }).correlate(quarter[0], quarter[1]);
    expect([whole.dy, whole.dx]).toEqual([-1, 1]);
    for (const options of [
      { upsample: 4 },
      { window: false },
      { spectralWidth: 0 },
      { spectralWidth: 0.2 },
    ]) {
      const ours = new PatchCorrelator(size, options).correlate(quarter[0], quarter[1]);
      const ref = phaseCorrelate(
        { data: quarter[0], width: size, height: size },
        { data: quarter[1], width: size, height: size },
        options,
      );
      const said = `${JSON.stringify(options)}: ours (${ours.dy}, ${ours.dx}), phaseCorrelate (${ref.dy}, ${ref.dx})`;
      expect(Math.abs(ours.dy - ref.dy), said).toBeLessThan(0.03);
      expect(Math.abs(ours.dx - ref.dx), said).toBeLessThan(0.03);
    }
  });

  it("works at sizes that need padding or other radices, and keeps no state between calls", () => {
    // small patches hold too little texture for 0.05 px (phaseCorrelate misses by 0.1 px at 64 too):
    // there, agreement with phaseCorrelate on the same patches is what is checked
    for (const s of [30, 64, 97, 128, 150]) {
      const pc = new PatchCorrelator(s);
      const pairs = [
        [crop(image, 200, 300, s), crop(image, 207, 295, s), 7, -5],
        [crop(image, 300, 300, s, 4), crop(image, 297, 305, s, 4), -0.75, 1.25],
      ] as const;
      for (const [fixed, moving, ty, tx] of pairs) {
        const t = pc.correlate(fixed, moving);
        const ref = phaseCorrelate(
          { data: fixed, width: s, height: s },
          { data: moving, width: s, height: s },
        );
        const said = `size ${s}: ours (${t.dy}, ${t.dx}), phaseCorrelate (${ref.dy}, ${ref.dx}), truth (${ty}, ${tx})`;
        const agree = s < 64 ? 0.1 : 0.03;
        expect(Math.abs(t.dy - ref.dy), said).toBeLessThan(agree);
        expect(Math.abs(t.dx - ref.dx), said).toBeLessThan(agree);
        if (s >= 97) {
          expect(Math.abs(t.dy - ty), said).toBeLessThan(0.05);
          expect(Math.abs(t.dx - tx), said).toBeLessThan(0.05);
        }
      }
      const [fixed, moving] = pairs[0];
      const first = pc.correlate(fixed, moving);
      pc.correlate(pairs[1][0], pairs[1][1]);
      expect(pc.correlate(fixed, moving)).toEqual(first);
    }
    for (const s of [2, 3, 4]) {
      const t = new PatchCorrelator(s).correlate(crop(image, 10, 10, s), crop(image, 11, 10, s));
      expect(Number.isFinite(t.dy) && Number.isFinite(t.dx)).toBe(true);
    }
  });
});

describe("PatchCorrelator input checks", () => {
  const size = 160;
  const patch = Float64Array.from(
    { length: size * size },
    (_, i) => Math.sin(i * 0.37) + Math.cos(i * 0.011),
  );

  it("throws AlignInputError naming the patch and the value for a wrong length, NaN or infinity", () => {
    const pc = new PatchCorrelator(size);
    expect(() => pc.correlate(patch, new Float64Array(100))).toThrow(AlignInputError);
    expect(() => pc.correlate(patch, new Float64Array(100))).toThrow(/"moving".*25600 values.*100 values/);
    expect(() => pc.correlate([1, 2, 3], patch)).toThrow(/"fixed"/);
    const nan = Float64Array.from(patch);
    nan[300] = Number.NaN;
    expect(() => pc.correlate(nan, patch)).toThrow(AlignInputError);
    expect(() => pc.correlate(nan, patch)).toThrow(/fixed: value 300 \(row 1, column 140\).*NaN/);
    const inf = Float64Array.from(patch);
    inf[size * size - 1] = Number.POSITIVE_INFINITY;
    expect(() => pc.correlate(patch, inf)).toThrow(/moving: value 25599 \(row 159, column 159\).*Infinity/);
  });

  it("throws AlignInputError naming a bad size or option", () => {
    expect(() => new PatchCorrelator(1.5)).toThrow(/size.*1\.5/);
    expect(() => new PatchCorrelator(1)).toThrow(AlignInputError);
    expect(() => new PatchCorrelator(size, { upsample: 0 })).toThrow(/upsample/);
    expect(() => new PatchCorrelator(size, { spectralWidth: -1 })).toThrow(/spectralWidth/);
    expect(() => new PatchCorrelator(size, { maxShift: Number.NaN })).toThrow(/maxShift/);
  });
});
