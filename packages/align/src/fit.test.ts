// Rigid and affine alignment on known truth: a real ISBI 2012 section warped by a known map with
// @tessera/phantom's applyDisplacements (bilinear), then patch matches + robust fit.
import { join } from "node:path";
import { applyDisplacements } from "@tessera/phantom";
import { sharedData } from "@tessera/testkit";
import { readPng } from "@tessera/volume";
import { beforeAll, describe, expect, it } from "vitest";
import { alignPair } from "./align-pair.js";
import {
  type Affine,
  applyAffine,
  correspondences,
  fitAffine,
  fitRigid,
  fitRobust,
  invertAffine,
} from "./fit.js";
import { matchPatches } from "./patch-matches.js";
import type { Section } from "./section.js";

const isbi = sharedData("em/isbi2012/image");

/** The section resampled so that moving(p) = fixed(A(p)) (A: moving → fixed, backward map). */
function warp(fixed: Section, a: Affine): Section {
  const { width: X, height: Y } = fixed;
  const d = new Float32Array(2 * X * Y);
  for (let y = 0; y < Y; y++) {
    for (let x = 0; x < X; x++) {
      const [fy, fx] = applyAffine(a, y, x);
      d[y * X + x] = fy - y;
      d[X * Y + y * X + x] = fx - x;
    }
  }
  const data = applyDisplacements(Float32Array.from(fixed.data), [1, Y, X], d, { fill: 0 });
  return { data, width: X, height: Y };
}

/** Largest distance between two maps over the section's interior (a 64 px margin), px. */
function worstOver(s: Section, m1: Affine, m2: Affine): number {
  let worst = 0;
  for (let y = 64; y <= s.height - 64; y += 16) {
    for (let x = 64; x <= s.width - 64; x += 16) {
      const [a, b] = applyAffine(m1, y, x);
      const [c, d] = applyAffine(m2, y, x);
      worst = Math.max(worst, Math.hypot(a - c, b - d));
    }
  }
  return worst;
}

/** A about the section centre: rotation θ (deg), scale (sy, sx), shear, translation (ty, tx). */
function about(
  s: Section,
  deg: number,
  sy: number,
  sx: number,
  shear: number,
  ty: number,
  tx: number,
): Affine {
  const cy = (s.height - 1) / 2;
  const cx = (s.width - 1) / 2;
  const t = (deg * Math.PI) / 180;
  const a = sy * Math.cos(t);
  const b = sx * Math.sin(t) + shear;
  const d = -sy * Math.sin(t);
  const e = sx * Math.cos(t);
  return [a, b, cy + ty - a * cy - b * cx, d, e, cx + tx - d * cy - e * cx];
}

describe("least-squares fits recover exact maps", () => {
  it("rigid and affine from exact correspondences; the inverse inverts", () => {
    const truth: Affine = [Math.cos(0.1), Math.sin(0.1), 3, -Math.sin(0.1), Math.cos(0.1), -7];
    const skew: Affine = [1.02, 0.03, -4, -0.01, 0.97, 11];
    const pts = Array.from({ length: 30 }, (_, i) => ({ y: (i * 37) % 500, x: (i * 91) % 480 }));
    for (const [m, fit] of [
      [truth, fitRigid],
      [skew, fitAffine],
    ] as const) {
      const c = correspondences(
        pts.map(({ y, x }) => ({ y, x, movingY: applyAffine(m, y, x)[0], movingX: applyAffine(m, y, x)[1] })),
      );
      const got = fit(c);
      for (let i = 0; i < 6; i++) expect(got[i]).toBeCloseTo(m[i], 9);
      const back = invertAffine(m);
      const [y, x] = applyAffine(back, ...applyAffine(m, 12.5, -40));
      expect(y).toBeCloseTo(12.5, 9);
      expect(x).toBeCloseTo(-40, 9);
    }
  });

  it("RANSAC ignores gross outliers", () => {
    const m: Affine = [0.99, 0.02, 5, -0.015, 1.01, -3];
    const pts = Array.from({ length: 60 }, (_, i) => ({ y: (i * 53) % 400, x: (i * 29) % 400 }));
    const matches = pts.map(({ y, x }, i) => {
      const [my, mx] = applyAffine(m, y, x);
      return i % 5 === 0
        ? { y, x, movingY: my + 25 - (i % 7), movingX: mx - 18 }
        : { y, x, movingY: my, movingX: mx };
    });
    const r = fitRobust(correspondences(matches), { model: "affine", thresholdPx: 0.5 });
    expect(r.inliers.length).toBe(48);
    for (let i = 0; i < 6; i++) expect(r.transform[i]).toBeCloseTo(m[i], 9);
  });
});

describe.skipIf(!isbi.available)("rigid and affine alignment of a warped ISBI 2012 section", () => {
  let fixed: Section;
  beforeAll(async () => {
    const png = await readPng(join(isbi.path, "7.png"));
    fixed = { data: Float32Array.from(png.data), width: png.width, height: png.height };
  });

  it.each([
    ["rigid: 1.5° and (5.3, −3.7) px", "rigid", 1.5, 1, 1, 0, 5.3, -3.7],
    ["affine: −1°, scale 1.01 × 0.99, shear 0.01, (−2.2, 4.6) px", "affine", -1, 1.01, 0.99, 0.01, -2.2, 4.6],
  ] as const)("%s: within 0.05 px over the section", (_name, model, deg, sy, sx, shear, ty, tx) => {
    const a = about(fixed, deg, sy, sx, shear, ty, tx); // moving → fixed
    const moving = warp(fixed, a);
    // one pass of matches and fit, then alignPair's default of two
    const once = fitRobust(correspondences(matchPatches(fixed, moving, { patchSize: 128, stride: 32 })), {
      model,
      thresholdPx: 0.5,
    });
    const r = alignPair(fixed, moving, { mode: model, patchSize: 128, stride: 32, thresholdPx: 0.5 });
    expect(r.matches).toBeGreaterThan(100);
    const worstOnce = worstOver(fixed, once.transform, invertAffine(a));
    const worst = worstOver(fixed, r.transform, invertAffine(a));
    console.log(
      `${model}: one pass ${worstOnce.toFixed(3)} px; two passes: ${r.matches} matches, ${r.fit?.inliers.length} inliers, rms ${r.fit?.rmsPx.toFixed(3)} px, worst map error ${worst.toFixed(3)} px`,
    );
    expect(worst).toBeLessThan(0.05);
  });
});
