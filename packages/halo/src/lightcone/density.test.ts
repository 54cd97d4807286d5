// Uniform random objects: the number of replicas in each shell must be the mean density times the
// shell's volume (times the sky fraction), within Poisson error. The volumes and sky fractions are
// written here from geometry, not taken from the code under test.
import { Cosmology, PLANCK18 } from "@tessera/cosmology";
import { describe, expect, it } from "vitest";
import type { Footprint } from "./footprint.js";
import { buildLightcone } from "./lightcone.js";
import type { LightconeSnapshot } from "./types.js";

/** Small seeded generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const L = 200;
const N = 600;
const redshifts = [0.6, 0.45, 0.3, 0.15, 0];

function uniformSnapshots(seed: number): LightconeSnapshot[] {
  const next = rng(seed);
  return redshifts.map((redshift) => {
    const x = new Float32Array(N);
    const y = new Float32Array(N);
    const z = new Float32Array(N);
    for (let i = 0; i < N; i++) {
      // float32 rounding could reach L itself: keep strictly inside [0, L)
      x[i] = Math.min(next() * L, L - 1e-3);
      y[i] = Math.min(next() * L, L - 1e-3);
      z[i] = Math.min(next() * L, L - 1e-3);
    }
    return { redshift, objects: { x, y, z } };
  });
}

const rad = Math.PI / 180;
const cases: Array<[string, Footprint, number]> = [
  ["full sky", { kind: "fullSky" }, 1],
  ["octant", { kind: "octant" }, 1 / 8],
  [
    "RA/Dec box 30°–120°, −20°–45°",
    { kind: "raDecBox", raMinDeg: 30, raMaxDeg: 120, decMinDeg: -20, decMaxDeg: 45 },
    (90 * rad * (Math.sin(45 * rad) - Math.sin(-20 * rad))) / (4 * Math.PI),
  ],
  [
    "RA/Dec box wrapping through RA 0 (300°–40°), 10°–80°",
    { kind: "raDecBox", raMinDeg: 300, raMaxDeg: 40, decMinDeg: 10, decMaxDeg: 80 },
    (100 * rad * (Math.sin(80 * rad) - Math.sin(10 * rad))) / (4 * Math.PI),
  ],
];

describe("uniform objects: counts per shell = mean density × shell volume", () => {
  const cosmo = new Cosmology(PLANCK18);
  it.each(cases)("%s", (_name, footprint, fraction) => {
    const density = N / L ** 3;
    const zMin = 0.05;
    const zMax = 0.5;
    const lc = buildLightcone(uniformSnapshots(7), {
      boxSize: L,
      cosmology: cosmo,
      zMin,
      zMax,
      footprint,
      observer: [10, 20, 30],
    });
    let expectedTotal = 0;
    const pulls: number[] = [];
    for (const sh of lc.shells) {
      const volume = ((4 * Math.PI) / 3) * (sh.chiUpperMpcH ** 3 - sh.chiLowerMpcH ** 3) * fraction;
      const expected = density * volume;
      expectedTotal += expected;
      if (expected === 0) {
        expect(sh.count).toBe(0);
        continue;
      }
      pulls.push((sh.count - expected) / Math.sqrt(expected));
      expect(
        Math.abs(sh.count - expected),
        `shell of z = ${sh.redshift}: ${sh.count} vs ${expected}`,
      ).toBeLessThan(5 * Math.sqrt(expected));
    }
    expect(Math.abs(lc.count - expectedTotal)).toBeLessThan(5 * Math.sqrt(expectedTotal));
    // the kept shells tile [χ(zMin), χ(zMax)]
    const kept = lc.shells.filter((s) => s.chiUpperMpcH > s.chiLowerMpcH);
    expect(kept[0].chiUpperMpcH).toBe(lc.chiRangeMpcH[1]);
    expect(kept[kept.length - 1].chiLowerMpcH).toBe(lc.chiRangeMpcH[0]);
    for (let i = 1; i < kept.length; i++) expect(kept[i].chiUpperMpcH).toBe(kept[i - 1].chiLowerMpcH);
    // rows really are in the footprint and the range
    for (let k = 0; k < lc.count; k++) {
      if (footprint.kind === "octant") expect(lc.x[k] >= 0 && lc.y[k] >= 0 && lc.z[k] >= 0).toBe(true);
      if (lc.chi[k] < lc.chiRangeMpcH[0] || lc.chi[k] > lc.chiRangeMpcH[1])
        throw new Error(`row ${k} out of range`);
    }
    console.log(
      `${_name}: ${lc.count} objects (expected ${expectedTotal.toFixed(0)}), pulls ${pulls.map((p) => p.toFixed(2)).join(" ")}`,
    );
  });
});
