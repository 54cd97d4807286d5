import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { openGenericIO } from "../genericio/read.js";
import type { Catalog } from "./catalog.js";
import { ReduceError } from "./catalog.js";
import { writeCatalogCsv } from "./output-csv.js";
import { PROVENANCE_SUFFIX } from "./output-files.js";
import { writeCatalogGenericIO } from "./output-genericio.js";
import { writeCatalogZarr } from "./output-zarr.js";
import { HALO_VERSION } from "./provenance.js";

const hasNumpy = pythonHas("numpy");
const hasZarr = pythonHas("zarr", "numpy");
const tmp = tempDir("tessera-outputs-");
afterAll(() => tmp.cleanup());

let dirCount = 0;
async function freshDir(): Promise<string> {
  const d = join(tmp.path, `d${dirCount++}`);
  await mkdir(d);
  return d;
}

/** A catalog with every awkward value: 64-bit ids beyond 2^53, float32 values that are not short decimals, −0, NaN. */
function catalog(n = 1000): Catalog {
  const tag = new BigInt64Array(n);
  const count = new Int32Array(n);
  const mass = new Float32Array(n);
  const cx = new Float64Array(n);
  const flag = new Uint8Array(n);
  const key = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    tag[i] = 2n ** 62n + BigInt(i) * 1234567891n - 7n;
    count[i] = (i * 7919) % 100000;
    mass[i] = 1e10 * (1 + i / 3);
    cx[i] = (i + 1) / 3 - 100;
    flag[i] = i % 3;
    key[i] = 2n ** 64n - 1n - BigInt(i);
  }
  tag[1] = -5n;
  mass[2] = 0.1;
  cx[3] = -0;
  cx[4] = Number.NaN;
  return { fof_halo_tag: tag, fof_halo_count: count, fof_halo_mass: mass, fof_halo_center_x: cx, flag, key };
}

const DTYPES: Record<string, string> = {
  fof_halo_tag: "<i8",
  fof_halo_count: "<i4",
  fof_halo_mass: "<f4",
  fof_halo_center_x: "<f8",
  flag: "u1",
  key: "<u8",
};

/** Raw little-endian column files for the python checks. */
function rawColumns(dir: string, c: Catalog): string {
  const spec: Record<string, [string, string]> = {};
  for (const [name, col] of Object.entries(c)) {
    const f = join(dir, `${name}.raw`);
    writeFileSync(f, new Uint8Array(col.buffer, col.byteOffset, col.byteLength));
    spec[name] = [f, DTYPES[name]];
  }
  const f = join(dir, "spec.json");
  writeFileSync(f, JSON.stringify(spec));
  return f;
}

describe("writeCatalogGenericIO", () => {
  it("round-trips every column through our GenericIO reader, with a provenance sidecar", async () => {
    const dir = await freshDir();
    const path = join(dir, "m000-499.haloproperties");
    const c = catalog();
    const res = await writeCatalogGenericIO(path, c, {
      boxSize: 256,
      provenance: { inputs: ["m000-499.fofproperties"], parameters: { minMass: 1e12 } },
    });
    expect(res.rows).toBe(1000);
    const file = await openGenericIO(path);
    expect(file.variables.map((v) => `${v.name}:${v.type}`)).toEqual([
      "fof_halo_tag:i64",
      "fof_halo_count:i32",
      "fof_halo_mass:f32",
      "fof_halo_center_x:f64",
      "flag:u8",
      "key:u64",
    ]);
    expect(file.physScale).toEqual([256, 256, 256]);
    for (const [name, col] of Object.entries(c)) {
      const back = await file.readColumn(name);
      expect(back.constructor).toBe(col.constructor);
      expect(Buffer.from(back.buffer, back.byteOffset, back.byteLength).equals(Buffer.from(col.buffer))).toBe(
        true,
      );
    }
    await file.close();
    const prov = JSON.parse(readFileSync(path + PROVENANCE_SUFFIX, "utf8"));
    expect(prov.tool).toBe("@tessera/halo");
    expect(prov.version).toBe(HALO_VERSION);
    expect(HALO_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(prov.operation).toBe("writeCatalogGenericIO");
    expect(prov.inputs).toEqual(["m000-499.fofproperties"]);
    expect(prov.parameters).toMatchObject({ minMass: 1e12, boxSize: 256 });
    expect(Date.parse(prov.created)).toBeGreaterThan(Date.parse("2020-01-01"));
    expect(readdirSync(dir).sort()).toEqual([
      "m000-499.haloproperties",
      `m000-499.haloproperties${PROVENANCE_SUFFIX}`,
    ]);
  });

  it("leaves nothing behind when the writer fails", async () => {
    const dir = await freshDir();
    const bad = { ["x".repeat(300)]: new Float32Array(2) };
    await expect(writeCatalogGenericIO(join(dir, "out.gio"), bad)).rejects.toThrow(/variable name/);
    await expect(writeCatalogGenericIO(join(dir, "out.gio"), {})).rejects.toBeInstanceOf(ReduceError);
    await expect(
      writeCatalogGenericIO(join(dir, "out.gio"), { a: new Float32Array(2), b: new Float32Array(3) }),
    ).rejects.toMatchObject({ field: "columns.b" });
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("writeCatalogCsv", () => {
  it.skipIf(!hasNumpy)(
    "is read back exactly by python's csv module (floats, float32, int64, uint64)",
    async () => {
      const dir = await freshDir();
      const path = join(dir, "halos.csv");
      const c = catalog();
      await writeCatalogCsv(path, c, { batchRows: 77, provenance: { inputs: ["a.gio"] } });
      const spec = rawColumns(dir, c);
      const out = runPython(
        `
import sys, csv, json, math, numpy as np
spec = json.load(open(sys.argv[2]))
with open(sys.argv[1], newline="") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
bad = []
for j, name in enumerate(header):
    path, dt = spec[name]
    ref = np.fromfile(path, dtype=dt)
    if len(body) != len(ref): bad.append((name, "rows", len(body))); continue
    for i, row in enumerate(body):
        s, v = row[j], ref[i]
        if dt[-2] in "iu":
            ok = int(s) == int(v)
        else:
            x = float(s)
            ok = (math.isnan(x) and math.isnan(float(v))) or (x == float(v) and math.copysign(1, x) == math.copysign(1, float(v)))
            if dt == "<f4": ok = ok and (np.isnan(v) or np.float32(x) == v)
        if not ok: bad.append((name, i, s, str(v)))
print(json.dumps({"header": header, "rows": len(body), "bad": bad[:5], "nbad": len(bad)}))`,
        [path, spec],
      );
      const r = JSON.parse(out);
      expect(r.header).toEqual(Object.keys(c));
      expect(r.rows).toBe(1000);
      expect(r.bad).toEqual([]);
      const text = readFileSync(path, "utf8");
      expect(text.split("\n")[2]).toContain("-5,"); // row 1: tag −5
      expect(text).toContain(",0.10000000149011612,"); // float32 0.1 exactly
      expect(text).toContain(`${2n ** 64n - 1n}`);
      const prov = JSON.parse(readFileSync(path + PROVENANCE_SUFFIX, "utf8"));
      expect(prov).toMatchObject({ tool: "@tessera/halo", operation: "writeCatalogCsv", inputs: ["a.gio"] });
    },
  );

  it("quotes awkward header names and fails cleanly in a missing folder", async () => {
    const dir = await freshDir();
    const path = join(dir, "q.csv");
    await writeCatalogCsv(path, { 'a,"b"': new Int32Array([1, 2]) });
    expect(readFileSync(path, "utf8")).toBe('"a,""b"""\n1\n2\n');
    await expect(writeCatalogCsv(join(dir, "nope", "x.csv"), { a: new Int32Array(1) })).rejects.toThrow();
    expect(readdirSync(dir).sort()).toEqual(["q.csv", `q.csv${PROVENANCE_SUFFIX}`]);
  });
});

describe("writeCatalogZarr", () => {
  it.skipIf(!hasZarr)(
    "is opened by python zarr 2.13: dtypes, values, ASCII attributes with provenance",
    async () => {
      const dir = await freshDir();
      const path = join(dir, "halos.zarr");
      const c = catalog(2500);
      await writeCatalogZarr(path, c, {
        chunkRows: 1000,
        attrs: { step: 499, redshift: 0 },
        provenance: { inputs: ["café ρ.gio"], parameters: { Δ: 200 } },
      });
      for (const f of [".zattrs", "fof_halo_mass/.zattrs"]) {
        expect(
          readFileSync(join(path, f)).every((b) => b < 128),
          `${f} is ASCII`,
        ).toBe(true);
      }
      const spec = rawColumns(dir, c);
      const out = runPython(
        `
import sys, json, numpy as np, zarr
g = zarr.open_group(sys.argv[1], mode="r")
spec = json.load(open(sys.argv[2]))
res = {"attrs": g.attrs.asdict(), "arrays": {}}
for name, (path, dt) in spec.items():
    a = g[name]
    ref = np.fromfile(path, dtype=dt)
    same = bool(np.array_equal(a[:], ref, equal_nan=(dt[-2] == "f")))
    res["arrays"][name] = [a.dtype.str, list(a.shape), list(a.chunks), same, a.attrs.asdict()]
print(json.dumps(res))`,
        [path, spec],
      );
      const r = JSON.parse(out);
      for (const name of Object.keys(c)) {
        const [dtype, shape, chunks, same, attrs] = r.arrays[name];
        expect(dtype, name).toBe(DTYPES[name].replace(/^u1$/, "|u1"));
        expect(shape).toEqual([2500]);
        expect(chunks).toEqual([1000]);
        expect(same, `${name} values`).toBe(true);
        expect(attrs).toEqual({ _ARRAY_DIMENSIONS: ["row"] });
      }
      expect(r.attrs.step).toBe(499);
      expect(r.attrs.rows).toBe(2500);
      expect(r.attrs.columns).toEqual(Object.keys(c));
      expect(r.attrs.provenance).toMatchObject({
        tool: "@tessera/halo",
        version: HALO_VERSION,
        operation: "writeCatalogZarr",
        inputs: ["café ρ.gio"],
        parameters: { Δ: 200, chunkRows: 1000 },
      });
      expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    },
  );

  it("refuses an existing output unless overwrite, and leaves nothing half-written on failure", async () => {
    const dir = await freshDir();
    const path = join(dir, "h.zarr");
    await writeCatalogZarr(path, { a: new Float32Array([1, 2]) });
    await expect(writeCatalogZarr(path, { a: new Float32Array([3]) })).rejects.toMatchObject({
      field: "overwrite",
    });
    // a compressor the volume layer rejects fails after the group was started
    await expect(
      writeCatalogZarr(
        path,
        { b: new Float32Array([3]) },
        { overwrite: true, compressor: { id: "nope" } as never },
      ),
    ).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(["h.zarr"]);
    expect(readdirSync(path).sort()).toEqual([".zattrs", ".zgroup", "a"]);
    await writeCatalogZarr(path, { b: new Int32Array([3]) }, { overwrite: true });
    expect(readdirSync(path).sort()).toEqual([".zattrs", ".zgroup", "b"]);
    await expect(writeCatalogZarr(join(dir, "x.zarr"), { "../a": new Int32Array(1) })).rejects.toMatchObject({
      field: "columns.../a",
    });
    // an empty catalog is a valid group of empty arrays
    await writeCatalogZarr(join(dir, "e.zarr"), { a: new Float64Array(0) });
    expect(readdirSync(dir).sort()).toEqual(["e.zarr", "h.zarr"]);
  });
});
