import { readFileSync } from "node:fs";
import { cosmology, linearPower, massFunction, OUTER_RIM } from "@tessera/cosmology";
import { sharedData } from "@tessera/testkit";
import { describe, expect, it } from "vitest";
import { mockGalaxies } from "./mock-galaxies.js";

/*
 * Smoke check: a phantom HACC-like halo catalog (Tinker 2008 200m mass function of the Outer Rim
 * cosmology at z = 0, 10^10.8 … 10^15.5 M☉/h, uniform positions in a 150 Mpc/h box) painted with
 * the SHMRs must give a central-galaxy stellar mass function of the right order vs Li & White 2009
 * (SDSS), in every 0.1-dex bin of log10(M* h²) from 9.5 to 11.3 (18 bins). Loose bounds, stated:
 * Moster 2013 (fit to Li & White at z ~ 0) within a factor 1.6 (measured ratios 0.85–1.19);
 * Behroozi 2013 (fit to other z ~ 0 SMFs, lower M* at high halo mass) within a factor 4 (measured
 * 0.29–0.86, lowest in the top two bins). Why loose: centrals only (LW counts satellites too), the
 * halo masses are 200m while the fits use M200c (Moster) / Mvir (Behroozi), the scatter is 0.15 dex
 * (Behroozi's own is 0.22 plus observational errors), and Poisson noise at the top.
 */
const BOUNDS = { moster13: [1 / 1.6, 1.6], behroozi13: [1 / 4, 4] } as const;
const lw = sharedData("cosmo/descqa/SMF/liwhite_2009/Li_White_2009_GSMF.txt");
const BOX = 150;

function phantomHalos() {
  const cosmo = cosmology(OUTER_RIM);
  const h = cosmo.params.h;
  const power = linearPower(cosmo);
  const step = 0.02;
  const logMh = Array.from({ length: Math.round((15.5 - 10.8) / step) + 1 }, (_, i) => 10.8 + i * step);
  const dndlog = massFunction(
    power,
    "tinker08",
    logMh.map((l) => 10 ** l / h),
    0,
  ); // per Mpc³ per dex, masses in M☉
  const perVolH = Array.from(dndlog, (v) => v / h ** 3); // per (Mpc/h)³
  const cum = new Float64Array(logMh.length); // N(< bin edge) in the box
  for (let i = 1; i < logMh.length; i++)
    cum[i] = cum[i - 1] + 0.5 * (perVolH[i] + perVolH[i - 1]) * step * BOX ** 3;
  const n = Math.round(cum[cum.length - 1]);
  let s = 20240607;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  const mass = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const t = u() * cum[cum.length - 1];
    let j = 1;
    while (cum[j] < t) j++;
    const f = (t - cum[j - 1]) / (cum[j] - cum[j - 1]);
    mass[k] = 10 ** (logMh[j - 1] + f * step);
  }
  const coord = () => Float32Array.from({ length: n }, () => u() * BOX);
  return {
    cosmo,
    halos: {
      fof_halo_tag: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 1000n + 17n),
      fof_halo_mass: mass,
      fof_halo_center_x: coord(),
      fof_halo_center_y: coord(),
      fof_halo_center_z: coord(),
    },
  };
}

describe.skipIf(!lw.available)("phantom halo catalog → stellar mass function vs Li & White 2009", () => {
  it("is of the right order vs Li & White in 9.5 ≤ log10(M* h²) < 11.3 for Moster 2013 and Behroozi 2013", () => {
    const rows = readFileSync(lw.path, "utf8")
      .split("\n")
      .filter((l) => l.trim() && !l.startsWith("#"))
      .map((l) => l.trim().split(/\s+/).map(Number));
    const { cosmo, halos } = phantomHalos();
    const h = cosmo.params.h;
    expect(halos.fof_halo_mass.length).toBeGreaterThan(50_000);
    for (const relation of ["moster13", "behroozi13"] as const) {
      const { galaxies, provenance } = mockGalaxies(halos, {
        relation,
        redshift: 0,
        cosmology: cosmo,
        seed: 1,
        boxSize: BOX,
      });
      expect(provenance.counts.centrals).toBe(halos.fof_halo_mass.length);
      const logMh2 = Array.from(galaxies.stellar_mass, (m) => Math.log10(m) + 2 * Math.log10(h));
      const ratios: number[] = [];
      for (const [lo, hi, , phi] of rows) {
        if (lo < 9.5 - 1e-9 || hi > 11.3 + 1e-9) continue;
        let count = 0;
        for (const l of logMh2) if (l >= lo && l < hi) count++;
        ratios.push(count / BOX ** 3 / (hi - lo) / phi); // both h³ Mpc⁻³ dex⁻¹
      }
      expect(ratios.length).toBe(18);
      const [lo, hi] = BOUNDS[relation];
      for (const r of ratios) {
        expect(r).toBeGreaterThan(lo);
        expect(r).toBeLessThan(hi);
      }
    }
  });
});
