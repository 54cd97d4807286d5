import { OUTER_RIM } from "@tessera/cosmology";
import { describe, expect, it } from "vitest";
import { MockGalaxyError } from "./errors.js";
import { ZHENG07_MR20 } from "./hod.js";
import { mockGalaxies } from "./mock-galaxies.js";

const BOX = 64;
function halos(n: number) {
  let s = 99;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  return {
    fof_halo_tag: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 31n - 500n),
    fof_halo_mass: Float32Array.from({ length: n }, () => 10 ** (11 + 3.5 * u())),
    fof_halo_center_x: Float32Array.from({ length: n }, () => u() * BOX),
    fof_halo_center_y: Float32Array.from({ length: n }, () => u() * BOX),
    fof_halo_center_z: Float32Array.from({ length: n }, () => u() * BOX),
    fof_halo_mean_vx: Float32Array.from({ length: n }, () => 300 * (u() - 0.5)),
    fof_halo_mean_vy: Float32Array.from({ length: n }, () => 300 * (u() - 0.5)),
    fof_halo_mean_vz: Float32Array.from({ length: n }, () => 300 * (u() - 0.5)),
    fof_halo_vel_disp: Float32Array.from({ length: n }, () => 200),
  };
}
const OPTS = {
  relation: "moster13",
  redshift: 0.2,
  cosmology: OUTER_RIM,
  seed: 4,
  boxSize: BOX,
  hod: ZHENG07_MR20,
} as const;

/** Galaxies keyed by galaxy_id → [stellar mass, x, y, z, vx]. */
function byId(g: ReturnType<typeof mockGalaxies>["galaxies"]): Map<bigint, number[]> {
  const m = new Map<bigint, number[]>();
  g.galaxy_id.forEach((id, i) => {
    m.set(id, [g.stellar_mass[i], g.x[i], g.y[i], g.z[i], g.vx?.[i] ?? 0]);
  });
  return m;
}

describe("mockGalaxies", () => {
  it("gives every halo the same galaxies (centrals and satellites) in any order or subset", () => {
    const h = halos(3000);
    const all = mockGalaxies(h, OPTS);
    expect(all.galaxies.galaxy_id.length).toBe(
      all.provenance.counts.centrals + all.provenance.counts.satellites,
    );
    expect(all.provenance.counts.satellites).toBeGreaterThan(100);
    expect(new Set(all.galaxies.galaxy_id).size).toBe(all.galaxies.galaxy_id.length); // unique ids
    const pick = Array.from({ length: 1000 }, (_, k) => 2999 - 3 * k);
    const sub = Object.fromEntries(
      Object.entries(h).map(([k, col]) => {
        const C = col.constructor as new (n: number) => typeof col;
        const out = new C(pick.length);
        pick.forEach((i, j) => {
          out[j] = col[i];
        });
        return [k, out];
      }),
    );
    const part = byId(mockGalaxies(sub, OPTS).galaxies);
    const full = byId(all.galaxies);
    let n = 0;
    for (const [id, row] of part) {
      expect(full.get(id)).toEqual(row);
      n++;
    }
    expect(n).toBeGreaterThan(1000);
  });

  it("writes the columns with units and provenance; centrals sit on the halo centre with its velocity", () => {
    const h = halos(200);
    const { galaxies, provenance } = mockGalaxies(h, { ...OPTS, inputs: ["phantom"] });
    expect(galaxies.halo_id).toBeInstanceOf(BigInt64Array);
    const c = galaxies.is_central.indexOf(1);
    expect(galaxies.x[c]).toBe(h.fof_halo_center_x[0]);
    expect(galaxies.vx?.[c]).toBe(h.fof_halo_mean_vx[0]);
    expect(galaxies.halo_id[c]).toBe(h.fof_halo_tag[0]);
    expect(galaxies.stellar_mass.filter((_, i) => !galaxies.is_central[i]).every(Number.isNaN)).toBe(true);
    expect(provenance).toMatchObject({
      tool: "@tessera/validate",
      operation: "mockGalaxies",
      inputs: ["phantom"],
      units: { stellar_mass: "M_sun (no h)", halo_mass: "M_sun/h" },
      parameters: { relation: "moster13", seed: 4, scatterDex: 0.15, h: OUTER_RIM.h },
    });
    expect((provenance.parameters.relationParameters as { m10: number }).m10).toBe(11.59);
  });

  it("skips halos without a positive mass and counts them", () => {
    const h = halos(10);
    h.fof_halo_mass[3] = 0;
    const { provenance, galaxies } = mockGalaxies(h, { ...OPTS, hod: undefined });
    expect(provenance.counts).toMatchObject({ halos: 10, skippedHalos: 1, centrals: 9, satellites: 0 });
    expect(galaxies.x.length).toBe(9);
  });

  it("names the missing column or bad option", () => {
    const h = halos(10);
    const { fof_halo_center_y: _, ...noY } = h;
    expect(() => mockGalaxies(noY, OPTS)).toThrow(/field: halos.fof_halo_center_y/);
    expect(() => mockGalaxies({ ...h, fof_halo_mass: new Float32Array(3) }, OPTS)).toThrow(
      /expected: 10 rows/,
    );
    expect(() => mockGalaxies({ ...h, fof_halo_tag: new Float64Array(10).fill(0.5) }, OPTS)).toThrow(
      /field: halos.fof_halo_tag\[0\]/,
    );
    expect(() => mockGalaxies(h, { ...OPTS, boxSize: undefined })).toThrow(/field: boxSize/);
    expect(() => mockGalaxies(h, { ...OPTS, hod: { ...ZHENG07_MR20, sigmaLogM: 0 } })).toThrow(
      /field: hod.sigmaLogM/,
    );
    expect(() => mockGalaxies(h, { ...OPTS, relation: "nope" as never })).toThrow(MockGalaxyError);
    expect(() => mockGalaxies(h, { ...OPTS, columns: { mass: "sod_halo_M200c" } })).toThrow(
      /field: halos.sod_halo_M200c.*expected/,
    );
  });
});
