import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeCatalogCsv } from "@tessera/halo";
import { tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidateError } from "../errors.js";
import { openCatalog } from "./catalog.js";
import {
  CatalogColumnError,
  CatalogConfigError,
  CatalogError,
  CatalogFileError,
  ExpressionError,
  UnitError,
  UnknownQuantityError,
} from "./errors.js";

const dir = tempDir("validate-config-");
afterAll(() => dir.cleanup());
beforeAll(async () => {
  await writeCatalogCsv(join(dir.path, "h.csv"), {
    mass: new Float64Array([1e12, 2e13]),
    px: new Float64Array([1, 2]),
  });
});

/** A config whose lines are numbered: line 1 is `reader: csv`. */
const GOOD = [
  "reader: csv", // 1
  "files: h.csv", // 2
  "cosmology: PLANCK18", // 3
  "quantities:", // 4
  "  halo_mass: { column: mass, unit: Msun/h }", // 5
  "  x:", // 6
  "    column: px", // 7
  "    unit: Mpc/h", // 8
  "derived:", // 9
  "  log_mass: log10(halo_mass)", // 10
  "filters:", // 11
  "  - halo_mass > 1e11", // 12
];

async function failure(lines: string[], name: string): Promise<CatalogError> {
  const path = join(dir.path, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  try {
    await openCatalog(path);
  } catch (e) {
    expect(e).toBeInstanceOf(CatalogError);
    expect(e).toBeInstanceOf(ValidateError);
    const err = e as CatalogError;
    expect(err.file).toBe(path);
    expect(err.message).toContain(path);
    return err;
  }
  throw new Error("expected the config to fail");
}

const edit = (i: number, line: string) => GOOD.map((l, k) => (k === i - 1 ? line : l));

describe("catalog config errors name the file, the key and the line", () => {
  it("the good config opens and reads", async () => {
    writeFileSync(join(dir.path, "good.yaml"), `${GOOD.join("\n")}\n`);
    const cat = await openCatalog(join(dir.path, "good.yaml"));
    const got: number[] = [];
    for await (const c of cat.iterate({ quantities: ["log_mass"] }))
      got.push(...(c.log_mass as Float64Array));
    expect(got).toEqual([12, Math.log10(2e13)]);
  });

  it("unknown quantity", async () => {
    const e = await failure(edit(6, "  xx:"), "unknown.yaml");
    expect(e).toBeInstanceOf(UnknownQuantityError);
    expect([e.key, e.line]).toEqual(["quantities.xx", 6]);
    expect(e.expected).toMatch(/closest: .*\bx\b/);
  });

  it("unknown symbol in a derived quantity, and in a filter", async () => {
    const d = await failure(edit(10, "  log_mass: log10(halo_mas)"), "symbol.yaml");
    expect(d).toBeInstanceOf(UnknownQuantityError);
    expect([d.key, d.line]).toEqual(["derived.log_mass", 10]);
    const f = await failure(edit(12, "  - stellar_mass > 1e11"), "symbol2.yaml");
    expect(f).toBeInstanceOf(UnknownQuantityError);
    expect([f.key, f.line]).toEqual(["filters[0]", 12]);
  });

  it("bad expression (syntax, unknown function, a filter that is no condition)", async () => {
    const s = await failure(edit(10, "  log_mass: log10(halo_mass"), "syntax.yaml");
    expect(s).toBeInstanceOf(ExpressionError);
    expect([s.key, s.line]).toEqual(["derived.log_mass", 10]);
    const fn = await failure(edit(10, "  log_mass: lg(halo_mass)"), "fn.yaml");
    expect(fn).toBeInstanceOf(ExpressionError);
    expect(fn.message).toMatch(/unknown function lg/);
    const c = await failure(edit(12, "  - halo_mass * 2"), "cond.yaml");
    expect(c).toBeInstanceOf(ExpressionError);
    expect([c.key, c.line]).toEqual(["filters[0]", 12]);
  });

  it("inconsistent units: a config unit of the wrong dimension, a missing unit, mixed units in an expression", async () => {
    const u = await failure(edit(8, "    unit: km/s"), "unit.yaml");
    expect(u).toBeInstanceOf(UnitError);
    expect([u.key, u.line]).toEqual(["quantities.x.unit", 8]);
    expect(u.found).toMatch(/km\/s \(velocity\)/);
    const unknownUnit = await failure(edit(8, "    unit: parsec"), "unit2.yaml");
    expect(unknownUnit).toBeInstanceOf(UnitError);
    expect(unknownUnit.line).toBe(8);
    const missing = await failure(edit(5, "  halo_mass: { column: mass }"), "unit3.yaml");
    expect(missing).toBeInstanceOf(UnitError);
    expect([missing.key, missing.line]).toEqual(["quantities.halo_mass", 5]);
    const mixed = await failure(edit(12, "  - halo_mass + x > 1"), "unit4.yaml");
    expect(mixed).toBeInstanceOf(UnitError);
    expect([mixed.key, mixed.line]).toEqual(["filters[0]", 12]);
    const noH = await failure(
      edit(3, "description: no cosmology").map((l, k) =>
        k === 4 ? "  halo_mass: { column: mass, unit: Msun }" : l,
      ),
      "unit5.yaml",
    );
    expect(noH).toBeInstanceOf(UnitError);
    expect([noH.key, noH.line]).toEqual(["quantities.halo_mass.unit", 5]);
  });

  it("missing file, missing column", async () => {
    const f = await failure(edit(2, "files: nothing-*.csv"), "missing.yaml");
    expect(f).toBeInstanceOf(CatalogFileError);
    expect([f.key, f.line]).toEqual(["files", 2]);
    const c = await failure(edit(7, "    column: pz"), "column.yaml");
    expect(c).toBeInstanceOf(CatalogColumnError);
    expect([c.key, c.line]).toEqual(["quantities.x.column", 7]);
    expect(c.dataFile).toBe(join(dir.path, "h.csv"));
    const bad = await failure(edit(1, "reader: genericio"), "reader.yaml");
    expect(bad).toBeInstanceOf(CatalogFileError);
    expect(bad.dataFile).toBe(join(dir.path, "h.csv"));
  });

  it("schema violations: unknown key, wrong type, bad reader, YAML syntax, cosmology", async () => {
    const k = await failure([...GOOD.slice(0, 3), "boxsize: 250", ...GOOD.slice(3)], "key.yaml");
    expect(k).toBeInstanceOf(CatalogConfigError);
    expect([k.key, k.line]).toEqual(["boxsize", 4]);
    const t = await failure([...GOOD, "redshift: high"], "type.yaml");
    expect([t.key, t.line]).toEqual(["redshift", 13]);
    const r = await failure(edit(1, "reader: fits"), "fits.yaml");
    expect([r.key, r.line]).toEqual(["reader", 1]);
    const y = await failure(edit(7, "    column: [px"), "yaml.yaml");
    expect(y).toBeInstanceOf(CatalogConfigError);
    expect(y.line).toBeGreaterThanOrEqual(7);
    const c = await failure(
      edit(3, "cosmology: { omegaC: 0.25, omegaB: 0.05, h: -1, nS: 0.96 }"),
      "cosmo.yaml",
    );
    expect(c).toBeInstanceOf(CatalogConfigError);
    expect(c.line).toBe(3);
  });

  it("bad iterate requests name the option", async () => {
    const cat = await openCatalog(join(dir.path, "good.yaml"));
    await expect(cat.iterate({ quantities: ["halo_mass", "vx"] }).next()).rejects.toMatchObject({
      name: "UnknownQuantityError",
      key: "iterate.quantities[1]",
    });
    await expect(
      cat.iterate({ quantities: ["halo_mass"], filters: ["halo_mass > x"] }).next(),
    ).rejects.toBeInstanceOf(UnitError);
  });
});
