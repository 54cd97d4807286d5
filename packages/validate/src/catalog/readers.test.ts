import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeCatalogCsv, writeCatalogGenericIO, writeCatalogZarr, writeGenericIO } from "@tessera/halo";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { type CatalogChunk, openCatalog } from "./catalog.js";

const dir = tempDir("validate-catalog-");
afterAll(() => dir.cleanup());

const N = 5000;
// Source arrays (the independent truth): mass in Msun (no h), positions in kpc/h, ids near 2^62.
const massMsun = Float32Array.from({ length: N }, (_, i) => 10 ** (10 + ((i * 7919) % N) / 1000));
const xKpcH = Float64Array.from({ length: N }, (_, i) => ((i * 37) % 1000) * 250.5);
const vx = Float32Array.from({ length: N }, (_, i) => Math.cos(i) * 500);
const tag = BigInt64Array.from({ length: N }, (_, i) => 2n ** 62n + BigInt(i) * 1000003n);
const H = 0.6766; // PLANCK18

function yaml(name: string, reader: string, files: string, extra = ""): string {
  const path = join(dir.path, name);
  writeFileSync(
    path,
    `reader: ${reader}
files: ${files}
cosmology: PLANCK18
boxSize: 250
redshift: 0.5
quantities:
  halo_mass: { column: fof_halo_mass, unit: Msun }
  x: { column: fof_halo_center_x, unit: kpc/h }
  vx: { column: fof_halo_mean_vx, unit: km/s }
  halo_id: fof_halo_tag
derived:
  log_mass: log10(halo_mass)
${extra}`,
  );
  return path;
}

async function readAll(config: string, chunkRows: number, filters: string[] = []) {
  const cat = await openCatalog(config);
  const parts: CatalogChunk[] = [];
  let maxRows = 0;
  for await (const c of cat.iterate({
    quantities: ["halo_mass", "x", "vx", "halo_id", "log_mass", "redshift"],
    filters,
    chunkRows,
  })) {
    maxRows = Math.max(maxRows, c.halo_mass.length);
    for (const k of Object.keys(c)) expect(c[k].length).toBe(c.halo_mass.length);
    parts.push(c);
  }
  const cat1 = (k: string) => parts.flatMap((p) => Array.from(p[k] as ArrayLike<number | bigint>));
  return { cat, maxRows, chunks: parts.length, get: cat1 };
}

function expectMatchesSource(r: Awaited<ReturnType<typeof readAll>>, rows: number[]) {
  const m = r.get("halo_mass");
  const x = r.get("x");
  const v = r.get("vx");
  const id = r.get("halo_id");
  const lm = r.get("log_mass");
  const z = r.get("redshift");
  expect(m.length).toBe(rows.length);
  rows.forEach((i, k) => {
    expect(m[k]).toBe(massMsun[i] * H); // Msun → Msun/h: ×h, computed in float64
    expect(x[k]).toBe(xKpcH[i] * 1e-3); // kpc/h → Mpc/h
    expect(v[k]).toBe(vx[i]);
    expect(id[k]).toBe(tag[i]); // exact 64-bit
    expect(lm[k]).toBe(Math.log10(massMsun[i] * H));
    expect(z[k]).toBe(0.5);
  });
}

const all = Array.from({ length: N }, (_, i) => i);
const columns = {
  fof_halo_mass: massMsun,
  fof_halo_center_x: xKpcH,
  fof_halo_mean_vx: vx,
  fof_halo_tag: tag,
};

describe("catalog readers read back what the halo writers and h5py wrote", () => {
  it("GenericIO: several ranks, chunks within a rank, unit conversion, exact ids", async () => {
    const ranks = [0, 1700, 1701, 3900, N].slice(0, -1).map((r0, k, a) => {
      const r1 = [1700, 1701, 3900, N][k];
      void a;
      return {
        columns: Object.fromEntries(Object.entries(columns).map(([n, c]) => [n, c.slice(r0, r1)])),
      };
    });
    await writeGenericIO(join(dir.path, "ranks.gio"), {
      variables: [
        { name: "fof_halo_mass", type: "f32" },
        { name: "fof_halo_center_x", type: "f64" },
        { name: "fof_halo_mean_vx", type: "f32" },
        { name: "fof_halo_tag", type: "i64" },
        { name: "unused", type: "f32" },
      ],
      ranks: ranks.map((r) => ({
        columns: { ...r.columns, unused: new Float32Array(r.columns.fof_halo_mass.length) },
      })),
    });
    const r = await readAll(yaml("gio.yaml", "genericio", "ranks.gio"), 1000);
    expect(r.maxRows).toBeLessThanOrEqual(1000);
    expect(r.chunks).toBe(2 + 1 + 3 + 2); // ranks of 1700, 1, 2199, 1100 rows
    expectMatchesSource(r, all);
    expect(r.cat.describe("halo_mass")).toMatchObject({ unit: "Msun/h", from: "fof_halo_mass" });
  });

  it("CSV: a pattern of per-step files with one redshift each, filters vs direct computation", async () => {
    for (const [k, [r0, r1]] of [
      [0, 2000],
      [2000, 2500],
      [2500, N],
    ].entries()) {
      await writeCatalogCsv(
        join(dir.path, `step${[2, 10, 1][k]}.csv`),
        Object.fromEntries(Object.entries(columns).map(([n, c]) => [n, c.slice(r0, r1)])),
      );
    }
    // natural order: step1 (rows 2500..), step2 (0..2000), step10 (2000..2500)
    const cfg = readFileSync(yaml("csv.yaml", "csv", '"step*.csv"'), "utf8").replace(
      "redshift: 0.5\n",
      "redshifts: [1, 2, 10]\n",
    );
    writeFileSync(join(dir.path, "csv2.yaml"), cfg);
    const cat = await openCatalog(join(dir.path, "csv2.yaml"));
    expect(cat.files.map((f) => f.split("/").pop())).toEqual(["step1.csv", "step2.csv", "step10.csv"]);
    const order = [...all.slice(2500), ...all.slice(0, 2000), ...all.slice(2000, 2500)];
    const stepZ = [...Array(N - 2500).fill(1), ...Array(2000).fill(2), ...Array(500).fill(10)];
    const filter = "halo_mass > 1e12 and abs(vx) < 300";
    const keep = order.filter((i) => massMsun[i] * H > 1e12 && Math.abs(vx[i]) < 300);
    expect(keep.length).toBeGreaterThan(500);
    expect(keep.length).toBeLessThan(N - 500);
    const got = { m: [] as number[], z: [] as number[], id: [] as bigint[] };
    for await (const c of cat.iterate({
      quantities: ["halo_mass", "redshift", "halo_id"],
      filters: [filter],
      chunkRows: 700,
    })) {
      expect(c.halo_mass.length).toBeLessThanOrEqual(700);
      got.m.push(...(c.halo_mass as Float64Array));
      got.z.push(...(c.redshift as Float64Array));
      got.id.push(...(c.halo_id as BigInt64Array));
    }
    expect(got.m).toEqual(keep.map((i) => massMsun[i] * H));
    expect(got.id).toEqual(keep.map((i) => tag[i]));
    expect(got.z).toEqual(keep.map((i) => stepZ[order.indexOf(i)]));
    // config filters + iterate filters AND together
    const r = await readAll(yaml("csvf.yaml", "csv", "step2.csv", "filters: [ 'x < 100' ]\n"), 512, [
      "log_mass >= 11.5",
    ]);
    const rows = all
      .slice(0, 2000)
      .filter((i) => xKpcH[i] * 1e-3 < 100 && Math.log10(massMsun[i] * H) >= 11.5);
    expectMatchesSource(r, rows);
  });

  it("zarr: a group of 1-D columns, chunks not aligned with the zarr chunks", async () => {
    await writeCatalogZarr(join(dir.path, "halos.zarr"), columns, { chunkRows: 777 });
    const r = await readAll(yaml("zarr.yaml", "zarr", "halos.zarr"), 1000);
    expect(r.maxRows).toBe(1000);
    expect(r.chunks).toBe(5);
    expectMatchesSource(r, all);
  });

  it("GenericIO written by writeCatalogGenericIO (one rank) reads back", async () => {
    await writeCatalogGenericIO(join(dir.path, "one.gio"), columns, { boxSize: 250 });
    const r = await readAll(yaml("gio1.yaml", "genericio", "one.gio"), 4096);
    expect(r.chunks).toBe(2);
    expectMatchesSource(r, all);
  });

  it.skipIf(!pythonHas("h5py", "numpy"))(
    "HDF5: 1-D datasets under a group, written by h5py, read as hyperslabs",
    async () => {
      // hand the arrays to python through raw files
      for (const [n, c] of Object.entries(columns))
        writeFileSync(join(dir.path, `${n}.bin`), new Uint8Array(c.buffer));
      runPython(
        `
import sys, numpy as np, h5py
d = sys.argv[1]
types = {"fof_halo_mass": "<f4", "fof_halo_center_x": "<f8", "fof_halo_mean_vx": "<f4", "fof_halo_tag": "<i8"}
with h5py.File(d + "/halos.h5", "w") as f:
    g = f.create_group("halos")
    for n, t in types.items():
        a = np.fromfile(d + "/" + n + ".bin", dtype=t)
        g.create_dataset(n, data=a, chunks=(600,), compression="gzip" if n != "fof_halo_tag" else None)
`,
        [dir.path],
      );
      const r = await readAll(yaml("h5.yaml", "hdf5", "halos.h5", "hdf5: { group: halos }\n"), 1000);
      expect(r.chunks).toBe(5);
      expectMatchesSource(r, all);
    },
  );
});
