// Replicas of single objects: every periodic image whose distance lies in [χ(zMin), χ(zMax)] must
// appear exactly once, from the snapshot whose shell holds its distance, at the exact position.
// The truth is a brute-force scan over a cube of images wider than needed, with the shells written
// independently (nearest snapshot in χ or in a; explicit midpoints).
import { Cosmology, haccSteps, OUTER_RIM, PLANCK18 } from "@tessera/cosmology";
import { describe, expect, it } from "vitest";
import { buildLightcone } from "./lightcone.js";
import type { Lightcone, LightconeSnapshot } from "./types.js";

const planck = new Cosmology(PLANCK18);
const chiOf = (c: Cosmology, z: number) => c.comovingRadialDistanceMpcH(z) as number;

interface Replica {
  key: string;
  d: number;
  rel: [number, number, number];
}

/** Every image of p within [dMin, dMax] of the observer, by brute force over a generous cube. */
function replicasInRange(
  p: readonly number[],
  L: number,
  o: readonly number[],
  dMin: number,
  dMax: number,
): Replica[] {
  const n = Math.ceil(dMax / L) + 2;
  const found: Replica[] = [];
  for (let ix = -n - 1; ix <= n + 1; ix++)
    for (let iy = -n - 1; iy <= n + 1; iy++)
      for (let iz = -n - 1; iz <= n + 1; iz++) {
        const rel: [number, number, number] = [
          p[0] + ix * L - o[0],
          p[1] + iy * L - o[1],
          p[2] + iz * L - o[2],
        ];
        const d = Math.hypot(...rel);
        if (d >= dMin && d <= dMax) found.push({ key: `${ix},${iy},${iz}`, d, rel });
      }
  return found;
}

function rowsByKey(lc: Lightcone, where: (k: number) => boolean = () => true): Map<string, number[]> {
  const map = new Map<string, number[]>();
  for (let k = 0; k < lc.count; k++) {
    if (!where(k)) continue;
    const key = `${lc.ix[k]},${lc.iy[k]},${lc.iz[k]}`;
    map.set(key, [...(map.get(key) ?? []), k]);
  }
  return map;
}

const steps = [300, 340, 380, 420, 460, 499];
const stepMap = haccSteps();
const zSteps = steps.map((s) => stepMap.zOfStep(s));

describe("a static object replicated through all snapshots", () => {
  const L = 256;
  const cases: Array<[string, number[], number[], "distance" | "scaleFactor"]> = [
    ["observer at the origin corner, χ midpoints", [13.7, 200.1, 0], [0, 0, 0], "distance"],
    ["observer inside the box, χ midpoints", [255.99, 31.5, 128], [100.5, 30.25, 211], "distance"],
    ["observer inside the box, scale-factor midpoints", [0, 0.5, 77.25], [100.5, 30.25, 211], "scaleFactor"],
  ];
  it.each(cases)(
    "%s: each in-range replica exactly once, from the nearest snapshot",
    (_n, p, o, boundaries) => {
      const zMin = 0.02;
      const zMax = 0.6;
      const snaps: LightconeSnapshot[] = steps.map((step) => ({
        step,
        objects: { x: [p[0]], y: [p[1]], z: [p[2]], id: new BigInt64Array([42n]) },
      }));
      const lc = buildLightcone(snaps, {
        boxSize: L,
        cosmology: planck,
        zMin,
        zMax,
        observer: o as [number, number, number],
        boundaries,
      });
      const dMin = chiOf(planck, zMin);
      const dMax = chiOf(planck, zMax);
      const truth = replicasInRange(p, L, o, dMin, dMax);
      expect(truth.length).toBeGreaterThan(300);
      const rows = rowsByKey(lc);
      expect(lc.count).toBe(truth.length);
      expect(rows.size).toBe(truth.length);
      // the owner: the snapshot nearest in χ, or in a (independent of the shell code)
      const chis = zSteps.map((z) => chiOf(planck, z));
      const as = zSteps.map((z) => 1 / (1 + z));
      for (const r of truth) {
        const k = rows.get(r.key);
        expect(k, `replica ${r.key} at ${r.d}`).toHaveLength(1);
        const row = k![0];
        let owner = 0;
        if (boundaries === "distance") {
          chis.forEach((c, s) => {
            if (Math.abs(c - r.d) < Math.abs(chis[owner] - r.d)) owner = s;
          });
        } else {
          const a = 1 / (1 + (planck.redshiftAtComovingDistanceMpc(r.d / planck.params.h) as number));
          as.forEach((c, s) => {
            if (Math.abs(c - a) < Math.abs(as[owner] - a)) owner = s;
          });
        }
        expect(lc.step[row]).toBe(steps[owner]);
        expect(lc.snapshot[row]).toBe(owner);
        expect(lc.index[row]).toBe(0);
        expect(Math.abs(lc.chi[row] - r.d)).toBeLessThan(1e-9 * r.d);
        expect(lc.x[row]).toBeCloseTo(r.rel[0], 9);
        expect(lc.y[row]).toBeCloseTo(r.rel[1], 9);
        expect(lc.z[row]).toBeCloseTo(r.rel[2], 9);
        expect((lc.id as BigInt64Array)[row]).toBe(42n);
      }
      expect(lc.id).toBeInstanceOf(BigInt64Array);
      // shells: counts add up, images visited only near each shell
      expect(lc.shells.reduce((s, sh) => s + sh.count, 0)).toBe(lc.count);
      const cube = (2 * Math.ceil(dMax / L) + 1) ** 3;
      for (const sh of lc.shells) expect(sh.imagesVisited).toBeLessThan(cube);
    },
  );
});

describe("a different object per snapshot", () => {
  it("each replica is kept iff its distance lies in its own snapshot's shell (explicit midpoints)", () => {
    const L = 180;
    const o = [3, 170, 90.5];
    const c = new Cosmology(OUTER_RIM);
    const positions = steps.map((_s, i) => [
      (37.1 * (i + 1)) % L,
      (91.3 * (i + 2)) % L,
      (11.9 * (i + 5)) % L,
    ]);
    const snaps: LightconeSnapshot[] = steps.map((step, i) => ({
      step,
      objects: { x: [positions[i][0]], y: [positions[i][1]], z: [positions[i][2]], id: [i * 10] },
    }));
    const zMin = 0.1;
    const zMax = 0.55;
    const lc = buildLightcone(snaps, {
      boxSize: L,
      cosmology: c,
      zMin,
      zMax,
      observer: o as [number, number, number],
    });
    const chis = zSteps.map((z) => chiOf(c, z));
    const n = steps.length;
    let expectedTotal = 0;
    for (let s = 0; s < n; s++) {
      const outer = s === 0 ? chis[0] + (chis[0] - chis[1]) / 2 : (chis[s - 1] + chis[s]) / 2;
      const inner =
        s === n - 1 ? Math.max(0, chis[s] - (chis[s - 1] - chis[s]) / 2) : (chis[s] + chis[s + 1]) / 2;
      const lower = Math.max(inner, chiOf(c, zMin));
      const upper = Math.min(outer, chiOf(c, zMax));
      const truth = lower < upper ? replicasInRange(positions[s], L, o, lower, upper) : [];
      const rows = rowsByKey(lc, (k) => lc.snapshot[k] === s);
      expect(rows.size, `snapshot ${s}`).toBe(truth.length);
      for (const r of truth) {
        expect(rows.get(r.key), `snapshot ${s} replica ${r.key}`).toHaveLength(1);
        const row = rows.get(r.key)![0];
        expect(lc.chi[row]).toBeCloseTo(r.d, 9);
        expect(lc.id![row]).toBe(s * 10);
      }
      expect(lc.shells[s].count).toBe(truth.length);
      expectedTotal += truth.length;
    }
    expect(lc.count).toBe(expectedTotal);
    expect(expectedTotal).toBeGreaterThan(100);
  });
});

describe("exact boundaries", () => {
  it("a replica exactly on a shell boundary comes from the farther snapshot only; χ(zMax) and χ = 0 are kept", () => {
    const L = 256;
    const zs = [0.1, 0.05, 0];
    const chis = zs.map((z) => chiOf(planck, z));
    const b = 0.5 * (chis[0] + chis[1]);
    const zMax = 0.08;
    const chiMax = chiOf(planck, zMax);
    expect(b).toBeLessThan(chiMax);
    const objects = { x: [b, chiMax, 0], y: [0, 0, 0], z: [0, 0, 0] };
    const lc = buildLightcone(
      zs.map((redshift) => ({ redshift, objects })),
      { boxSize: L, cosmology: planck, zMin: 0, zMax },
    );
    // the replicas in the box itself (image 0, 0, 0)
    const at = (i: number) =>
      [...Array(lc.count).keys()].filter((k) => lc.index[k] === i && !lc.ix[k] && !lc.iy[k] && !lc.iz[k]);
    expect(at(0).map((k) => lc.snapshot[k])).toEqual([0]);
    expect(lc.chi[at(0)[0]]).toBe(b);
    expect(at(1).map((k) => lc.snapshot[k])).toEqual([0]);
    expect(lc.chi[at(1)[0]]).toBe(chiMax);
    expect(at(2).map((k) => lc.snapshot[k])).toEqual([2]);
    expect(lc.chi[at(2)[0]]).toBe(0);
    expect(lc.step[at(2)[0]]).toBe(-1);
    // and every replica of the three objects in range, once
    let total = 0;
    for (let i = 0; i < 3; i++) {
      const truth = replicasInRange([objects.x[i], 0, 0], L, [0, 0, 0], 0, chiMax);
      const rows = rowsByKey(lc, (k) => lc.index[k] === i);
      expect(rows.size).toBe(truth.length);
      for (const r of truth) expect(rows.get(r.key)).toHaveLength(1);
      total += truth.length;
    }
    expect(lc.count).toBe(total);
  });
});

describe("octant and observed redshift", () => {
  it("octant keeps exactly the replicas with x, y, z ≥ 0; v_los shifts the redshift", () => {
    const L = 100;
    const p = [20, 60, 90];
    const v = [300, -200, 150];
    const snaps: LightconeSnapshot[] = [0.3, 0.15, 0].map((redshift) => ({
      redshift,
      objects: {
        x: [p[0]],
        y: [p[1]],
        z: [p[2]],
        vx: [v[0]],
        vy: [v[1]],
        vz: [v[2]],
        mass: new Float32Array([1.5]),
      },
    }));
    const lc = buildLightcone(snaps, {
      boxSize: L,
      cosmology: planck,
      zMin: 0,
      zMax: 0.3,
      footprint: { kind: "octant" },
    });
    const truth = replicasInRange(p, L, [0, 0, 0], 0, chiOf(planck, 0.3)).filter((r) =>
      r.rel.every((c) => c >= 0),
    );
    expect(lc.count).toBe(truth.length);
    expect(rowsByKey(lc).size).toBe(truth.length);
    expect(lc.columns.mass).toBeInstanceOf(Float32Array);
    expect([...lc.columns.mass].every((m) => m === 1.5)).toBe(true);
    for (let k = 0; k < lc.count; k++) {
      expect(Math.min(lc.ix[k], lc.iy[k], lc.iz[k])).toBeGreaterThanOrEqual(0);
      const vLos = (v[0] * lc.x[k] + v[1] * lc.y[k] + v[2] * lc.z[k]) / lc.chi[k];
      expect(lc.velocityLosKmS![k]).toBeCloseTo(vLos, 9);
      const zc = planck.redshiftAtComovingDistanceMpc(lc.chi[k] / planck.params.h) as number;
      expect(lc.redshift[k]).toBeCloseTo(zc, 10);
      expect(lc.redshiftObserved![k]).toBeCloseTo((1 + zc) * (1 + vLos / 299792.458) - 1, 10);
    }
  });
});

describe("many replications", () => {
  it("a small box far away: only images near the shell are visited, all replicas found", () => {
    const L = 25;
    const p = [7.5, 12.25, 24.9];
    const snaps: LightconeSnapshot[] = [0.62, 0.6, 0.58].map((redshift) => ({
      redshift,
      objects: { x: [p[0]], y: [p[1]], z: [p[2]] },
    }));
    const lc = buildLightcone(snaps, { boxSize: L, cosmology: planck, zMin: 0.59, zMax: 0.61 });
    const dMin = chiOf(planck, 0.59);
    const dMax = chiOf(planck, 0.61);
    const truth = replicasInRange(p, L, [0, 0, 0], dMin, dMax);
    expect(lc.count).toBe(truth.length);
    expect(rowsByKey(lc).size).toBe(truth.length);
    // a box meets a shell [lower, upper] only if it lies within √3 L (its diagonal) of it
    let bound = 0;
    for (const sh of lc.shells) {
      const a = Math.max(0, sh.chiLowerMpcH - Math.sqrt(3) * L);
      const b = sh.chiUpperMpcH + Math.sqrt(3) * L;
      bound += (((4 * Math.PI) / 3) * (b ** 3 - a ** 3)) / L ** 3;
    }
    const visited = lc.shells.reduce((s, sh) => s + sh.imagesVisited, 0);
    const cube = (2 * Math.ceil(dMax / L) + 1) ** 3;
    expect(visited).toBeLessThan(bound);
    expect(visited).toBeLessThan(cube / 5);
  });
});
