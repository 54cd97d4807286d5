import { describe, expect, it } from "vitest";
import { HaloError } from "../errors.js";
import { catalogRows, ReduceError, type UnknownColumnError } from "./catalog.js";
import { massCut, selectColumns } from "./mass-cut.js";

const catalog = () => ({
  fof_halo_tag: BigInt64Array.from([10n, 11n, 12n, 13n, 14n, 2n ** 62n]),
  fof_halo_mass: Float32Array.from([2 ** 40, 5 * 2 ** 40, 2 ** 43, Number.NaN, 2 ** 47, 2 ** 36]), // exact in float32
  fof_halo_count: Int32Array.from([10, 50, 100, 0, 2000, 1]),
  sod_halo_M200c: Float64Array.from([0.9e12, 4e12, 8e12, 0, 1.5e14, 0]),
});

describe("massCut", () => {
  it("keeps min ≤ M < max with every column aligned (hand-counted)", () => {
    const out = massCut(catalog(), { min: 5 * 2 ** 40, max: 2 ** 47 });
    expect([...out.fof_halo_tag]).toEqual([11n, 12n]);
    expect([...out.fof_halo_count]).toEqual([50, 100]);
    expect([...out.sod_halo_M200c]).toEqual([4e12, 8e12]);
    expect(out.fof_halo_mass).toBeInstanceOf(Float32Array);
    expect(out.fof_halo_tag).toBeInstanceOf(BigInt64Array);
    // open bounds; NaN never kept
    expect([...massCut(catalog(), { min: 2 ** 43 }).fof_halo_tag]).toEqual([12n, 14n]);
    expect([...massCut(catalog(), { max: 2 ** 40 }).fof_halo_tag]).toEqual([2n ** 62n]);
    // bounds compare with the stored float32 values: fround(5e12) = 4999999913984 < 5e12
    const f32 = { fof_halo_mass: Float32Array.from([5e12]) };
    expect(massCut(f32, { min: 5e12 }).fof_halo_mass.length).toBe(0);
    expect(massCut(f32, { min: Math.fround(5e12) }).fof_halo_mass.length).toBe(1);
    expect(catalogRows(massCut(catalog()))).toBe(5);
    // another column, including a 64-bit one
    expect([...massCut(catalog(), { column: "sod_halo_M200c", min: 1e12 }).fof_halo_count]).toEqual([
      50, 100, 2000,
    ]);
    expect([...massCut(catalog(), { column: "fof_halo_tag", min: 12, max: 14 }).fof_halo_count]).toEqual([
      100, 0,
    ]);
    // an empty result keeps the columns
    const none = massCut(catalog(), { min: 1e16 });
    expect(Object.keys(none)).toEqual(Object.keys(catalog()));
    expect(none.fof_halo_mass.length).toBe(0);
  });

  it("does not alter the input", () => {
    const c = catalog();
    massCut(c, { min: 2 ** 43 });
    expect(c.fof_halo_mass.length).toBe(6);
  });

  it("rejects unknown columns, misaligned catalogs and bad bounds, naming the field", () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(HaloError);
        expect(e).toBeInstanceOf(ReduceError);
        return [(e as ReduceError).constructor.name, (e as ReduceError).field];
      }
      return "no error";
    };
    expect(err(() => massCut(catalog(), { column: "fof_halo_mas" }))).toEqual([
      "UnknownColumnError",
      "column",
    ]);
    expect(err(() => massCut({ ...catalog(), x: new Float32Array(2) }))).toEqual([
      "ReduceError",
      "columns.x",
    ]);
    expect(err(() => massCut({ ...catalog(), x: [1, 2] as never }))).toEqual(["ReduceError", "columns.x"]);
    expect(err(() => massCut(catalog(), { min: Number.NaN }))).toEqual(["ReduceError", "min"]);
    expect(err(() => massCut(catalog(), { min: 2, max: 1 }))).toEqual(["ReduceError", "min"]);
    expect(err(() => selectColumns(catalog(), ["fof_halo_mass", "nope"]))).toEqual([
      "UnknownColumnError",
      "names[1]",
    ]);
    expect(err(() => selectColumns(catalog(), ["fof_halo_mass", "fof_halo_mass"]))).toEqual([
      "ReduceError",
      "names[1]",
    ]);
    try {
      massCut(catalog(), { column: "fof_halo_mas" });
    } catch (e) {
      expect((e as UnknownColumnError).expected).toContain("fof_halo_mass");
      expect((e as UnknownColumnError).message).toContain("fof_halo_mas");
    }
  });
});

describe("selectColumns", () => {
  it("keeps the named columns in the given order, sharing the arrays", () => {
    const c = catalog();
    const out = selectColumns(c, ["fof_halo_mass", "fof_halo_tag"]);
    expect(Object.keys(out)).toEqual(["fof_halo_mass", "fof_halo_tag"]);
    expect(out.fof_halo_mass).toBe(c.fof_halo_mass);
  });
});
