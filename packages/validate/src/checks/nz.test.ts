import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeCatalogCsv } from "@tessera/halo";
import { sharedData, sharedDataRoot, tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCatalog } from "../catalog/catalog.js";
import { coil2004Table3, NzTest, z0FromMean } from "./nz.js";
import { rng } from "./test-helpers.js";

const deep2 = sharedData("cosmo/descqa/N_z/DEEP2/Coil_et_al_2004_Table3_i.txt");
const dir = tempDir("validate-nz-");
afterAll(() => dir.cleanup());
const ctx = { dataDir: sharedDataRoot };
const PER_BIN = 3000;

/** Independent truth: per DEEP2 bin, magnitudes uniform in [Ilo, Ihi) and z = −z0 Σ₃ ln u (a Gamma(3, z0) draw: N ∝ z² e^(−z/z0)). */
async function write(name: string, z0Factor: number) {
  const u = rng(5);
  const { bins } = coil2004Table3(sharedDataRoot);
  const mag: number[] = [];
  const zs: number[] = [];
  for (const b of bins) {
    for (let k = 0; k < PER_BIN; k++) {
      mag.push(b.magLo + u() * (b.magHi - b.magLo));
      zs.push(-b.z0 * z0Factor * Math.log((1 - u()) * (1 - u()) * (1 - u())));
    }
  }
  await writeCatalogCsv(join(dir.path, `${name}.csv`), {
    galaxy_id: BigInt64Array.from(mag, (_, i) => BigInt(i)),
    mag_i: Float64Array.from(mag),
    z_obs: Float64Array.from(zs),
  });
  writeFileSync(
    join(dir.path, `${name}.yaml`),
    `reader: csv\nfiles: ${name}.csv\nquantities:\n  galaxy_id: galaxy_id\n  mag_i: { column: mag_i, unit: mag }\n  redshift: z_obs\n`,
  );
}

beforeAll(async () => {
  if (!deep2.available) return;
  await write("good", 1);
  await write("wrong", 1.15);
  await writeCatalogCsv(join(dir.path, "halos.csv"), { m: new Float64Array([1e12, 1e13]) });
  writeFileSync(
    join(dir.path, "halos.yaml"),
    "reader: csv\nfiles: halos.csv\nredshift: 0.5\nquantities:\n  halo_mass: { column: m, unit: Msun/h }\n",
  );
}, 20_000);

describe.skipIf(!deep2.available)("NzTest", () => {
  it("z0 from a (truncated) mean inverts the Gamma(3) mean", () => {
    expect(z0FromMean(0.9)).toBeCloseTo(0.3, 12);
    // truncated at zMax: numerically integrated mean of z² e^(−z/0.3) on [0, 0.8]
    let num = 0;
    let den = 0;
    for (let i = 0; i < 80_000; i++) {
      const z = (i + 0.5) * 1e-5;
      const w = z * z * Math.exp(-z / 0.3);
      num += z * w;
      den += w;
    }
    expect(z0FromMean(num / den, 0.8)).toBeCloseTo(0.3, 6);
  });

  it("is SKIPPED with a reason on a catalog without magnitudes", async () => {
    const r = await new NzTest().run(await openCatalog(join(dir.path, "halos.yaml")), ctx);
    expect(r.status).toBe("SKIPPED");
    expect(r.summary).toContain("no mag_i quantity");
    expect(r.score).toBeNull();
    expect(r.criterion).toContain("χ²/dof < 2");
  });

  it("passes on N(z) drawn with DEEP2's z0 and fails with z0 × 1.15", async () => {
    const good = await new NzTest({ chunkRows: 4000 }).run(
      await openCatalog(join(dir.path, "good.yaml")),
      ctx,
    );
    console.log(`Nz DEEP2 z0: ${good.summary}`);
    expect(good.status).toBe("PASSED");
    expect((good.data as { dof: number }).dof).toBe(6);
    const wrong = await new NzTest().run(await openCatalog(join(dir.path, "wrong.yaml")), ctx);
    console.log(`Nz z0 × 1.15: ${wrong.summary}`);
    expect(wrong.status).toBe("FAILED");
  });
});
