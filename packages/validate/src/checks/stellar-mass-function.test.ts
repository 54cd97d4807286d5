import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cosmology, OUTER_RIM } from "@tessera/cosmology";
import { writeCatalogCsv } from "@tessera/halo";
import { sharedData, sharedDataRoot, tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCatalog } from "../catalog/catalog.js";
import { mockGalaxies } from "../mock/mock-galaxies.js";
import { liWhite2009, moustakas2013 } from "./smf-references.js";
import { StellarMassFunctionTest } from "./stellar-mass-function.js";
import { rng, tinkerHaloMasses } from "./test-helpers.js";

const lw = sharedData("cosmo/descqa/SMF/liwhite_2009/Li_White_2009_GSMF.txt");
const dir = tempDir("validate-smf-");
afterAll(() => dir.cleanup());
const BOX = 150;
const ctx = { dataDir: sharedDataRoot };

/** Halos from Tinker 2008 (Outer Rim, z = 0), 10^10.8–10^15.5 M☉/h, Poisson in 0.01-dex slices, uniform positions. */
function halos() {
  const u = rng(11);
  const mass = tinkerHaloMasses(u, { box: BOX, z: 0, log10Min: 10.8, log10Max: 15.5, step: 0.01 });
  const n = mass.length;
  const coord = () => Float64Array.from({ length: n }, () => u() * BOX);
  return {
    fof_halo_tag: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 7n + 3n),
    fof_halo_mass: Float64Array.from(mass),
    fof_halo_center_x: coord(),
    fof_halo_center_y: coord(),
    fof_halo_center_z: coord(),
  };
}

beforeAll(async () => {
  const { galaxies } = mockGalaxies(halos(), {
    relation: "moster13",
    redshift: 0,
    cosmology: cosmology(OUTER_RIM),
    scatterDex: 0.15,
    seed: 1,
    boxSize: BOX,
  });
  await writeCatalogCsv(join(dir.path, "gal.csv"), {
    galaxy_id: galaxies.galaxy_id,
    stellar_mass: galaxies.stellar_mass,
  });
  writeFileSync(
    join(dir.path, "gal.yaml"),
    `reader: csv
files: gal.csv
cosmology: OUTER_RIM
boxSize: ${BOX}
redshift: 0
quantities:
  galaxy_id: galaxy_id
  stellar_mass: { column: stellar_mass, unit: Msun }
derived:
  stellar_mass_x2: stellar_mass * 2
`,
  );
}, 20_000);

describe.skipIf(!lw.available)("StellarMassFunctionTest", () => {
  it("reads the references with their golden values", () => {
    const l = liWhite2009(sharedDataRoot);
    expect(l.phi.length).toBe(39);
    expect([l.binLo[0], l.binHi[0], l.phi[0], l.phiError[0]]).toEqual([8, 8.1, 0.0607841, 0.00627045]);
    const m = moustakas2013(sharedDataRoot);
    expect(m.phi.length).toBe(31);
    expect(Math.log10(m.phi[10])).toBeCloseTo(-2.234, 10);
    expect(m.binLo[10]).toBeCloseTo(9.95, 10);
  });

  it("a Moster 2013 mock passes vs Li & White 2009 and Moustakas 2013", async () => {
    const cat = await openCatalog(join(dir.path, "gal.yaml"));
    for (const reference of ["li-white-2009", "moustakas-2013"] as const) {
      const r = await new StellarMassFunctionTest({ reference }).run(cat, ctx);
      console.log(`SMF ${reference}: ${r.summary}`);
      expect(r.status).toBe("PASSED");
      expect(r.criterion).toContain("χ²/dof < 2");
    }
  });

  it("fails when the stellar masses are doubled (+0.3 dex)", async () => {
    const cat = await openCatalog(join(dir.path, "gal.yaml"));
    for (const reference of ["li-white-2009", "moustakas-2013"] as const) {
      const r = await new StellarMassFunctionTest({ reference, massQuantity: "stellar_mass_x2" }).run(
        cat,
        ctx,
      );
      console.log(`SMF ${reference} ×2: ${r.summary}`);
      expect(r.status).toBe("FAILED");
    }
  });

  it("errors (not crashes) on a missing reference folder", async () => {
    const cat = await openCatalog(join(dir.path, "gal.yaml"));
    const r = await new StellarMassFunctionTest().run(cat, { dataDir: join(dir.path, "nowhere") });
    expect(r.status).toBe("ERROR");
    expect(r.summary).toContain("ReferenceDataError");
  });
});
