import { describe, expect, it } from "vitest";
import { periodicDistance, plantedHalos } from "./planted-halos.js";

/** Plain friends-of-friends on a periodic cell grid; returns a group id per particle. */
function fof(positions: Float32Array, box: number, link: number): Int32Array {
  const n = positions.length / 3;
  const parent = new Int32Array(n).map((_, i) => i);
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]];
      a = parent[a];
    }
    return a;
  };
  const G = Math.max(1, Math.floor(box / link));
  const cells = new Map<number, number[]>();
  const cellOf = (v: number) => Math.min(G - 1, Math.floor((v / box) * G));
  for (let i = 0; i < n; i++) {
    const k =
      (cellOf(positions[3 * i]) * G + cellOf(positions[3 * i + 1])) * G + cellOf(positions[3 * i + 2]);
    const list = cells.get(k);
    if (list) list.push(i);
    else cells.set(k, [i]);
  }
  const l2 = link * link;
  for (let i = 0; i < n; i++) {
    const gx = cellOf(positions[3 * i]);
    const gy = cellOf(positions[3 * i + 1]);
    const gz = cellOf(positions[3 * i + 2]);
    const seen = new Set<number>();
    for (let dx = -1; dx <= 1; dx++)
      for (let dy = -1; dy <= 1; dy++)
        for (let dz = -1; dz <= 1; dz++) {
          const k = (((gx + dx + G) % G) * G + ((gy + dy + G) % G)) * G + ((gz + dz + G) % G);
          if (seen.has(k)) continue;
          seen.add(k);
          for (const j of cells.get(k) ?? []) {
            if (j <= i) continue;
            let d2 = 0;
            for (let d = 0; d < 3; d++) {
              let v = Math.abs(positions[3 * i + d] - positions[3 * j + d]);
              if (v > box / 2) v = box - v;
              d2 += v * v;
            }
            if (d2 <= l2) {
              const a = find(i);
              const b = find(j);
              if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
            }
          }
        }
  }
  return new Int32Array(n).map((_, i) => find(i));
}

describe("plantedHalos", () => {
  const cat = plantedHalos({ seed: 4, haloCount: 15, backgroundParticles: 5000 });
  const n = cat.haloIndex.length;

  it("returns consistent arrays, counts and masses", () => {
    expect(cat.positions.length).toBe(3 * n);
    expect(cat.velocities.length).toBe(3 * n);
    expect(cat.halos.length).toBe(15);
    const counts = new Map<number, number>();
    for (const h of cat.haloIndex) counts.set(h, (counts.get(h) ?? 0) + 1);
    expect(counts.get(-1)).toBe(5000);
    for (const h of cat.halos) {
      expect(counts.get(h.id)).toBe(h.particleCount);
      expect(h.mass).toBe(h.particleCount * cat.particleMass);
      expect(h.particleCount).toBeGreaterThanOrEqual(100);
      expect(h.particleCount).toBeLessThanOrEqual(1000);
    }
    expect(n).toBe(5000 + cat.halos.reduce((s, h) => s + h.particleCount, 0));
    for (const v of cat.positions) expect(v >= 0 && v < cat.boxSize).toBe(true);
  });

  it("puts members within the halo radius of the centre, concentrated towards it", () => {
    for (const h of cat.halos) {
      let inner = 0;
      for (let i = 0; i < n; i++) {
        if (cat.haloIndex[i] !== h.id) continue;
        const r = periodicDistance(
          [cat.positions[3 * i], cat.positions[3 * i + 1], cat.positions[3 * i + 2]],
          h.center,
          cat.boxSize,
        );
        expect(r).toBeLessThanOrEqual(h.radius + 1e-4);
        if (r < h.radius / 2) inner++;
      }
      // A uniform ball has 1/8 of its particles inside half the radius; NFW (c = 5) has far more.
      expect(inner / h.particleCount).toBeGreaterThan(0.3);
    }
  });

  it.each([1, 1.2, 1.5])("is recovered exactly by friends-of-friends with ℓ = %s·b", (f) => {
    const groups = fof(cat.positions, cat.boxSize, f * cat.linkingLength);
    const haloOfGroup = new Map<number, number>();
    const sizes = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const g = groups[i];
      sizes.set(g, (sizes.get(g) ?? 0) + 1);
      const h = cat.haloIndex[i];
      if (!haloOfGroup.has(g)) haloOfGroup.set(g, h);
      expect(haloOfGroup.get(g)).toBe(h); // a group never mixes halos or background
    }
    const found = [...sizes.entries()].filter(([g]) => haloOfGroup.get(g)! >= 0);
    expect(found.length).toBe(cat.halos.length); // each halo is one group
    for (const [g, size] of found) expect(size).toBe(cat.halos[haloOfGroup.get(g)!].particleCount);
    for (const [g, size] of sizes) if (haloOfGroup.get(g) === -1) expect(size).toBe(1);
  });

  it("gives halos a bulk velocity and an internal dispersion", () => {
    const h = cat.halos[0];
    const v: number[] = [];
    for (let i = 0; i < n; i++) if (cat.haloIndex[i] === h.id) v.push(cat.velocities[3 * i]);
    const mean = v.reduce((s, a) => s + a, 0) / v.length;
    const sd = Math.sqrt(v.reduce((s, a) => s + (a - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean - h.bulkVelocity[0])).toBeLessThan(5 * (300 / Math.sqrt(v.length)));
    expect(sd).toBeGreaterThan(200);
    expect(sd).toBeLessThan(400);
  });

  it("honours explicit particle counts and the mass function range", () => {
    const c = plantedHalos({
      seed: 1,
      haloParticleCounts: [500, 20, 3],
      backgroundParticles: 100,
      particleMass: 2e10,
    });
    expect(c.halos.map((h) => h.particleCount)).toEqual([500, 20, 3]);
    expect(c.halos[0].mass).toBe(1e13);
    const steep = plantedHalos({
      seed: 1,
      haloCount: 60,
      particlesPerHalo: [20, 2000],
      backgroundParticles: 0,
      massFunctionSlope: -2,
    });
    const small = steep.halos.filter((h) => h.particleCount < 200).length;
    expect(small).toBeGreaterThan(steep.halos.length / 2);
  });

  it("is deterministic under the seed and differs between seeds", () => {
    const a = plantedHalos({ seed: 8, haloCount: 5, backgroundParticles: 500 });
    const b = plantedHalos({ seed: 8, haloCount: 5, backgroundParticles: 500 });
    const c = plantedHalos({ seed: 9, haloCount: 5, backgroundParticles: 500 });
    expect(a.positions).toEqual(b.positions);
    expect(a.haloIndex).toEqual(b.haloIndex);
    expect(a.halos).toEqual(b.halos);
    expect(a.positions).not.toEqual(c.positions);
  });

  it("rejects bad or impossible options with a RangeError naming the option", () => {
    expect(() => plantedHalos({ haloCount: -1 })).toThrow(/"haloCount"/);
    expect(() => plantedHalos({ particlesPerHalo: [10, 5] })).toThrow(/"particlesPerHalo"/);
    expect(() =>
      plantedHalos({
        boxSize: 10,
        linkingLength: 1,
        haloRadius: 2,
        haloCount: 1,
        backgroundParticles: 100_000,
      }),
    ).toThrow(/"backgroundParticles"/);
    expect(() => plantedHalos({ boxSize: 20, haloCount: 500, haloRadius: 4 })).toThrow(/"haloCount"/);
  });
});
