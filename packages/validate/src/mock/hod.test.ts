import { OUTER_RIM } from "@tessera/cosmology";
import { describe, expect, it } from "vitest";
import { ZHENG07_MR20, zheng07MeanCentrals, zheng07MeanSatellites } from "./hod.js";
import { mockGalaxies } from "./mock-galaxies.js";
import { duffy08Concentration, nfwEnclosedFraction, r200cComovingMpcH } from "./nfw.js";

// scipy.special.erf on the Zheng 2007 formulas, parameters typed in by hand (12.02, 0.26, 11.38, 13.31, 1.06)
const SCIPY: Array<[number, number, number]> = [
  [11.5, 0.002338867490523644, 6.253884867670168e-6],
  [12.0, 0.45668624952423575, 0.013955680914943404],
  [12.3, 0.9361205498419314, 0.0694648236457905],
  [13.0, 0.9999999510278981, 0.45732220650307104],
  [14.0, 1.0, 5.373959207252408],
];

const BOX = 100;

/** n halos of one mass at random centres (one per id) in a BOX Mpc/h box. */
function halosOfMass(massMsunH: number, n: number, idOffset: number) {
  const c = (k: number) =>
    Float64Array.from({ length: n }, (_, i) => (((i + idOffset) * 0.6180339887 * (k + 1)) % 1) * BOX);
  return {
    fof_halo_tag: BigInt64Array.from({ length: n }, (_, i) => BigInt(i + idOffset)),
    fof_halo_mass: new Float32Array(n).fill(massMsunH),
    fof_halo_center_x: c(0),
    fof_halo_center_y: c(1),
    fof_halo_center_z: c(2),
  };
}

describe("Zheng 2007 HOD", () => {
  it("mean occupations equal scipy's evaluation of the formulas (erf error < 1.5e-7)", () => {
    for (const [lm, nc, ns] of SCIPY) {
      expect(Math.abs(zheng07MeanCentrals(10 ** lm, ZHENG07_MR20) - nc)).toBeLessThan(2e-7);
      expect(Math.abs(zheng07MeanSatellites(10 ** lm, ZHENG07_MR20) - ns)).toBeLessThan(
        2e-7 * Math.max(1, ns),
      );
    }
    expect(zheng07MeanSatellites(10 ** 11, ZHENG07_MR20)).toBe(0); // below M0
  });

  it("draws Poisson satellite counts whose mean and variance match ⟨N_sat⟩ on many halos", () => {
    for (const [lm, , ns] of SCIPY.slice(2)) {
      const n = 20_000;
      const { galaxies } = mockGalaxies(halosOfMass(10 ** lm, n, 1000), {
        relation: "moster13",
        redshift: 0,
        cosmology: OUTER_RIM,
        seed: 5,
        boxSize: BOX,
        hod: ZHENG07_MR20,
      });
      const perHalo = new Float64Array(n);
      const tag = galaxies.halo_id as BigInt64Array;
      for (let g = 0; g < tag.length; g++) if (!galaxies.is_central[g]) perHalo[Number(tag[g]) - 1000]++;
      let s = 0;
      let s2 = 0;
      for (const k of perHalo) {
        s += k;
        s2 += k * k;
      }
      const mean = s / n;
      const variance = s2 / n - mean * mean;
      expect(Math.abs(mean - ns)).toBeLessThan(4 * Math.sqrt(ns / n)); // Poisson error of the mean
      expect(Math.abs(variance / ns - 1)).toBeLessThan(4 * Math.sqrt(2 / n) + 4 / Math.sqrt(n * ns));
      expect(galaxies.is_central.reduce((a, b) => a + b, 0)).toBe(n); // one central per halo
    }
  });

  it("places satellites on the NFW profile: KS distance to μ(c r/R)/μ(c) below the 1% critical value", () => {
    const mass = 10 ** 14.5;
    const n = 600; // ~ 20 satellites each
    const halos = halosOfMass(mass, n, 0);
    const { galaxies } = mockGalaxies(halos, {
      relation: "behroozi13",
      redshift: 0.3,
      cosmology: OUTER_RIM,
      seed: 8,
      boxSize: BOX,
      hod: ZHENG07_MR20,
    });
    const om = (OUTER_RIM.omegaB + OUTER_RIM.omegaC) as number;
    const e = Math.sqrt(om * 1.3 ** 3 + (1 - om)); // radiation ignored: < 1e-4 on R
    const R = r200cComovingMpcH(mass, 0.3, e);
    const c = duffy08Concentration(mass, 0.3, "200c");
    const r: number[] = [];
    let cosSum = 0;
    let outside = 0;
    for (let g = 0; g < galaxies.x.length; g++) {
      if (galaxies.is_central[g]) continue;
      const i = Number((galaxies.halo_id as BigInt64Array)[g]);
      const d = [
        galaxies.x[g] - halos.fof_halo_center_x[i],
        galaxies.y[g] - halos.fof_halo_center_y[i],
        galaxies.z[g] - halos.fof_halo_center_z[i],
      ].map(
        (v) => v - BOX * Math.round(v / BOX), // minimum image
      );
      const rr = Math.hypot(d[0], d[1], d[2]);
      r.push(rr / R);
      cosSum += d[2] / rr;
      for (const p of [galaxies.x[g], galaxies.y[g], galaxies.z[g]]) if (!(p >= 0 && p < BOX)) outside++;
    }
    expect(outside).toBe(0); // wrapped into the box
    r.sort((a, b) => a - b);
    const ks = (conc: number) => {
      let d = 0;
      r.forEach((v, k) => {
        const F = nfwEnclosedFraction(v, conc);
        d = Math.max(d, Math.abs(F - k / r.length), Math.abs(F - (k + 1) / r.length));
      });
      return d;
    };
    const crit = 1.63 / Math.sqrt(r.length); // 1% level
    expect(r.length).toBeGreaterThan(8000);
    expect(ks(c)).toBeLessThan(crit);
    expect(ks(2 * c)).toBeGreaterThan(crit); // the test can tell a wrong concentration
    expect(Math.abs(cosSum / r.length)).toBeLessThan(4 / Math.sqrt(3 * r.length)); // isotropic
    expect(r[r.length - 1]).toBeLessThanOrEqual(1.001); // truncated at R200c (test's E(z) has no radiation)
  });
});
