// tessera halo lightcone: rows against a brute-force enumeration of the periodic replicas.
import { join } from "node:path";
import { cosmology, PLANCK18 } from "@tessera/cosmology";
import { tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildLightcone } from "../lightcone/lightcone.js";
import { halo, lastJson, readAll, writeParticles } from "./cli-test-kit.js";

const dir = tempDir("tessera-halo-lightcone-cli-");
afterAll(() => dir.cleanup());

const L = 100;
const n = 300;
/** A deterministic scatter of n objects in the box (a simple LCG), with ids. */
function objects(seed: number) {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const x = Float32Array.from({ length: n }, () => u() * L);
  const y = Float32Array.from({ length: n }, () => u() * L);
  const z = Float32Array.from({ length: n }, () => u() * L);
  const id = BigInt64Array.from({ length: n }, (_, i) => BigInt(seed * 100000 + i));
  return { x, y, z, id };
}
const a = objects(1);
const b = objects(2);
const planck = cosmology(PLANCK18);
const chiOf = (z: number) => planck.comovingRadialDistanceMpcH(z) as number;

beforeAll(async () => {
  await writeParticles(join(dir.path, "a.gio"), a, L);
  await writeParticles(join(dir.path, "b.gio"), b, L);
});

/** Every replica of the objects with distance from the origin in [lo, hi]: "id ix iy iz" keys. */
function replicas(o: ReturnType<typeof objects>, lo: number, hi: number): string[] {
  const k = Math.ceil(hi / L) + 1;
  const out: string[] = [];
  for (let i = 0; i < n; i++)
    for (let ix = -k; ix <= k; ix++)
      for (let iy = -k; iy <= k; iy++)
        for (let iz = -k; iz <= k; iz++) {
          const d = Math.hypot(o.x[i] + ix * L, o.y[i] + iy * L, o.z[i] + iz * L);
          if (d >= lo && d <= hi) out.push(`${o.id[i]} ${ix} ${iy} ${iz}`);
        }
  return out.sort();
}

function rowKeys(cols: Record<string, ArrayLike<unknown>>): string[] {
  const id = cols.id as BigInt64Array;
  return Array.from(
    id,
    (v, k) => `${v} ${cols.replica_ix[k]} ${cols.replica_iy[k]} ${cols.replica_iz[k]}`,
  ).sort();
}

describe("tessera halo lightcone", () => {
  it("one snapshot, extrapolated: exactly the replicas within the comoving distance range", async () => {
    const out = join(dir.path, "lc1.gio");
    const r = await halo([
      "lightcone",
      "--snapshots",
      join(dir.path, "a.gio"),
      "--steps",
      "499",
      "--output",
      out,
      "--z-range",
      "0.01,0.05",
      "--extrapolate",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const cols = await readAll(out);
    const truth = replicas(a, chiOf(0.01), chiOf(0.05));
    expect(truth.length).toBeGreaterThan(100);
    expect(rowKeys(cols)).toEqual(truth);
    expect(lastJson(r.stdout)).toMatchObject({ rows: truth.length, output: out });
    // every row: distance = chi, redshift within the range
    const chi = cols.chi as Float64Array;
    for (let k = 0; k < chi.length; k++) {
      expect(Math.hypot(Number(cols.x[k]), Number(cols.y[k]), Number(cols.z[k]))).toBeCloseTo(chi[k], 9);
      expect(cols.redshift[k]).toBeGreaterThanOrEqual(0.01 - 1e-9);
      expect(cols.redshift[k]).toBeLessThanOrEqual(0.05 + 1e-9);
    }
  });

  it("two snapshots in any order: the library's lightcone, snapshot column in the order given", async () => {
    const out = join(dir.path, "lc2.gio");
    const steps = [499, 480];
    const r = await halo([
      "lightcone",
      "--snapshots",
      `${join(dir.path, "a.gio")},${join(dir.path, "b.gio")}`,
      "--steps",
      steps.join(","),
      "-o",
      out,
      "--z-range",
      "0,0.04",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const lc = buildLightcone(
      [
        { step: 480, objects: { x: b.x, y: b.y, z: b.z, id: b.id } },
        { step: 499, objects: { x: a.x, y: a.y, z: a.z, id: a.id } },
      ],
      { boxSize: L, cosmology: planck, zMin: 0, zMax: 0.04 },
    );
    const cols = await readAll(out);
    expect(cols.snapshot.length).toBe(lc.count);
    expect(lc.count).toBeGreaterThan(50);
    // ids 1xxxxx come from a.gio (given first: snapshot 0), 2xxxxx from b.gio (snapshot 1)
    const id = cols.id as BigInt64Array;
    for (let k = 0; k < id.length; k++) expect(cols.snapshot[k]).toBe(id[k] < 200000n ? 0 : 1);
    expect(new Set(cols.snapshot as Int32Array)).toEqual(new Set([0, 1]));
    expect(rowKeys(cols)).toEqual(
      rowKeys({ id: lc.id as BigInt64Array, replica_ix: lc.ix, replica_iy: lc.iy, replica_iz: lc.iz }),
    );
  });

  it("refuses bad input with exit 2 and one line naming the problem", async () => {
    const snaps = `${join(dir.path, "a.gio")},${join(dir.path, "b.gio")}`;
    const count = await halo([
      "lightcone",
      "--snapshots",
      snaps,
      "--steps",
      "499",
      "-o",
      join(dir.path, "x.gio"),
      "--z-range",
      "0,0.1",
    ]);
    expect(count.status).toBe(2);
    expect(count.stderr).toMatch(/one step \(or redshift\) per snapshot.*field: --steps/);
    const range = await halo([
      "lightcone",
      "--snapshots",
      snaps,
      "--steps",
      "499,480",
      "-o",
      join(dir.path, "x.gio"),
      "--z-range",
      "0,3",
    ]);
    expect(range.status).toBe(2);
    expect(range.stderr).toMatch(/LightconeRangeError/);
    const neither = await halo([
      "lightcone",
      "--snapshots",
      snaps,
      "-o",
      join(dir.path, "x.gio"),
      "--z-range",
      "0,0.1",
    ]);
    expect(neither.status).toBe(2);
    expect(neither.stderr).toMatch(/UsageError: give --steps or --redshifts/);
    const box = await halo([
      "lightcone",
      "--snapshots",
      snaps,
      "--steps",
      "499,480",
      "-o",
      join(dir.path, "x.gio"),
      "--z-range",
      "0,0.03",
      "--box",
      "50",
    ]);
    expect(box.status).toBe(2);
    expect(box.stderr).toMatch(/a\.gio|b\.gio/);
    expect(box.stderr.trim().split("\n")).toHaveLength(1);
  });
});
