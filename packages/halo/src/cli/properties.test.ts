// tessera halo properties: the catalog from tags equals fof's; SOD columns against a brute-force count.
import { join } from "node:path";
import { cosmology, PLANCK18 } from "@tessera/cosmology";
import { tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeGenericIO } from "../genericio/write.js";
import { sodReferenceDensities } from "../properties/sod.js";
import { halo, lastJson, plantedBox, readAll, writeParticles } from "./cli-test-kit.js";

const dir = tempDir("tessera-halo-properties-cli-");
afterAll(() => dir.cleanup());

const box = plantedBox(5, { haloCount: 8, background: 1000 });
const L = box.planted.boxSize;
const ell = 1.2 * box.planted.linkingLength;
const particles = join(dir.path, "particles.gio");
const mass = 1e12; // heavy particles: the planted halos are far above 200 ρ_crit
const fofOut = join(dir.path, "halos.gio");
const tags = join(dir.path, "halos.tags.gio");

beforeAll(async () => {
  await writeParticles(particles, box.columns, L, 2);
  const r = await halo([
    "fof",
    "-i",
    particles,
    "-o",
    fofOut,
    "--linking-length",
    String(ell),
    "--particle-mass",
    String(mass),
  ]);
  expect(r.status, r.stderr).toBe(0);
});

/** Brute force SOD count: the largest k whose k-th nearest particle r_k has k·m ≥ Δρ (4/3)π r_k³. */
function bruteSodCount(cx: number, cy: number, cz: number, threshold: number, radius: number): number {
  const c = box.columns;
  const d2: number[] = [];
  const wrap = (d: number) => d - L * Math.round(d / L);
  for (let i = 0; i < box.n; i++) {
    const dx = wrap(c.x[i] - cx);
    const dy = wrap(c.y[i] - cy);
    const dz = wrap(c.z[i] - cz);
    const q = dx * dx + dy * dy + dz * dz;
    if (q <= radius * radius) d2.push(q);
  }
  d2.sort((a, b) => a - b);
  for (let j = d2.length - 1; j >= 0; j--) {
    if (!(d2[j] > 0)) return 0;
    if (j + 1 < d2.length && d2[j + 1] === d2[j]) continue;
    const r = Math.sqrt(d2[j]);
    if ((j + 1) * mass >= threshold * (4 / 3) * Math.PI * r ** 3) return j + 1;
  }
  return 0;
}

describe("tessera halo properties", () => {
  it("gives fof's catalog from the tags, and SOD columns equal to a brute-force count", async () => {
    const out = join(dir.path, "catalog.gio");
    const r = await halo(["properties", "-i", particles, "--halos", tags, "-o", out]);
    expect(r.status, r.stderr).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({ halos: box.planted.halos.length, particleMass: mass });
    expect(await readAll(out)).toEqual(await readAll(fofOut));

    const sod = join(dir.path, "sod.csv");
    const s = await halo([
      "properties",
      "-i",
      particles,
      "--halos",
      tags,
      "-o",
      sod,
      "--sod",
      "--redshift",
      "0",
      "--cosmology",
      "planck18",
    ]);
    expect(s.status, s.stderr).toBe(0);
    const summary = lastJson(s.stdout) as { sod: { searchRadius: number } };
    const { readFileSync } = await import("node:fs");
    const [header, ...lines] = readFileSync(sod, "utf8").trim().split("\n");
    const cols = header.split(",");
    expect(cols).toEqual(
      expect.arrayContaining([
        "fof_halo_tag",
        "fof_halo_center_x",
        "sod_halo_M200c",
        "sod_halo_count_200m",
        "sod_halo_R200m",
      ]),
    );
    const rows = lines.map((l) => Object.fromEntries(l.split(",").map((v, k) => [cols[k], Number(v)])));
    const rho = sodReferenceDensities(cosmology(PLANCK18), 0);
    let found = 0;
    for (const row of rows) {
      const c200 = bruteSodCount(
        row.fof_halo_center_x,
        row.fof_halo_center_y,
        row.fof_halo_center_z,
        200 * rho.critical,
        summary.sod.searchRadius,
      );
      const m200 = bruteSodCount(
        row.fof_halo_center_x,
        row.fof_halo_center_y,
        row.fof_halo_center_z,
        200 * rho.mean,
        summary.sod.searchRadius,
      );
      expect(row.sod_halo_count_200c).toBe(c200);
      expect(row.sod_halo_count_200m).toBe(m200);
      expect(row.sod_halo_M200c).toBe(Math.fround(c200 * mass));
      if (c200 > 0) found++;
    }
    expect(found).toBe(rows.length); // every planted halo is dense enough
  });

  it("refuses bad input with exit 2 and one line naming the problem", async () => {
    const noZ = await halo([
      "properties",
      "-i",
      particles,
      "--halos",
      tags,
      "-o",
      join(dir.path, "x.gio"),
      "--sod",
    ]);
    expect(noZ.status).toBe(2);
    expect(noZ.stderr).toMatch(/HaloCliError: SOD masses need the redshift.*field: --redshift/);
    const stray = join(dir.path, "stray.tags.gio");
    await writeGenericIO(stray, {
      variables: [
        { name: "id", type: "i64" },
        { name: "fof_halo_tag", type: "i64" },
      ],
      ranks: [{ columns: { id: BigInt64Array.of(5000n, 123n), fof_halo_tag: BigInt64Array.of(123n, 123n) } }],
    });
    const bad = await halo([
      "properties",
      "-i",
      particles,
      "--halos",
      stray,
      "-o",
      join(dir.path, "x.gio"),
      "--softening",
      "0.01",
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /a tagged particle is not in the particle file.*stray\.tags\.gio.*field: id\[0\].*found: 123/,
    );
    const noSoft = await halo([
      "properties",
      "-i",
      particles,
      "--halos",
      stray,
      "-o",
      join(dir.path, "x.gio"),
    ]);
    expect(noSoft.status).toBe(2);
    expect(noSoft.stderr).toMatch(/softening is unknown.*--softening/);
    const notTags = await halo([
      "properties",
      "-i",
      particles,
      "--halos",
      particles,
      "-o",
      join(dir.path, "x.gio"),
    ]);
    expect(notTags.status).toBe(2);
    expect(notTags.stderr).toMatch(/no such variable.*fof_halo_tag/);
    expect(noZ.stderr.trim().split("\n")).toHaveLength(1);
  });
});
