// tessera halo reduce: CSV and zarr read back by Python, mass function against a Python histogram,
// down-sampling against the library's id hash.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runPython, tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { downsampleMask } from "../reduce/downsample.js";
import { halo, lastJson, plantedBox, readAll, writeParticles } from "./cli-test-kit.js";

const dir = tempDir("tessera-halo-reduce-cli-");
afterAll(() => dir.cleanup());

const box = plantedBox(21, { haloCount: 30, background: 1500 });
const L = box.planted.boxSize;
const particles = join(dir.path, "particles.gio");
const catalog = join(dir.path, "halos.gio");

beforeAll(async () => {
  await writeParticles(particles, box.columns, L, 2);
  const ell = String(1.2 * box.planted.linkingLength);
  const r = await halo([
    "fof",
    "-i",
    particles,
    "-o",
    catalog,
    "--linking-length",
    ell,
    "--particle-mass",
    "1e10",
  ]);
  expect(r.status, r.stderr).toBe(0);
});

describe("tessera halo reduce", () => {
  it("cuts by mass and selects columns into CSV that python's csv module reads back exactly", async () => {
    const all = await readAll(catalog);
    const masses = [...(all.fof_halo_mass as Float32Array)].sort((a, b) => a - b);
    const min = masses[Math.floor(masses.length / 2)]; // keeps the upper half (min inclusive)
    const out = join(dir.path, "massive.csv");
    const r = await halo([
      "reduce",
      "-i",
      catalog,
      "-o",
      out,
      "--min-mass",
      String(min),
      "--columns",
      "fof_halo_tag,fof_halo_mass,fof_halo_count",
    ]);
    expect(r.status, r.stderr).toBe(0);
    const expectedRows: string[] = [];
    const tag = all.fof_halo_tag as BigInt64Array;
    const mass = all.fof_halo_mass as Float32Array;
    const count = all.fof_halo_count as Int32Array;
    for (let i = 0; i < mass.length; i++)
      if (mass[i] >= min) expectedRows.push(`${tag[i]} ${mass[i]} ${count[i]}`);
    expect(lastJson(r.stdout)).toMatchObject({
      rows: expectedRows.length,
      format: "csv",
      inputRows: mass.length,
    });
    const py = runPython(
      `import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
print(",".join(rows[0]))
for r in rows[1:]: print(int(r[0]), float(r[1]), int(r[2]))`,
      [out],
    )
      .trim()
      .split("\n");
    expect(py[0]).toBe("fof_halo_tag,fof_halo_mass,fof_halo_count");
    const parsed = py.slice(1).map((l) => l.split(" "));
    expect(parsed.map((p) => `${p[0]} ${Number(p[1])} ${p[2]}`)).toEqual(expectedRows);
    expect(existsSync(`${out}.provenance.json`)).toBe(true);
  });

  it("writes the mass function a python histogram of the catalog's masses gives, and a zarr python opens", async () => {
    const hmf = join(dir.path, "hmf.csv");
    const z = join(dir.path, "halos.zarr");
    const r = await halo(["reduce", "-i", catalog, "-o", z, "--mass-function", hmf, "--bins", "6"]);
    expect(r.status, r.stderr).toBe(0);
    expect(lastJson(r.stdout).massFunction).toMatchObject({ bins: 6, outside: 0 });
    const py = runPython(
      `import csv, math, sys, zarr
g = zarr.open_group(sys.argv[1], mode="r")
m = [float(v) for v in g["fof_halo_mass"][:]]
lo, hi = math.log10(min(m)), math.log10(max(m))
nb = 6
edges = [lo + i * (hi - lo) / nb for i in range(nb)] + [hi]
counts = [0] * nb
for v in m:
    x = math.log10(v)
    b = max(i for i in range(nb) if edges[i] <= x)
    counts[b] += 1
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
V = ${L} ** 3
for c, r in zip(counts, rows):
    ok = int(float(r["count"])) == c and abs(float(r["dndlog10m"]) - c / (V * (hi - lo) / nb)) <= 1e-9 * max(1e-30, c / V)
    print(c, r["count"], "ok" if ok else "BAD")
print(len(rows), g.attrs["rows"], len(g.attrs["columns"]))`,
      [z, hmf],
    )
      .trim()
      .split("\n");
    const last = py.pop()?.split(" ");
    expect(last).toEqual(["6", String(box.planted.halos.length), "16"]);
    expect(
      py.every((l) => l.endsWith(" ok")),
      py.join("\n"),
    ).toBe(true);
    expect(py.reduce((s, l) => s + Number(l.split(" ")[0]), 0)).toBe(box.planted.halos.length);
  });

  it("down-samples particles by id hash, as downsampleMask does", async () => {
    const out = join(dir.path, "sample.gio");
    const r = await halo(["reduce", "-i", particles, "-o", out, "--downsample", "0.25", "--seed", "7"]);
    expect(r.status, r.stderr).toBe(0);
    const kept = (await readAll(out)).id as BigInt64Array;
    const mask = downsampleMask(box.columns.id, { fraction: 0.25, seed: 7 });
    const expected = box.columns.id.filter((_v, i) => mask[i] === 1);
    expect(kept).toEqual(expected);
    expect(Math.abs(kept.length / box.n - 0.25)).toBeLessThan(0.05);
  });

  it("refuses bad input with exit 2 and one line naming the problem", async () => {
    const x = join(dir.path, "x.csv");
    const empty = await halo(["reduce", "-i", catalog, "-o", x, "--min-mass", "1e14", "--max-mass", "1e13"]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/mass range is empty/);
    const column = await halo(["reduce", "-i", catalog, "-o", x, "--columns", "fof_halo_mass,nope"]);
    expect(column.status).toBe(2);
    expect(column.stderr).toMatch(/UnknownColumnError: no column "nope"/);
    const nothing = await halo(["reduce", "-i", catalog]);
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).toMatch(/UsageError: give --output, --mass-function or both/);
    const noIds = await halo(["reduce", "-i", catalog, "-o", x, "--downsample", "0.5"]);
    expect(noIds.status).toBe(2);
    expect(noIds.stderr).toMatch(/no column "id"/);
    const fraction = await halo(["reduce", "-i", particles, "-o", x, "--downsample", "2"]);
    expect(fraction.status).toBe(2);
    expect(fraction.stderr).toMatch(/--downsample.*from 0 to 1/);
    expect(existsSync(x)).toBe(false);
    const exists = await halo(["reduce", "-i", catalog, "-o", join(dir.path, "halos.zarr")]);
    expect(exists.status).toBe(2);
    expect(exists.stderr).toMatch(/OutputExistsError.*halos\.zarr/);
    expect(exists.stderr.trim().split("\n")).toHaveLength(1);
  });
});
