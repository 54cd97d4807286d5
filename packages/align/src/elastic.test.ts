// Elastic alignment on known truth: real EM sections warped by @tessera/phantom's warpSections
// (rigid motion + smooth elastic field with a known displacement), aligned, and the found maps
// compared with the exact inverse of the warp.
import { join } from "node:path";
import { warpSections } from "@tessera/phantom";
import { sharedData } from "@tessera/testkit";
import { readPng } from "@tessera/volume";
import { beforeAll, describe, expect, it } from "vitest";
import { invertMap } from "./invert.js";
import { mapPoint } from "./map.js";
import { pairMap } from "./pair-map.js";
import { countFoldedTriangles } from "./spring-mesh.js";
import { alignStack, correlation } from "./stack.js";
import type { SectionAlignment, SectionMap, SectionSource } from "./stack-types.js";
import { sampleDisplacement } from "./warp-truth.js";

const isbi = sharedData("em/isbi2012/image");
const neuroproof = sharedData("em/neuroproof-sample2/grayscale");

/**
 * Endpoint errors of `found` (output → warped section z) against the truth. The warp is
 * warped_z(p) = original_z(p + d_z(p)), so the point found for q sits at p + d_z(p) in the original;
 * it should be `expected(q)` (q itself for a section against its own warped copy). Points within
 * `margin` px of the edges, or whose point in the warped section is, are left out (content there is
 * cut off by the warp).
 */
function endpointErrors(
  found: SectionMap,
  expected: (y: number, x: number) => [number, number],
  d: Float32Array,
  z: number,
  H: number,
  W: number,
  margin: number,
): number[] {
  const n = H * W;
  const errors: number[] = [];
  for (let y = margin; y < H - margin; y += 4) {
    for (let x = margin; x < W - margin; x += 4) {
      const [py, px] = mapPoint(found, y, x);
      if (!(py >= margin && px >= margin && py <= H - 1 - margin && px <= W - 1 - margin)) continue;
      const oy = py + sampleDisplacement(d, 2 * z * n, H, W, py, px);
      const ox = px + sampleDisplacement(d, (2 * z + 1) * n, H, W, py, px);
      const [ey, ex] = expected(y, x);
      errors.push(Math.hypot(oy - ey, ox - ex));
    }
  }
  return errors.sort((a, b) => a - b);
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function readStack(
  dir: string,
  names: string[],
): Promise<{ data: Float32Array; H: number; W: number }> {
  const images = await Promise.all(names.map((f) => readPng(join(dir, f))));
  const H = images[0].height;
  const W = images[0].width;
  const data = new Float32Array(names.length * H * W);
  for (const [z, im] of images.entries()) data.set(Float32Array.from(im.data), z * H * W);
  return { data, H, W };
}

function memorySource(data: Float32Array, depth: number, H: number, W: number): SectionSource {
  return {
    depth,
    height: H,
    width: W,
    read: async (z) => data.slice(z * H * W, (z + 1) * H * W),
    name: (z) => `section ${z}`,
  };
}

async function runStack(source: SectionSource, warnings: string[] = []) {
  const out: { alignment: SectionAlignment; aligned: Float32Array }[] = [];
  for await (const s of alignStack(source, {
    mode: "elastic",
    patchSize: 96,
    stride: 24,
    onWarning: (m) => warnings.push(m),
  }))
    out.push(s);
  return out;
}

/** The central part of a section (a `margin` px frame left out), for correlations away from fill. */
function inner(img: Float32Array, H: number, W: number, margin: number): Float32Array {
  const h = H - 2 * margin;
  const w = W - 2 * margin;
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++)
    out.set(img.subarray((y + margin) * W + margin, (y + margin) * W + margin + w), y * w);
  return out;
}

describe.skipIf(!isbi.available)("elastic pair maps on warped ISBI 2012 sections (exact truth)", () => {
  it("recovers a 20 px elastic field plus rotation and shift: median ≤ 0.3 px, p95 ≤ 1 px", async () => {
    const { data, H, W } = await readStack(isbi.path, ["0.png", "0.png", "12.png", "12.png"]);
    // sections 1 and 3 are warped copies of 0 and 2: amplitude 20 px, correlation length 64 px
    // (wavelengths of a few hundred px), ±2°, ±8 px
    const w = warpSections(data, [4, H, W], {
      seed: 11,
      elasticAmplitudePx: 20,
      elasticSmoothnessPx: 64,
      maxRotationDeg: 2,
      maxTranslationPx: 8,
    });
    for (const [fixedZ, movingZ] of [
      [0, 1],
      [2, 3],
    ]) {
      const fixed = { data: data.subarray(fixedZ * H * W, (fixedZ + 1) * H * W), width: W, height: H };
      const moving = { data: w.warped.subarray(movingZ * H * W, (movingZ + 1) * H * W), width: W, height: H };
      const found = pairMap(fixed, moving, { mode: "elastic" });
      const errors = endpointErrors(found.map, (y, x) => [y, x], w.displacements, movingZ, H, W, 32);
      expect(errors.length).toBeGreaterThan(10_000);
      expect(quantile(errors, 0.5)).toBeLessThanOrEqual(0.3);
      expect(quantile(errors, 0.95)).toBeLessThanOrEqual(1.0);
      if (found.map.kind !== "mesh") throw new Error("elastic mode gives a mesh map");
      expect(countFoldedTriangles(found.map, found.map.positions)).toBe(0);
    }
  });
});

describe.skipIf(!neuroproof.available)(
  "elastic stack alignment of warped FIB-SEM sections (neuroproof sample 2)",
  () => {
    const Z = 6;
    let stack: { data: Float32Array; H: number; W: number };
    let warped: ReturnType<typeof warpSections<Float32Array>>;
    beforeAll(async () => {
      stack = await readStack(
        neuroproof.path,
        Array.from({ length: Z }, (_, z) => `iso.${2600 + z}.png`),
      );
      warped = warpSections(stack.data, [Z, stack.H, stack.W], {
        seed: 5,
        elasticAmplitudePx: 8,
        elasticSmoothnessPx: 64,
        maxRotationDeg: 1,
        maxTranslationPx: 4,
      });
    });

    it("recovers the warp of each section relative to the undistorted stack's alignment, without folds, and restores adjacent-section correlation", async () => {
      const { H, W } = stack;
      const reference = await runStack(memorySource(stack.data, Z, H, W));
      const found = await runStack(memorySource(warped.warped, Z, H, W));
      const firstPair = endpointErrors(
        found[1].alignment.map as SectionMap,
        (y, x) => mapPoint(reference[1].alignment.map as SectionMap, y, x),
        warped.displacements,
        1,
        H,
        W,
        40,
      );
      expect(firstPair.length).toBeGreaterThan(1000);
      expect(quantile(firstPair, 0.5)).toBeLessThanOrEqual(0.3);
      expect(quantile(firstPair, 0.95)).toBeLessThanOrEqual(1.0);
      for (const s of found) expect(s.alignment.status).not.toBe("skipped");
      for (const s of found) expect(s.alignment.foldedTriangles).toBe(0);
      const meanAdjacent = (images: Float32Array[]) => {
        let sum = 0;
        for (let z = 1; z < Z; z++)
          sum += correlation(inner(images[z - 1], H, W, 40), inner(images[z], H, W, 40));
        return sum / (Z - 1);
      };
      const undistorted = meanAdjacent(
        Array.from({ length: Z }, (_, z) => stack.data.subarray(z * H * W, (z + 1) * H * W)),
      );
      const distorted = meanAdjacent(
        Array.from({ length: Z }, (_, z) => warped.warped.subarray(z * H * W, (z + 1) * H * W)),
      );
      const aligned = meanAdjacent(found.map((s) => s.aligned));
      // resampling smooths a little, which raises correlations: compare with the undistorted stack put
      // through the same aligner, and require no loss against the raw undistorted stack
      const resampled = meanAdjacent(reference.map((s) => s.aligned));
      expect(distorted).toBeLessThan(undistorted - 0.1);
      expect(Math.abs(aligned - resampled) / resampled).toBeLessThanOrEqual(0.01);
      expect(aligned).toBeGreaterThanOrEqual(0.99 * undistorted);
    });

    it("skips a blank section in the middle with a warning and aligns its neighbours to each other", async () => {
      const { H, W } = stack;
      const n = H * W;
      const blanked = (d: Float32Array) => {
        const out = Float32Array.from(d);
        out.fill(0, 1 * n, 2 * n);
        return out;
      };
      const warnings: string[] = [];
      const reference = await runStack(memorySource(blanked(stack.data), 3, H, W));
      const found = await runStack(memorySource(blanked(warped.warped), 3, H, W), warnings);
      expect(found.map((s) => s.alignment.status)).toEqual(["reference", "skipped", "aligned"]);
      expect(found[2].alignment.references).toEqual([0]);
      expect(warnings.some((m) => /blank/.test(m))).toBe(true);
      const errors = endpointErrors(
        found[2].alignment.map as SectionMap,
        (y, x) => mapPoint(reference[2].alignment.map as SectionMap, y, x),
        warped.displacements,
        2,
        H,
        W,
        40,
      );
      expect(quantile(errors, 0.5)).toBeLessThanOrEqual(0.3);
      expect(quantile(errors, 0.95)).toBeLessThanOrEqual(1.0);
    });
  },
);

describe.skipIf(!isbi.available)("invertMap", () => {
  it("inverts an elastic map: map(inverse(p)) = p within 0.01 px over the section", async () => {
    const { data, H, W } = await readStack(isbi.path, ["4.png", "4.png"]);
    const w = warpSections(data, [2, H, W], { seed: 2, elasticAmplitudePx: 15, elasticSmoothnessPx: 64 });
    const fixed = { data: data.subarray(0, H * W), width: W, height: H };
    const moving = { data: w.warped.subarray(H * W), width: W, height: H };
    const found = pairMap(fixed, moving, { mode: "elastic" }).map;
    const inverse = invertMap(found, H, W, { stride: 8 });
    let worst = 0;
    for (let y = 40; y < H - 40; y += 7) {
      for (let x = 40; x < W - 40; x += 7) {
        const [qy, qx] = mapPoint(inverse, y, x);
        const [py, px] = mapPoint(found, qy, qx);
        worst = Math.max(worst, Math.hypot(py - y, px - x));
      }
    }
    expect(worst).toBeLessThanOrEqual(0.01);
  });
});
