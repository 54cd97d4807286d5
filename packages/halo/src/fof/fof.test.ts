import { plantedHalos, zeldovich } from "@tessera/phantom";
import { describe, expect, it } from "vitest";
import { HaloError } from "../errors.js";
import { FofOptionError, NonFinitePositionError, ParticleOutsideBoxError } from "./errors.js";
import { friendsOfFriends } from "./fof.js";
import { FofWorkspace } from "./workspace.js";

/** A cubic lattice of n³ points with spacing L/n, interleaved, as float32 (rounded) coordinates. */
function lattice(n: number, L: number): Float32Array {
  const pos = new Float32Array(3 * n ** 3);
  let p = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      for (let k = 0; k < n; k++) {
        pos[p++] = (i * L) / n;
        pos[p++] = (j * L) / n;
        pos[p++] = (k * L) / n;
      }
  return pos;
}

describe("lattice oracles", () => {
  for (const [n, L] of [
    [12, 12],
    [10, 2],
    [9, 100],
    [7, 1],
  ] as const) {
    const spacing = L / n;
    it(`${n}³ lattice in a box of ${L}: ℓ = 0.99·spacing → all singletons`, () => {
      const fof = friendsOfFriends(lattice(n, L), {
        boxSize: L,
        linkingLength: 0.99 * spacing,
        minMembers: 1,
      });
      expect(fof.groupCount).toBe(n ** 3);
      expect(Array.from(fof.groupId)).toEqual(Array.from({ length: n ** 3 }, (_, i) => i));
    });
    it(`${n}³ lattice in a box of ${L}: ℓ = 1.01·spacing → one group (wrap-around links included)`, () => {
      const fof = friendsOfFriends(lattice(n, L), {
        boxSize: L,
        linkingLength: 1.01 * spacing,
        minMembers: 1,
      });
      expect(fof.groupCount).toBe(1);
      expect(fof.groupSize[0]).toBe(n ** 3);
      expect(fof.halos.count).toBe(1);
    });
  }
  it("a single lattice plane links only through the periodic wrap when its row is cut", () => {
    // a line of 10 points along x at spacing 1 in a box of 10, with the point at x = 5 removed:
    // the line stays one group only through the link 9 → 0 across the boundary
    const xs = [0, 1, 2, 3, 4, 6, 7, 8, 9];
    const pos = new Float64Array(xs.flatMap((x) => [x, 5, 5]));
    const open = friendsOfFriends(pos, { boxSize: 10, linkingLength: 1.01, minMembers: 1 });
    expect(open.groupCount).toBe(1);
    const bigger = friendsOfFriends(pos, { boxSize: 10.5, linkingLength: 1.01, minMembers: 1 });
    expect(bigger.groupCount).toBe(2);
  });
  it("the linking parameter b scales with the mean spacing L / N^(1/3)", () => {
    const pos = lattice(8, 16);
    expect(friendsOfFriends(pos, { boxSize: 16, linkingParameter: 0.99 }).groupCount).toBe(512);
    expect(friendsOfFriends(pos, { boxSize: 16, linkingParameter: 1.01 }).groupCount).toBe(1);
  });
});

describe("planted halos", () => {
  for (const seed of [1, 2]) {
    for (const factor of [1, 1.2, 1.5]) {
      it(`seed ${seed}, ℓ = ${factor}·b: every planted halo is one group with exactly its members`, () => {
        const ph = plantedHalos({
          seed,
          haloCount: 12,
          particlesPerHalo: [20, 400],
          backgroundParticles: 4000,
        });
        const fof = friendsOfFriends(ph.positions, {
          boxSize: ph.boxSize,
          linkingLength: factor * ph.linkingLength,
          minMembers: 2,
        });
        expect(fof.halos.count).toBe(ph.halos.length);
        const n = ph.haloIndex.length;
        // group of each planted halo: the group of its first member
        const groupOfHalo = new Int32Array(ph.halos.length).fill(-1);
        for (let i = 0; i < n; i++) {
          const h = ph.haloIndex[i];
          if (h >= 0 && groupOfHalo[h] < 0) groupOfHalo[h] = fof.groupId[i];
        }
        for (let i = 0; i < n; i++) {
          const h = ph.haloIndex[i];
          if (h >= 0) expect(fof.groupId[i]).toBe(groupOfHalo[h]);
          else expect(fof.groupSize[fof.groupId[i]]).toBe(1);
        }
        for (const halo of ph.halos) expect(fof.groupSize[groupOfHalo[halo.id]]).toBe(halo.particleCount);
        expect(new Set(groupOfHalo).size).toBe(ph.halos.length);
      });
    }
  }
  it("separate x, y, z arrays (Float64) give the same groups as the interleaved layout", () => {
    const ph = plantedHalos({ seed: 3, haloCount: 8, backgroundParticles: 2000 });
    const n = ph.haloIndex.length;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = ph.positions[3 * i];
      y[i] = ph.positions[3 * i + 1];
      z[i] = ph.positions[3 * i + 2];
    }
    const opts = { boxSize: ph.boxSize, linkingLength: 1.2 * ph.linkingLength, minMembers: 2 };
    const a = friendsOfFriends(ph.positions, opts);
    const b = friendsOfFriends({ x, y, z }, opts);
    expect(b.groupId).toEqual(a.groupId);
    expect(b.halos.members).toEqual(a.halos.members);
  });
});

describe("workspace reuse", () => {
  it("a FofWorkspace reused across calls of different sizes and precisions gives the same groups", () => {
    const workspace = new FofWorkspace();
    const sets = [
      plantedHalos({ seed: 5, haloCount: 10, backgroundParticles: 3000 }),
      plantedHalos({ seed: 6, haloCount: 4, backgroundParticles: 500 }),
      plantedHalos({ seed: 7, haloCount: 12, backgroundParticles: 4000 }),
    ];
    for (const ph of sets) {
      for (const positions of [ph.positions, Float64Array.from(ph.positions)]) {
        const opts = { boxSize: ph.boxSize, linkingLength: 1.2 * ph.linkingLength, minMembers: 2 };
        const fresh = friendsOfFriends(positions, opts);
        const reused = friendsOfFriends(positions, { ...opts, workspace });
        expect(reused.groupId).toEqual(fresh.groupId);
        expect(reused.halos).toEqual(fresh.halos);
        expect(reused.halos.count).toBe(ph.halos.length);
      }
    }
  });
});

describe("Zel'dovich mass function", () => {
  it("halo counts per factor-of-2 mass bin increase toward low mass", () => {
    // Zel'dovich boxes form halos only in caustics (shell crossing), so b is larger than 0.168 here
    const sim = zeldovich({ gridSize: 64, boxSize: 64, powerSpectrum: (k) => 30 * k ** -2, seed: 7 });
    const fof = friendsOfFriends(sim.positions, { boxSize: 64, linkingParameter: 0.4, minMembers: 10 });
    const bins = new Array(6).fill(0); // [10, 20), [20, 40), … [320, 640)
    for (const s of fof.halos.size) {
      const b = Math.floor(Math.log2(s / 10));
      if (b < bins.length) bins[b]++;
    }
    expect(bins[0]).toBeGreaterThan(300);
    for (let b = 1; b < bins.length; b++) expect(bins[b]).toBeLessThan(bins[b - 1]);
    // halos hold a real fraction of the mass, but not all of it
    const inHalos = fof.halos.members.length / fof.groupId.length;
    expect(inHalos).toBeGreaterThan(0.05);
    expect(inHalos).toBeLessThan(0.9);
  });
});

describe("bad input", () => {
  const pos = new Float32Array([1, 1, 1, 2, 2, 2]);
  it("a linking length ≤ 0 (or NaN, or ≥ L/2) is a FofOptionError naming linkingLength", () => {
    for (const linkingLength of [0, -1, Number.NaN, 5, 7]) {
      const run = () => friendsOfFriends(pos, { boxSize: 10, linkingLength });
      expect(run).toThrow(FofOptionError);
      try {
        run();
      } catch (e) {
        expect(e).toBeInstanceOf(HaloError);
        expect((e as FofOptionError).field).toBe("linkingLength");
      }
    }
    expect(() => friendsOfFriends(pos, { boxSize: 10, linkingParameter: -0.2 })).toThrow(/linkingParameter/);
  });
  it("a box size ≤ 0 and a bad minMembers are FofOptionErrors", () => {
    expect(() => friendsOfFriends(pos, { boxSize: 0, linkingLength: 1 })).toThrow(/field: boxSize/);
    expect(() => friendsOfFriends(pos, { boxSize: 10, linkingLength: 1, minMembers: 0 })).toThrow(
      /field: minMembers/,
    );
  });
  it("positions outside [0, L] are a ParticleOutsideBoxError naming the particle and coordinate", () => {
    for (const [bad, field] of [
      [[1, 1, 1, 2, 10.001, 2], "positions[1].y"],
      [[1, 1, -0.5, 2, 2, 2], "positions[0].z"],
      [[1, 1, 1, 12, 2, 2], "positions[1].x"],
    ] as const) {
      try {
        friendsOfFriends(new Float64Array(bad), { boxSize: 10, linkingLength: 1 });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ParticleOutsideBoxError);
        expect(e).toBeInstanceOf(HaloError);
        expect((e as ParticleOutsideBoxError).field).toBe(field);
        expect((e as ParticleOutsideBoxError).particle).toBe(Number(field[10]));
      }
    }
  });
  it("NaN / infinite positions are a NonFinitePositionError", () => {
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const x = new Float32Array([1, 2, 3]);
      const y = new Float32Array([1, v, 3]);
      const z = new Float32Array([1, 2, 3]);
      try {
        friendsOfFriends({ x, y, z }, { boxSize: 10, linkingLength: 1 });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(NonFinitePositionError);
        expect((e as NonFinitePositionError).field).toBe("positions[1].y");
        expect((e as NonFinitePositionError).particle).toBe(1);
      }
    }
  });
  it("malformed layouts are FofOptionErrors", () => {
    expect(() => friendsOfFriends(new Float32Array(4), { boxSize: 10, linkingLength: 1 })).toThrow(
      FofOptionError,
    );
    expect(() =>
      friendsOfFriends(
        { x: new Float32Array(2), y: new Float32Array(2), z: new Float32Array(3) },
        {
          boxSize: 10,
          linkingLength: 1,
        },
      ),
    ).toThrow(FofOptionError);
  });
  it("an empty particle set has no groups", () => {
    const fof = friendsOfFriends(new Float32Array(0), { boxSize: 10, linkingLength: 1 });
    expect(fof.groupCount).toBe(0);
    expect(fof.halos.count).toBe(0);
  });
});
