import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Cosmology, PLANCK18, RHO_CRITICAL_MSUN_MPC3_H2 } from "@tessera/cosmology";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { HaloError } from "../errors.js";
import { SodError, sodCrossing, sodProperties, sodReferenceDensities } from "./sod.js";

/** mulberry32: a small seeded generator for the test particle sets. */
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

function wrap(v: number, L: number): number {
  const w = v - L * Math.floor(v / L);
  return w >= L || w < 0 ? 0 : w;
}

/** Random unit vector. */
function direction(r: () => number): [number, number, number] {
  const cz = 2 * r() - 1;
  const phi = 2 * Math.PI * r();
  const s = Math.sqrt(1 - cz * cz);
  return [s * Math.cos(phi), s * Math.sin(phi), cz];
}

/**
 * Particles at radii r_i = radius(i) about `center` in random directions, wrapped into the box,
 * appended to `out`.
 */
function shell(
  out: number[],
  center: number[],
  n: number,
  radius: (i: number) => number,
  L: number,
  seed: number,
) {
  const r = rng(seed);
  for (let i = 0; i < n; i++) {
    const d = direction(r);
    const ri = radius(i);
    for (let a = 0; a < 3; a++) out.push(wrap(center[a] + ri * d[a], L));
  }
}

describe("sodCrossing (the particle-count definition)", () => {
  it("returns the outermost particle whose enclosed density reaches the threshold, ties counted together", () => {
    const m = 1;
    const c = (4 / 3) * Math.PI;
    // radii 1, 2, 2, 3: densities 1/c, 3/(8c), 3/(8c) (tie: count 3 at r=2), 4/(27c)
    const r2 = new Float64Array([1, 4, 4, 9]);
    expect(sodCrossing(r2, 4, m, 4 / (27 * c))).toBe(3);
    expect(sodCrossing(r2, 4, m, 3 / (8 * c))).toBe(2); // last of the tie, count 3
    expect(sodCrossing(r2, 4, m, 0.99 / c)).toBe(0);
    expect(sodCrossing(r2, 4, m, 1.01 / c)).toBe(-1);
    // outside-in, not the first crossing from inside: densities 8/c at r=0.5, 2/c at r=1, then 18
    // more particles at r=2 (k=20: 2.5/c). Threshold 2.2/c: the inside-out scan would stop at r=0.5.
    const r2b = new Float64Array(20).fill(4);
    r2b[0] = 0.25;
    r2b[1] = 1;
    expect(sodCrossing(r2b, 20, m, 2.2 / c)).toBe(19);
    expect(sodCrossing(r2b, 20, m, 3 / c)).toBe(0);
    // a particle at distance 0 is never a radius
    expect(sodCrossing(new Float64Array([0, 0]), 2, m, 1)).toBe(-1);
  });
});

describe("sodProperties on planted profiles with analytic R200", () => {
  const L = 100;
  const N = 4000;
  const Rmax = 5;
  const m = 1e10;
  const Mtot = N * m;
  // singular isothermal sphere sampled at r_i = Rmax (i + 1)/N: k(r) = N r / Rmax exactly at each
  // particle, mean density ρ̄(<r) = 3 Mtot / (4π Rmax r²); thresholds put R200c / R200m at 1234.5 and
  // 2345.5 particle spacings, so the particle definition keeps 1234 / 2345 particles.
  const thr = (k: number) => (3 * Mtot) / (4 * Math.PI * Rmax * ((k * Rmax) / N) ** 2);
  const densities = { critical: thr(1234.5) / 200, mean: thr(2345.5) / 200 };
  const centers = [
    [50, 50, 50],
    [0.5, L - 1.2, 0.3], // straddles three faces and the corner
  ];
  const pos: number[] = [];
  centers.forEach((c, k) => {
    shell(pos, c, N, (i) => (Rmax * (i + 1)) / N, L, 11 + k);
  });

  it("recovers R200c and R200m of a singular isothermal sphere, also across the box corner", () => {
    const t0 = performance.now();
    const res = sodProperties(new Float64Array(pos), new Float64Array(centers.flat()), {
      boxSize: L,
      particleMass: m,
      searchRadius: 8,
      densities,
    });
    const ms = performance.now() - t0;
    const c = res.columns;
    for (let h = 0; h < 2; h++) {
      expect(c.sod_halo_count_200c[h]).toBe(1234);
      expect(c.sod_halo_count_200m[h]).toBe(2345);
      expect(c.sod_halo_M200c[h]).toBe(Math.fround(1234 * m));
      expect(c.sod_halo_M200m[h]).toBe(Math.fround(2345 * m));
      // analytic R lies half a spacing further out than the last particle kept
      expect(c.sod_halo_R200c[h]).toBeCloseTo((1234 * Rmax) / N, 5);
      expect(c.sod_halo_R200m[h]).toBeCloseTo((2345 * Rmax) / N, 5);
      expect(Math.abs(c.sod_halo_R200c[h] - (1234.5 * Rmax) / N)).toBeLessThanOrEqual(Rmax / N);
      expect(res.saturated200c[h]).toBe(0);
    }
    console.log(`SIS: 2 centres, ${2 * N} particles, ${ms.toFixed(1)} ms`);
  });

  it("gives the whole uniform sphere above the threshold and nothing below it", () => {
    const Rs = 2;
    const n = 3000;
    const rhoS = (n * m) / ((4 / 3) * Math.PI * Rs ** 3);
    const p: number[] = [];
    const c = [L - 0.5, 0.7, 42];
    // quantile radii: k(r_i) = n (r_i / Rs)³, so the enclosed density is ρ_s at every particle
    shell(p, c, n, (i) => Rs * ((i + 1) / n) ** (1 / 3), L, 5);
    const run = (critical: number, mean: number) =>
      sodProperties(
        new Float32Array(p),
        { x: new Float64Array([c[0]]), y: new Float64Array([c[1]]), z: new Float64Array([c[2]]) },
        {
          boxSize: L,
          particleMass: m,
          searchRadius: 3,
          densities: { critical, mean },
        },
      );
    const above = run(rhoS / 200 / 1.01, rhoS / 200 / 3);
    expect(above.columns.sod_halo_count_200c[0]).toBe(n);
    expect(above.columns.sod_halo_count_200m[0]).toBe(n);
    expect(above.columns.sod_halo_R200c[0]).toBeCloseTo(Rs, 5);
    expect(above.columns.sod_halo_M200m[0]).toBe(Math.fround(n * m));
    // mean density within the search radius 3 is ρ_s (2/3)³ = 0.296 ρ_s < Δρ̄_m = ρ_s/3: not saturated
    expect(above.saturated200m[0]).toBe(0);
    const below = run(rhoS / 200 / 0.99, rhoS / 200 / 0.2);
    expect(below.columns.sod_halo_count_200c[0]).toBe(0);
    expect(below.columns.sod_halo_R200c[0]).toBe(0);
    expect(below.columns.sod_halo_M200m[0]).toBe(0);
    // a threshold low enough that the mean density within the search radius exceeds it: flagged
    const low = run(rhoS / 200 / 10, rhoS / 200 / 10);
    expect(low.saturated200c[0]).toBe(1);
    expect(low.columns.sod_halo_count_200c[0]).toBe(n);
  });
});

const hasNumpy = pythonHas("numpy");
const tmp = tempDir("tessera-sod-");
afterAll(() => tmp.cleanup());

/** Brute force over every particle, the same definition written independently in numpy. */
const ORACLE = `
import sys, json, numpy as np
x = np.fromfile(sys.argv[1], dtype=np.float32).astype(np.float64).reshape(-1, 3)
c = np.fromfile(sys.argv[2], dtype=np.float64).reshape(-1, 3)
L, m, Rs, thr_c, thr_m = map(float, sys.argv[3:8])
out = []
for h in range(len(c)):
    d = x - c[h]
    d = np.where(d > L / 2, d - L, np.where(d < -L / 2, d + L, d))
    r2 = np.sort((d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]) + d[:, 2] * d[:, 2])
    r2 = r2[r2 <= Rs * Rs]
    k = np.arange(1, len(r2) + 1)
    r = np.sqrt(r2)
    last = np.append(r2[1:] != r2[:-1], True)
    row = []
    for thr in (thr_c, thr_m):
        ok = (r2 > 0) & last & (k * m >= (thr * ((4.0 / 3.0) * np.pi)) * (r * r * r))
        idx = np.nonzero(ok)[0]
        row.append([int(idx[-1]) + 1, float(r[idx[-1]])] if len(idx) else [0, 0.0])
    out.append(row)
print(json.dumps(out))
`;

describe.skipIf(!hasNumpy)("sodProperties vs a numpy brute-force oracle", () => {
  it("matches on random clustered boxes (halos across faces, centres on and off particles)", () => {
    const L = 64;
    const m = 2.5e9;
    const r = rng(2024);
    const pos: number[] = [];
    const ctr: number[] = [];
    // 30 halos: power-law profiles ρ ∝ r^-γ of random size, some straddling the box faces
    for (let h = 0; h < 30; h++) {
      const c = h < 6 ? [r() * 2, L - r() * 2, r() * L] : [r() * L, r() * L, r() * L];
      const n = 100 + Math.floor(r() * 1500);
      const rmax = 0.5 + 2 * r();
      const gamma = 1 + 1.5 * r();
      const p = 1 / (3 - gamma);
      shell(pos, c, n, () => rmax * r() ** p, L, 1000 + h);
      // centre: a random member (distance 0 exists) or a point near the middle
      if (h % 2 === 0) ctr.push(...pos.slice(pos.length - 3 * n, pos.length - 3 * n + 3));
      else ctr.push(...c.map((v) => wrap(v + 0.05 * (r() - 0.5), L)));
    }
    for (let i = 0; i < 20000; i++) pos.push(r() * L, r() * L, r() * L);
    ctr.push(0, 0, 0, L - 1e-9, 32, 1e-9);
    const p32 = new Float32Array(pos);
    const c64 = new Float64Array(ctr);
    const densities = { critical: 3e11, mean: 0.3 * 2.775e11 };
    const Rs = 4;
    const t0 = performance.now();
    const res = sodProperties(p32, c64, { boxSize: L, particleMass: m, searchRadius: Rs, densities });
    const ms = performance.now() - t0;
    const pf = join(tmp.path, "p.f32");
    const cf = join(tmp.path, "c.f64");
    writeFileSync(pf, p32);
    writeFileSync(cf, c64);
    const ref: [number, number][][] = JSON.parse(
      runPython(ORACLE, [
        pf,
        cf,
        String(L),
        String(m),
        String(Rs),
        String(200 * densities.critical),
        String(200 * densities.mean),
      ]),
    );
    const H = c64.length / 3;
    let nonzero = 0;
    for (let h = 0; h < H; h++) {
      expect(res.columns.sod_halo_count_200c[h], `count_200c[${h}]`).toBe(ref[h][0][0]);
      expect(res.columns.sod_halo_count_200m[h], `count_200m[${h}]`).toBe(ref[h][1][0]);
      expect(res.columns.sod_halo_R200c[h], `R200c[${h}]`).toBe(Math.fround(ref[h][0][1]));
      expect(res.columns.sod_halo_R200m[h], `R200m[${h}]`).toBe(Math.fround(ref[h][1][1]));
      expect(res.columns.sod_halo_M200c[h]).toBe(Math.fround(ref[h][0][0] * m));
      if (ref[h][0][0] > 0) nonzero++;
    }
    expect(nonzero).toBeGreaterThan(20);
    console.log(
      `oracle: ${p32.length / 3} particles, ${H} centres, ${nonzero} with M200c > 0, ours ${ms.toFixed(1)} ms`,
    );
  });
});

describe("reference densities", () => {
  it("uses ρ_crit,0 E(z)²/(1+z)³ and Ω_m ρ_crit,0, comoving (M☉/h)/(Mpc/h)³", () => {
    const cosmo = new Cosmology(PLANCK18);
    const d0 = sodReferenceDensities(cosmo, 0);
    expect(d0.critical).toBeCloseTo(RHO_CRITICAL_MSUN_MPC3_H2, -2);
    expect(d0.critical / 2.77536627e11).toBeCloseTo(1, 12);
    expect(d0.mean / (cosmo.params.omegaM * 2.77536627e11)).toBeCloseTo(1, 12);
    const e = cosmo.e(1) as number;
    const d1 = sodReferenceDensities(cosmo, 1);
    expect(d1.critical / ((2.77536627e11 * e * e) / 8)).toBeCloseTo(1, 12);
    expect(d1.mean).toBe(d0.mean);
    // at z = 1 the comoving critical density is below the z = 0 one (E² < 8 for Ω_m < 1)
    expect(d1.critical).toBeLessThan(d0.critical);
    // sodProperties with cosmology + redshift = with the densities given
    const pos = new Float64Array([1, 1, 1, 1.01, 1, 1, 1, 1.02, 1]);
    const ctr = new Float64Array([1, 1, 1]);
    const a = sodProperties(pos, ctr, {
      boxSize: 10,
      particleMass: 1e12,
      searchRadius: 2,
      cosmology: cosmo,
      redshift: 1,
    });
    const b = sodProperties(pos, ctr, { boxSize: 10, particleMass: 1e12, searchRadius: 2, densities: d1 });
    expect(a.columns).toEqual(b.columns);
    expect(a.columns.sod_halo_count_200c[0]).toBe(3);
  });
});

describe("bad input", () => {
  const pos = new Float64Array([1, 1, 1]);
  const ctr = new Float64Array([1, 1, 1]);
  const ok = { boxSize: 10, particleMass: 1, searchRadius: 2, densities: { critical: 1, mean: 1 } };
  const cases: [string, () => unknown, string][] = [
    ["particle mass 0", () => sodProperties(pos, ctr, { ...ok, particleMass: 0 }), "particleMass"],
    ["negative particle mass", () => sodProperties(pos, ctr, { ...ok, particleMass: -1 }), "particleMass"],
    ["box size NaN", () => sodProperties(pos, ctr, { ...ok, boxSize: Number.NaN }), "boxSize"],
    ["search radius ≥ L/2", () => sodProperties(pos, ctr, { ...ok, searchRadius: 5 }), "searchRadius"],
    ["overdensity 0", () => sodProperties(pos, ctr, { ...ok, overdensity: 0 }), "overdensity"],
    [
      "density ≤ 0",
      () => sodProperties(pos, ctr, { ...ok, densities: { critical: 0, mean: 1 } }),
      "densities.critical",
    ],
    [
      "no densities",
      () => sodProperties(pos, ctr, { boxSize: 10, particleMass: 1, searchRadius: 2 }),
      "densities",
    ],
    [
      "centre outside the box",
      () => sodProperties(pos, new Float64Array([1, 10.001, 1]), ok),
      "centers[0].y",
    ],
    [
      "centre NaN",
      () => sodProperties(pos, new Float64Array([1, 1, 1, 1, 1, Number.NaN]), ok),
      "centers[1].z",
    ],
    [
      "particle outside the box",
      () => sodProperties(new Float64Array([1, 1, 1, -0.1, 2, 2]), ctr, ok),
      "positions[1].x",
    ],
    ["positions not triples", () => sodProperties(new Float64Array(4), ctr, ok), "positions"],
    ["negative redshift", () => sodReferenceDensities(new Cosmology(PLANCK18), -1), "redshift"],
  ];
  for (const [what, f, field] of cases) {
    it(`${what} → SodError naming ${field}`, () => {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SodError);
      expect(err).toBeInstanceOf(HaloError);
      expect((err as SodError).field).toBe(field);
    });
  }
});
