/** Small generated catalogs for the runner, report and CLI tests (not part of the public API). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { OUTER_RIM } from "@tessera/cosmology";
import { writeCatalogZarr } from "@tessera/halo";
import { rng, tinkerHaloMasses } from "../checks/test-helpers.js";
import { mockGalaxies } from "../mock/mock-galaxies.js";

export const BOX = 200;
export const Z = 0;

/** Halos drawn from Tinker 2008 dn/dlog10M (Outer Rim, z = 0) in 10^12.3–10^15 M☉/h, uniform positions. */
export function drawHalos(seed: number) {
  const u = rng(seed);
  const mass = tinkerHaloMasses(u, { box: BOX, z: Z, log10Min: 12.3, log10Max: 15, step: 0.01 });
  const n = mass.length;
  const coord = () => Float64Array.from({ length: n }, () => u() * BOX);
  return {
    fof_halo_tag: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) + 1n),
    fof_halo_mass: Float64Array.from(mass),
    fof_halo_center_x: coord(),
    fof_halo_center_y: coord(),
    fof_halo_center_z: coord(),
  };
}

function yaml(dir: string, name: string, zarr: string, stellar: boolean): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `reader: zarr
files: ${zarr}
cosmology: OUTER_RIM
boxSize: ${BOX}
redshift: ${Z}
quantities:
  halo_id: fof_halo_tag
  halo_mass: { column: fof_halo_mass, unit: Msun/h }
  x: { column: fof_halo_center_x, unit: Mpc/h }
  y: { column: fof_halo_center_y, unit: Mpc/h }
  z: { column: fof_halo_center_z, unit: Mpc/h }
${stellar ? "  stellar_mass: { column: stellar_mass, unit: Msun }\n" : ""}`,
  );
  return path;
}

/**
 * Write two catalogs under `dir`: `good.yaml` (halos from the mass function, each with a Moster 2013
 * central's stellar mass) and `bad.yaml` (the same halos with NaN masses and duplicate ids).
 */
export async function writeFixtureCatalogs(
  dir: string,
): Promise<{ good: string; bad: string; rows: number }> {
  const halos = drawHalos(7);
  const { galaxies } = mockGalaxies(halos, {
    relation: "moster13",
    redshift: Z,
    cosmology: OUTER_RIM,
    seed: 1,
    boxSize: BOX,
  });
  const good = { ...halos, stellar_mass: galaxies.stellar_mass };
  await writeCatalogZarr(join(dir, "good.zarr"), good, { compressor: null });
  const bad = {
    ...good,
    fof_halo_mass: good.fof_halo_mass.slice(),
    fof_halo_tag: good.fof_halo_tag.slice(),
  };
  for (let i = 0; i < bad.fof_halo_mass.length; i += 50) bad.fof_halo_mass[i] = Number.NaN;
  for (let i = 1; i < bad.fof_halo_tag.length; i += 100) bad.fof_halo_tag[i] = bad.fof_halo_tag[i - 1];
  await writeCatalogZarr(join(dir, "bad.zarr"), bad, { compressor: null });
  return {
    good: yaml(dir, "good.yaml", "good.zarr", true),
    bad: yaml(dir, "bad.yaml", "bad.zarr", true),
    rows: halos.fof_halo_mass.length,
  };
}

/** Write the four test configs under `dir`; returns their paths. */
export function writeFixtureTests(dir: string): string[] {
  const files: Record<string, string> = {
    "hmf.yaml": "test: halo-mass-function\nbins: { min: 12.5, max: 14.5, count: 8 }\nthreshold: 3\n",
    "smf.yaml": "test: stellar-mass-function\n",
    "nz.yaml": "test: nz\n",
    "readiness.yaml": "test: readiness\n",
  };
  return Object.entries(files).map(([name, text]) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  });
}

/** The shared data folder (`$TESSERA_SHARED_DATA`, else `shared/data` beside the repository). */
export const SHARED_DATA =
  process.env.TESSERA_SHARED_DATA ?? fileURLToPath(new URL("../../../../../shared/data", import.meta.url));
