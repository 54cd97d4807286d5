import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeCatalogCsv, writeCatalogZarr } from "@tessera/halo";
import { tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCatalog } from "../catalog/catalog.js";
import { type QuantityReadiness, ReadinessTest } from "./readiness.js";

const dir = tempDir("validate-ready-");
afterAll(() => dir.cleanup());
const N = 3000;

function halos(offset: number) {
  return {
    fof_halo_tag: BigInt64Array.from({ length: N }, (_, i) => 2n ** 60n + BigInt(offset + i)),
    fof_halo_mass: Float64Array.from({ length: N }, (_, i) => 1e12 * (1 + (i % 97))),
    x: Float64Array.from({ length: N }, (_, i) => (i * 7.3) % 100),
  };
}

function yaml(name: string, reader: string, files: string) {
  writeFileSync(
    join(dir.path, name),
    `reader: ${reader}\nfiles: "${files}"\nboxSize: 100\ncosmology: OUTER_RIM\nquantities:\n  halo_id: fof_halo_tag\n  halo_mass: { column: fof_halo_mass, unit: Msun/h }\n  x: { column: x, unit: Mpc/h }\n`,
  );
  return join(dir.path, name);
}

beforeAll(async () => {
  await writeCatalogCsv(join(dir.path, "clean-0.csv"), halos(0));
  await writeCatalogCsv(join(dir.path, "clean-1.csv"), halos(N));
  // duplicate ids across files: part 1 repeats the last id of part 0
  const dup = halos(N);
  dup.fof_halo_tag[N - 1] = 2n ** 60n + BigInt(N - 1);
  await writeCatalogCsv(join(dir.path, "dup-0.csv"), halos(0));
  await writeCatalogCsv(join(dir.path, "dup-1.csv"), dup);
  // NaN, +inf and out-of-range values (zarr)
  const bad = halos(0);
  bad.fof_halo_mass[10] = Number.NaN;
  bad.fof_halo_mass[2500] = Number.POSITIVE_INFINITY;
  bad.x[1234] = 100.5;
  bad.x[5] = -1;
  await writeCatalogZarr(join(dir.path, "bad.zarr"), bad, { chunkRows: 1000 });
  yaml("clean.yaml", "csv", "clean-*.csv");
  yaml("dup.yaml", "csv", "dup-*.csv");
  yaml("bad.yaml", "zarr", "bad.zarr");
});

const stats = (r: { data: Record<string, unknown> }) =>
  r.data.quantities as Record<string, QuantityReadiness>;

describe("ReadinessTest", () => {
  it("passes a clean two-file catalog and states units", async () => {
    const r = await new ReadinessTest({ chunkRows: 700 }).run(
      await openCatalog(join(dir.path, "clean.yaml")),
    );
    console.log(`readiness clean: ${r.summary}`);
    expect(r.status).toBe("PASSED");
    expect(r.score).toBe(0);
    expect(stats(r).halo_mass.unit).toBe("Msun/h");
    expect(stats(r).x.range).toEqual({ min: 0, max: 100 });
    expect(stats(r).halo_id.count).toBe(2 * N);
  });

  it("catches a duplicate id in another file and chunk", async () => {
    const r = await new ReadinessTest({ chunkRows: 500 }).run(await openCatalog(join(dir.path, "dup.yaml")));
    console.log(`readiness dup: ${r.summary}`);
    expect(r.status).toBe("FAILED");
    expect(stats(r).halo_id.duplicates).toBe(1);
    expect(stats(r).halo_id.firstDuplicate).toBe((2n ** 60n + BigInt(N - 1)).toString());
  });

  it("catches NaN, inf and out-of-range values", async () => {
    const r = await new ReadinessTest().run(await openCatalog(join(dir.path, "bad.yaml")));
    console.log(`readiness bad: ${r.summary}`);
    expect(r.status).toBe("FAILED");
    const s = stats(r);
    expect([s.halo_mass.nan, s.halo_mass.infinite]).toEqual([1, 1]);
    expect(s.halo_mass.finiteFraction).toBeCloseTo(1 - 2 / N, 12);
    expect(s.x.outOfRange).toBe(2);
    expect(r.score).toBe(2);
    // tolerances make the same catalog pass: the criterion is numeric and configurable
    const lax = await new ReadinessTest({ minFiniteFraction: 0.99, maxOutOfRange: 2 }).run(
      await openCatalog(join(dir.path, "bad.yaml")),
    );
    expect(lax.status).toBe("PASSED");
  });

  it("rejects unknown config keys and quantities", async () => {
    expect(() => new ReadinessTest({ ranges: { x: { mn: 0 } } })).toThrow(
      expect.objectContaining({ field: "ranges.x.mn" }),
    );
    const r = await new ReadinessTest({ quantities: ["vx"] }).run(
      await openCatalog(join(dir.path, "clean.yaml")),
    );
    expect(r.status).toBe("ERROR");
    expect(r.summary).toContain("quantities");
  });
});
