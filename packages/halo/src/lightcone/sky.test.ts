// RA/Dec of hand-placed objects against a direct computation (Dec from atan2(z, ρ), RA from acos
// of x/ρ with the sign of y), and the positions relative to an observer inside the box.
import { Cosmology, PLANCK18 } from "@tessera/cosmology";
import { describe, expect, it } from "vitest";
import { buildLightcone } from "./lightcone.js";
import { raDecDegrees } from "./sky.js";

const DEG = 180 / Math.PI;

function direct(x: number, y: number, z: number): [number, number] {
  const rho = Math.hypot(x, y);
  const dec = Math.atan2(z, rho) * DEG;
  if (rho === 0) return [0, dec];
  const ra = Math.acos(x / rho) * DEG;
  return [y >= 0 ? ra : 360 - ra, dec];
}

const offsets: Array<[number, number, number, number, number]> = [
  // dx, dy, dz, RA, Dec by hand
  [10, 0, 0, 0, 0],
  [0, 10, 0, 90, 0],
  [-10, 0, 0, 180, 0],
  [0, -10, 0, 270, 0],
  [0, 0, 10, 0, 90],
  [0, 0, -10, 0, -90],
  [5, 5, Math.SQRT2 * 5, 45, 45],
  [-3, -4, 0, 180 + Math.atan(4 / 3) * DEG, 0],
  [1, -Math.sqrt(3), -2, 300, -45],
  [12, 0.001, 7, Math.atan2(0.001, 12) * DEG, Math.atan2(7, Math.hypot(12, 0.001)) * DEG],
];

describe("RA/Dec", () => {
  it("raDecDegrees of hand-placed directions", () => {
    const out = new Float64Array(2);
    for (const [dx, dy, dz, ra, dec] of offsets) {
      raDecDegrees(dx, dy, dz, out);
      expect(out[0]).toBeCloseTo(ra, 10);
      expect(out[1]).toBeCloseTo(dec, 10);
      const [dRa, dDec] = direct(dx, dy, dz);
      // acos loses digits near 0°: 1e-8 degrees
      expect(out[0]).toBeCloseTo(dRa, 8);
      expect(out[1]).toBeCloseTo(dDec, 8);
    }
    raDecDegrees(0, 0, 0, out);
    expect([out[0], out[1]]).toEqual([0, 0]);
  });

  it("in a lightcone: the object's RA/Dec and position seen from an observer inside the box", () => {
    const L = 100;
    const o: [number, number, number] = [50, 50, 50];
    const x = offsets.map((p) => o[0] + p[0]);
    const y = offsets.map((p) => o[1] + p[1]);
    const z = offsets.map((p) => o[2] + p[2]);
    const lc = buildLightcone([{ redshift: 0.01, objects: { x, y, z } }], {
      boxSize: L,
      cosmology: new Cosmology(PLANCK18),
      zMin: 0,
      zMax: 0.006, // χ ≈ 18 Mpc/h: only the box itself (the nearest other image is 50 Mpc/h away)
      observer: o,
      extrapolate: true,
    });
    expect(lc.count).toBe(offsets.length);
    for (let k = 0; k < lc.count; k++) {
      const i = lc.index[k];
      const [dx, dy, dz, ra, dec] = offsets[i];
      expect([lc.ix[k], lc.iy[k], lc.iz[k]]).toEqual([0, 0, 0]);
      expect(lc.x[k]).toBeCloseTo(dx, 12);
      expect(lc.y[k]).toBeCloseTo(dy, 12);
      expect(lc.z[k]).toBeCloseTo(dz, 12);
      expect(lc.chi[k]).toBeCloseTo(Math.hypot(dx, dy, dz), 12);
      expect(lc.ra[k]).toBeCloseTo(ra, 9);
      expect(lc.dec[k]).toBeCloseTo(dec, 9);
    }
  });
});
