import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { plantedHalos } from "@tessera/phantom";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { HaloError } from "../errors.js";
import { type FofHalos, friendsOfFriends } from "../fof/fof.js";
import {
  type HaloPropertiesColumns,
  HaloPropertyError,
  haloProperties,
  POTENTIAL_DIRECT_MAX,
  sourceSlots,
} from "./properties.js";

/** The oracle: numpy, per halo label, the same definitions written independently. */
const ORACLE = `
import sys, json, numpy as np
pf, vf, lf = sys.argv[1], sys.argv[2], sys.argv[3]
L, m, eps, seed = float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
x = np.fromfile(pf, dtype=np.float32).astype(np.float64).reshape(-1, 3)
v = np.fromfile(vf, dtype=np.float32).astype(np.float64).reshape(-1, 3)
lab = np.fromfile(lf, dtype=np.int32)
M32 = 0xFFFFFFFF
def slots(n, first):
    s = np.arange(n)
    if n <= 2000:
        return s
    st = (seed ^ (((first + 1) * 0x9E3779B1) & M32)) & M32 or 1
    for k in range(2000):
        st ^= (st << 13) & M32
        st ^= st >> 17
        st ^= (st << 5) & M32
        j = k + int(np.floor(st / 4294967296.0 * (n - k)))
        s[k], s[j] = s[j], s[k]
    return s[:2000]
cols = {k: [] for k in ["tag", "count", "mass", "center", "com", "meanv", "disp", "angmom"]}
for h in range(lab.max() + 1):
    idx = np.nonzero(lab == h)[0]
    n = len(idx)
    ref = x[idx[0]]
    d = x[idx] - ref
    d -= L * np.floor(d / L + 0.5)
    u = ref + d
    com = u.mean(axis=0)
    vv = v[idx]
    mv = vv.mean(axis=0)
    disp = np.sqrt(np.mean(vv.var(axis=0)))
    am = m * np.cross(u - com, vv - mv).sum(axis=0)
    src = slots(n, int(idx[0]))
    r2 = sum((u[:, a][:, None] - u[src, a][None, :]) ** 2 for a in range(3)) + eps * eps
    inv = 1.0 / np.sqrt(r2)
    inv[src, np.arange(len(src))] = 0.0
    best = int(np.argmin(-inv.sum(axis=1)))
    cols["tag"].append(int(idx[0])); cols["count"].append(n); cols["mass"].append(n * m)
    cols["center"].append(x[idx[best]].tolist()); cols["com"].append(np.mod(com, L).tolist())
    cols["meanv"].append(mv.tolist()); cols["disp"].append(float(disp)); cols["angmom"].append(am.tolist())
print(json.dumps(cols))
`;

interface Oracle {
  tag: number[];
  count: number[];
  mass: number[];
  center: number[][];
  com: number[][];
  meanv: number[][];
  disp: number[];
  angmom: number[][];
}

const hasNumpy = pythonHas("numpy");
const tmp = tempDir("tessera-haloprops-");
afterAll(() => tmp.cleanup());

function oracle(
  positions: Float32Array,
  velocities: Float32Array,
  haloId: Int32Array,
  L: number,
  m: number,
  eps: number,
  seed: number,
): Oracle {
  const pf = join(tmp.path, "pos.f32");
  const vf = join(tmp.path, "vel.f32");
  const lf = join(tmp.path, "lab.i32");
  writeFileSync(pf, positions);
  writeFileSync(vf, velocities);
  writeFileSync(lf, haloId);
  return JSON.parse(runPython(ORACLE, [pf, vf, lf, String(L), String(m), String(eps), String(seed)]));
}

/** |a − b| ≤ rel·scale + abs, with a message naming the column and halo. */
function near(a: number, b: number, scale: number, what: string, rel = 2e-6) {
  const tol = rel * Math.max(Math.abs(b), scale) + 1e-9;
  if (!(Math.abs(a - b) <= tol)) throw new Error(`${what}: ${a} vs oracle ${b} (tol ${tol})`);
}

/** Periodic difference of two coordinates. */
function pdiff(a: number, b: number, L: number): number {
  const d = a - b;
  return d - L * Math.round(d / L);
}

function compare(p: HaloPropertiesColumns, ref: Oracle, L: number) {
  const H = ref.count.length;
  expect(p.fof_halo_count.length).toBe(H);
  const ax = ["x", "y", "z"] as const;
  const vax = ["vx", "vy", "vz"] as const;
  for (let h = 0; h < H; h++) {
    expect(p.fof_halo_tag[h]).toBe(BigInt(ref.tag[h]));
    expect(p.fof_halo_count[h]).toBe(ref.count[h]);
    near(p.fof_halo_mass[h], ref.mass[h], 0, `mass[${h}]`);
    const vScale = Math.max(...ref.meanv[h].map(Math.abs), ref.disp[h]);
    const lScale = Math.max(...ref.angmom[h].map(Math.abs));
    for (let a = 0; a < 3; a++) {
      expect(p[`fof_halo_center_${ax[a]}`][h], `center_${ax[a]}[${h}]`).toBe(Math.fround(ref.center[h][a]));
      // com: periodic difference (a value next to 0 may come out next to L)
      near(pdiff(p[`fof_halo_com_${ax[a]}`][h], ref.com[h][a], L), 0, L, `com_${ax[a]}[${h}]`);
      near(p[`fof_halo_mean_${vax[a]}`][h], ref.meanv[h][a], vScale, `mean_${vax[a]}[${h}]`);
      near(p[`fof_halo_angmom_${ax[a]}`][h], ref.angmom[h][a], lScale, `angmom_${ax[a]}[${h}]`);
    }
    near(p.fof_halo_vel_disp[h], ref.disp[h], 0, `vel_disp[${h}]`);
  }
}

/** Planted halos translated periodically so that halo 0's centre sits next to the corner (0, 0, L). */
function straddling(opts: Parameters<typeof plantedHalos>[0]) {
  const ph = plantedHalos(opts);
  const L = ph.boxSize;
  const R = ph.halos[0].radius;
  const shift = [
    0.3 * R - ph.halos[0].center[0],
    0.2 * R - ph.halos[0].center[1],
    L - 0.25 * R - ph.halos[0].center[2],
  ];
  const pos = new Float32Array(ph.positions.length);
  for (let i = 0; i < pos.length; i++) {
    let w = ph.positions[i] + shift[i % 3];
    w -= L * Math.floor(w / L);
    const f = Math.fround(w);
    pos[i] = f >= L ? 0 : f;
  }
  return { ...ph, positions: pos };
}

describe.skipIf(!hasNumpy)("numpy oracle on planted halos", () => {
  it("20 planted halos (100–1000 members), halo 0 straddling the corner of the box", () => {
    const ph = straddling({ seed: 3, haloCount: 20, backgroundParticles: 3000 });
    const L = ph.boxSize;
    const fof = friendsOfFriends(ph.positions, {
      boxSize: L,
      linkingLength: 1.2 * ph.linkingLength,
      minMembers: 20,
    });
    expect(fof.halos.count).toBe(20);
    // the halo of planted halo 0 really straddles x = 0, y = 0 and z = L
    const h0 = fof.haloId[ph.haloIndex.indexOf(0)];
    const mem = fof.halos.members.subarray(fof.halos.offsets[h0], fof.halos.offsets[h0 + 1]);
    for (const a of [0, 1, 2]) {
      const c = Array.from(mem, (i) => ph.positions[3 * i + a]);
      expect(Math.min(...c)).toBeLessThan(L / 4);
      expect(Math.max(...c)).toBeGreaterThan((3 * L) / 4);
    }
    const props = haloProperties(ph.positions, ph.velocities, fof, { boxSize: L, particleMass: 2.5 });
    const ref = oracle(ph.positions, ph.velocities, fof.haloId, L, 2.5, 0.1 * fof.linkingLength, 0);
    compare(props, ref, L);
    // the centre of mass of the straddling halo is the planted centre (wrapped), not the box middle
    const planted = [0.3, 0.2, -0.25].map((f) => f * ph.halos[0].radius);
    for (const [a, name] of [
      [0, "x"],
      [1, "y"],
      [2, "z"],
    ] as const) {
      expect(Math.abs(pdiff(props[`fof_halo_com_${name}`][h0], planted[a], L))).toBeLessThan(
        ph.halos[0].radius / 2,
      );
    }
  });

  it("a 2,600-member halo (seeded 2,000-source potential) straddling the boundary, plus small halos; seed 7", () => {
    const ph = straddling({ seed: 5, haloParticleCounts: [2600, 700, 150, 40], backgroundParticles: 2000 });
    const L = ph.boxSize;
    const fof = friendsOfFriends(ph.positions, {
      boxSize: L,
      linkingLength: 1.2 * ph.linkingLength,
      minMembers: 20,
    });
    expect(Array.from(fof.halos.size).sort((a, b) => b - a)).toEqual([2600, 700, 150, 40]);
    const props = haloProperties(ph.positions, ph.velocities, fof, {
      boxSize: L,
      particleMass: 1,
      seed: 7,
      softening: 0.05,
    });
    compare(props, oracle(ph.positions, ph.velocities, fof.haloId, L, 1, 0.05, 7), L);
    // separate { x, y, z } layouts give the same columns
    const n = ph.positions.length / 3;
    const split = (a: Float32Array) => ({
      x: Float64Array.from({ length: n }, (_, i) => a[3 * i]),
      y: Float64Array.from({ length: n }, (_, i) => a[3 * i + 1]),
      z: Float64Array.from({ length: n }, (_, i) => a[3 * i + 2]),
    });
    expect(
      haloProperties(split(ph.positions), split(ph.velocities), fof, {
        boxSize: L,
        particleMass: 1,
        seed: 7,
        softening: 0.05,
      }),
    ).toEqual(props);
  });
});

describe("indices of a subset", () => {
  it("a 2,600-member halo computed from a subset with its indices equals the whole-set row", () => {
    // 10 other particles, then a uniform cube of 2,600 members (a flat potential: the minimum
    // depends on which 2,000 sources the seed picks)
    const n = 2610;
    let s = 12345;
    const rand = () => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return (s >>> 0) / 2 ** 32;
    };
    const pos = Float64Array.from({ length: 3 * n }, () => 2 + rand());
    const vel = Float64Array.from({ length: 3 * n }, () => rand() - 0.5);
    const members = Int32Array.from({ length: 2600 }, (_, k) => 10 + k);
    const whole: { halos: FofHalos } = {
      halos: {
        count: 1,
        size: Int32Array.of(2600),
        minId: Float64Array.of(10),
        offsets: Int32Array.of(0, 2600),
        members,
      },
    };
    const opts = { boxSize: 10, particleMass: 1, seed: 3, softening: 0.01 };
    const want = haloProperties(pos, vel, whole, opts);
    const sub = (a: Float64Array) => a.slice(30);
    const got = haloProperties(sub(pos), sub(vel), oneHalo(2600), {
      ...opts,
      indices: members,
      ids: members,
    });
    expect(got).toEqual(want);
    // without the indices the seed differs, and so does the centre
    const plain = haloProperties(sub(pos), sub(vel), oneHalo(2600), { ...opts, ids: members });
    expect([plain.fof_halo_center_x[0], plain.fof_halo_center_y[0], plain.fof_halo_center_z[0]]).not.toEqual([
      want.fof_halo_center_x[0],
      want.fof_halo_center_y[0],
      want.fof_halo_center_z[0],
    ]);
    expect(() => haloProperties(sub(pos), sub(vel), oneHalo(2600), { ...opts, indices: [1, 2] })).toThrow(
      /field: indices/,
    );
  });
});

/** One halo holding particles 0..n−1. */
function oneHalo(n: number): { halos: FofHalos } {
  const members = Int32Array.from({ length: n }, (_, i) => i);
  return {
    halos: {
      count: 1,
      size: Int32Array.of(n),
      minId: Float64Array.of(0),
      offsets: Int32Array.of(0, n),
      members,
    },
  };
}

describe("hand-checkable halos", () => {
  it("two particles: com, mass, dispersion sqrt(1/3), angular momentum −2·m ẑ, tie → first member", () => {
    const pos = Float64Array.of(1, 1, 1, 3, 1, 1);
    const vel = Float64Array.of(0, 1, 0, 0, -1, 0);
    const p = haloProperties(pos, vel, oneHalo(2), { boxSize: 10, particleMass: 2, softening: 0 });
    expect(p.fof_halo_tag).toEqual(BigInt64Array.of(0n));
    expect(p.fof_halo_count[0]).toBe(2);
    expect(p.fof_halo_mass[0]).toBe(4);
    expect([p.fof_halo_com_x[0], p.fof_halo_com_y[0], p.fof_halo_com_z[0]]).toEqual([2, 1, 1]);
    expect([p.fof_halo_center_x[0], p.fof_halo_center_y[0], p.fof_halo_center_z[0]]).toEqual([1, 1, 1]);
    expect([p.fof_halo_mean_vx[0], p.fof_halo_mean_vy[0], p.fof_halo_mean_vz[0]]).toEqual([0, 0, 0]);
    expect(p.fof_halo_vel_disp[0]).toBe(Math.fround(Math.sqrt(1 / 3)));
    expect([p.fof_halo_angmom_x[0], p.fof_halo_angmom_y[0], p.fof_halo_angmom_z[0]]).toEqual([0, 0, -4]);
  });

  it("two particles across x = 0: com unwrapped then wrapped (9.5 and 0.7 in L = 10 → 0.1)", () => {
    const pos = Float64Array.of(9.5, 5, 5, 0.7, 5, 5);
    const vel = new Float64Array(6);
    const p = haloProperties(pos, vel, oneHalo(2), { boxSize: 10, particleMass: 1, softening: 0.01 });
    expect(p.fof_halo_com_x[0]).toBeCloseTo(0.1, 6);
    const rev = haloProperties(Float64Array.of(0.7, 5, 5, 9.5, 5, 5), vel, oneHalo(2), {
      boxSize: 10,
      particleMass: 1,
      softening: 0.01,
    });
    expect(rev.fof_halo_com_x[0]).toBeCloseTo(0.1, 6);
  });

  it("ring of 12 rotating particles + one at the centre, straddling the box corner: L_z = N·m·R·v0", () => {
    const N = 12;
    const R = 1;
    const v0 = 3;
    const m = 0.5;
    const L = 10;
    const c = [0.2, 9.9, 5];
    const pos = new Float64Array(3 * (N + 1));
    const vel = new Float64Array(3 * (N + 1));
    for (let k = 0; k < N; k++) {
      const t = (2 * Math.PI * k) / N;
      pos[3 * k] = (c[0] + R * Math.cos(t) + L) % L;
      pos[3 * k + 1] = (c[1] + R * Math.sin(t)) % L;
      pos[3 * k + 2] = c[2];
      vel[3 * k] = -v0 * Math.sin(t);
      vel[3 * k + 1] = v0 * Math.cos(t);
    }
    pos.set(c, 3 * N); // the central particle, at rest
    const p = haloProperties(pos, vel, oneHalo(N + 1), { boxSize: L, particleMass: m, softening: 0.01 });
    expect(p.fof_halo_center_x[0]).toBe(Math.fround(0.2));
    expect(p.fof_halo_center_y[0]).toBe(Math.fround(9.9));
    expect(p.fof_halo_center_z[0]).toBe(5);
    expect(p.fof_halo_com_x[0]).toBeCloseTo(0.2, 5);
    expect(p.fof_halo_com_y[0]).toBeCloseTo(9.9, 5);
    expect(p.fof_halo_com_z[0]).toBeCloseTo(5, 6);
    expect(p.fof_halo_mean_vx[0]).toBeCloseTo(0, 6);
    expect(p.fof_halo_mean_vy[0]).toBeCloseTo(0, 6);
    expect(p.fof_halo_vel_disp[0]).toBeCloseTo(Math.sqrt((N * v0 * v0) / (3 * (N + 1))), 5);
    expect(p.fof_halo_angmom_x[0]).toBeCloseTo(0, 5);
    expect(p.fof_halo_angmom_y[0]).toBeCloseTo(0, 5);
    expect(p.fof_halo_angmom_z[0]).toBeCloseTo(N * m * R * v0, 4);
  });

  it("ids: fof_halo_tag is the smallest member id", () => {
    const pos = Float64Array.of(1, 1, 1, 1.5, 1, 1, 2, 1, 1);
    const vel = new Float64Array(9);
    const ids = BigInt64Array.of(900n, 2n ** 40n, 17n);
    const p = haloProperties(pos, vel, oneHalo(3), { boxSize: 10, particleMass: 1, softening: 0, ids });
    expect(p.fof_halo_tag).toEqual(BigInt64Array.of(17n));
    expect(
      haloProperties(pos, vel, oneHalo(3), { boxSize: 10, particleMass: 1, softening: 0, ids: [5, 3, 4] })
        .fof_halo_tag,
    ).toEqual(BigInt64Array.of(3n));
  });

  it("the source subset: all members up to 2,000, else 2,000 distinct seeded slots", () => {
    expect(sourceSlots(POTENTIAL_DIRECT_MAX, 0, 0).length).toBe(POTENTIAL_DIRECT_MAX);
    const s = sourceSlots(5000, 1, 42);
    expect(s.length).toBe(POTENTIAL_DIRECT_MAX);
    expect(new Set(s).size).toBe(POTENTIAL_DIRECT_MAX);
    expect(Math.max(...s)).toBeLessThan(5000);
    expect(sourceSlots(5000, 1, 42)).toEqual(s);
    expect(sourceSlots(5000, 2, 42)).not.toEqual(s);
  });
});

describe("bad input → HaloPropertyError (a HaloError) with field / expected / found", () => {
  const pos = Float64Array.of(1, 1, 1, 2, 1, 1);
  const vel = new Float64Array(6);
  const catchError = (f: () => unknown): HaloPropertyError => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(HaloPropertyError);
      expect(e).toBeInstanceOf(HaloError);
      return e as HaloPropertyError;
    }
    throw new Error("did not throw");
  };

  it("velocities of another length", () => {
    const e = catchError(() =>
      haloProperties(pos, new Float64Array(9), oneHalo(2), { boxSize: 10, particleMass: 1, softening: 0 }),
    );
    expect(e.field).toBe("velocities");
    expect(e.expected).toBe("2 particles (6 numbers)");
    expect(e.found).toBe("3 particles");
    const e2 = catchError(() =>
      haloProperties(pos, new Float64Array(7), oneHalo(2), { boxSize: 10, particleMass: 1, softening: 0 }),
    );
    expect(e2.field).toBe("velocities");
  });

  for (const mass of [0, -1, Number.NaN]) {
    it(`particleMass ${mass}`, () => {
      const e = catchError(() =>
        haloProperties(pos, vel, oneHalo(2), { boxSize: 10, particleMass: mass, softening: 0 }),
      );
      expect(e.field).toBe("particleMass");
      expect(e.expected).toBe("a finite number > 0");
      expect(e.found).toBe(String(mass));
    });
  }

  it("box size ≤ 0, negative softening, no softening without a linking length, member out of range, ids of another length", () => {
    expect(
      catchError(() => haloProperties(pos, vel, oneHalo(2), { boxSize: 0, particleMass: 1, softening: 0 }))
        .field,
    ).toBe("boxSize");
    expect(
      catchError(() => haloProperties(pos, vel, oneHalo(2), { boxSize: 10, particleMass: 1, softening: -1 }))
        .field,
    ).toBe("softening");
    expect(
      catchError(() => haloProperties(pos, vel, oneHalo(2), { boxSize: 10, particleMass: 1 })).field,
    ).toBe("softening");
    expect(
      catchError(() => haloProperties(pos, vel, oneHalo(3), { boxSize: 10, particleMass: 1, softening: 0 }))
        .field,
    ).toBe("fof.halos.members[2]");
    expect(
      catchError(() =>
        haloProperties(pos, vel, oneHalo(2), { boxSize: 10, particleMass: 1, softening: 0, ids: [1] }),
      ).field,
    ).toBe("ids");
  });
});
