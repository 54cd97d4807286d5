/** `tessera validate run` (catalogs × tests → report) and `tessera validate mock` (galaxies from halos). */
import { resolve } from "node:path";
import { ExitCode, parse } from "@tessera/cli";
import { type Catalog as HaloCatalog, writeCatalogZarr } from "@tessera/halo";
import { startProgressBar } from "@tessera/volume";
import { Command, Option } from "commander";
import { openCatalog } from "../catalog/catalog.js";
import { catalogBoxSize, catalogCosmology, catalogRedshift } from "../checks/catalog-info.js";
import type { HaloColumns } from "../mock/columns.js";
import { ZHENG07_MR20 } from "../mock/hod.js";
import { mockGalaxies } from "../mock/mock-galaxies.js";
import { type CatalogInput, runValidation } from "../runner/runner.js";
import { type LoadedTest, loadTestConfig } from "../runner/test-config.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `--catalog name=path.yaml` names the catalog's row; a plain path uses the file name. */
export function parseCatalogArg(arg: string): CatalogInput {
  const eq = arg.indexOf("=");
  if (eq > 0 && !/\.ya?ml$/i.test(arg.slice(0, eq)))
    return { name: arg.slice(0, eq), path: arg.slice(eq + 1) };
  return { path: arg };
}

interface RunOptions {
  catalog: string[];
  test: string[];
  out: string;
  overwrite?: boolean;
  dataDir?: string;
}

interface MockOptions {
  halos: string;
  out: string;
  relation: "moster13" | "behroozi13";
  seed: number;
  scatter: number;
  hod?: boolean;
  overwrite?: boolean;
}

/** The `validate` command group. */
export function validateCommand(): Command {
  const validate = new Command("validate")
    .description(
      "DESCQA-style validation of halo and galaxy catalogs: run tests, write a static report, paint mock galaxies",
    )
    .addHelpText(
      "after",
      `
Examples:
  $ tessera validate run --catalog halos.yaml --test hmf.yaml --test readiness.yaml --out report/
  $ tessera validate mock --halos halos.yaml --out galaxies.zarr --relation moster13 --seed 1`,
    );

  validate
    .command("run")
    .description(
      "run every test on every catalog: <out>/<catalog>/<test>/ per cell (status.json, data.json, plots, log), summary.json and index.html",
    )
    .requiredOption(
      "--catalog <yaml>",
      "catalog config (repeatable; `name=path.yaml` sets the row name)",
      collect,
    )
    .requiredOption("--test <yaml>", "test config: `test: <kind>` and its keys (repeatable)", collect)
    .requiredOption("--out <dir>", "report folder")
    .option("--overwrite", "replace an earlier report in --out")
    .option(
      "--data-dir <dir>",
      "shared data folder with cosmo/descqa (default $TESSERA_SHARED_DATA or ../shared/data)",
    )
    .addHelpText(
      "after",
      `
Test kinds: halo-mass-function, stellar-mass-function, nz, readiness (keys: see the package README).
Exit status: 0 every cell ran (some may have FAILED), 1 some cell is ERROR, 2 bad input (file, key, line named).

Examples:
  $ tessera validate run --catalog halos.yaml --test hmf.yaml --out report/
  $ tessera validate run --catalog outer-rim=halos.yaml --catalog galaxies.yaml --test hmf.yaml --test smf.yaml --test readiness.yaml --out report/ --overwrite`,
    )
    .action(async (opts: RunOptions) => {
      const catalogs = opts.catalog.map(parseCatalogArg);
      // check every config (schema, units, expressions, files) before running anything: bad input
      // exits 2 naming the file, key and line
      for (const c of catalogs) await openCatalog(c.path);
      const tests: LoadedTest[] = [];
      for (const t of opts.test) tests.push(await loadTestConfig(t));
      const bar = startProgressBar("validate", "cells");
      let summary: Awaited<ReturnType<typeof runValidation>>;
      try {
        summary = await runValidation({
          catalogs,
          tests,
          out: opts.out,
          overwrite: opts.overwrite,
          dataDir: opts.dataDir ? resolve(opts.dataDir) : undefined,
          onProgress: bar.update,
        });
      } finally {
        bar.stop();
      }
      const counts = Object.entries(summary.counts)
        .filter(([, n]) => n > 0)
        .map(([s, n]) => `${n} ${s}`)
        .join(", ");
      process.stdout.write(
        `validated ${summary.catalogs.length} catalogs × ${summary.tests.length} tests: ${counts} in ${summary.seconds.toFixed(1)} s\nreport: ${resolve(summary.out, "index.html")}\n`,
      );
      for (const c of summary.cells.filter((x) => x.status === "ERROR")) {
        process.stderr.write(
          `ERROR ${c.catalog} × ${c.test}: see ${resolve(summary.out, c.dir, "status.json")}\n`,
        );
      }
      if (summary.counts.ERROR > 0) process.exitCode = ExitCode.workFailed;
    });

  validate
    .command("mock")
    .description(
      "paint galaxies onto a halo catalog (SHMR centrals, optional Zheng 2007 HOD satellites) and write them as zarr",
    )
    .requiredOption(
      "--halos <yaml>",
      "halo catalog config (halo_id, halo_mass, x, y, z; vx.., halo_vdisp, halo_radius used when present)",
    )
    .requiredOption("--out <zarr>", "output zarr group")
    .addOption(
      new Option("--relation <name>", "stellar-to-halo-mass relation")
        .choices(["moster13", "behroozi13"])
        .default("moster13"),
    )
    .option("--seed <n>", "seed of the scatter and satellites", parse.integer(0, 2 ** 32 - 1, "1"), 0)
    .option(
      "--scatter <dex>",
      "log-normal scatter of log M* at fixed halo mass",
      parse.number(0, 2, "0.15"),
      0.15,
    )
    .option("--hod", "add Zheng 2007 (Mr < -20) satellites on NFW profiles")
    .option("--overwrite", "replace an existing output")
    .addHelpText(
      "after",
      `
Examples:
  $ tessera validate mock --halos halos.yaml --out galaxies.zarr --relation moster13
  $ tessera validate mock --halos halos.yaml --out galaxies.zarr --relation behroozi13 --seed 7 --scatter 0.2 --hod`,
    )
    .action(async (opts: MockOptions) => {
      const started = performance.now();
      const catalog = await openCatalog(opts.halos);
      const want = ["halo_id", "halo_mass", "x", "y", "z"];
      const optional = ["vx", "vy", "vz", "halo_vdisp", "halo_radius"].filter((q) =>
        catalog.quantities.includes(q),
      );
      const parts: Record<string, ArrayLike<number | bigint>[]> = {};
      for await (const chunk of catalog.iterate({ quantities: [...want, ...optional] })) {
        for (const [k, v] of Object.entries(chunk as unknown as Record<string, ArrayLike<number | bigint>>)) {
          (parts[k] ??= []).push(v);
        }
      }
      const halos = Object.fromEntries(Object.entries(parts).map(([k, arrays]) => [k, concat(arrays)]));
      const redshift = catalogRedshift(catalog, "validate mock");
      const cosmology = catalogCosmology(catalog, "validate mock");
      const boxSize = catalogBoxSize(catalog, "validate mock");
      const { galaxies, provenance } = mockGalaxies(halos as HaloColumns, {
        relation: opts.relation,
        redshift,
        cosmology,
        scatterDex: opts.scatter,
        seed: opts.seed,
        boxSize,
        hod: opts.hod ? { ...ZHENG07_MR20 } : undefined,
        columns: {
          id: "halo_id",
          mass: "halo_mass",
          center: ["x", "y", "z"],
          ...(optional.includes("vz") ? { velocity: ["vx", "vy", "vz"] as [string, string, string] } : {}),
          ...(optional.includes("halo_vdisp") ? { velocityDispersion: "halo_vdisp" } : {}),
          ...(optional.includes("halo_radius") ? { radius: "halo_radius" } : {}),
        },
        inputs: [resolve(opts.halos), ...catalog.files],
      });
      const written = await writeCatalogZarr(resolve(opts.out), galaxies as unknown as HaloCatalog, {
        overwrite: opts.overwrite,
        provenance: {
          tool: "@tessera/validate",
          operation: "tessera validate mock",
          inputs: [resolve(opts.halos), ...catalog.files],
          parameters: {
            relation: opts.relation,
            seed: opts.seed,
            scatterDex: opts.scatter,
            hod: opts.hod ?? false,
          },
        },
        attrs: { redshift, boxSize, mock: provenance },
      });
      process.stdout.write(
        `wrote ${written.rows} galaxies (${opts.relation}${opts.hod ? " + HOD satellites" : ""}) from ${halos.halo_mass?.length ?? 0} halos → ${written.path} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );
    });
  return validate;
}

function concat(arrays: ArrayLike<number | bigint>[]): ArrayLike<number | bigint> {
  if (arrays.length === 1) return arrays[0];
  const n = arrays.reduce((s, a) => s + a.length, 0);
  const Ctor = (
    arrays[0] as unknown as {
      constructor: new (n: number) => { set(a: ArrayLike<unknown>, o: number): void };
    }
  ).constructor;
  const out = new Ctor(n);
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out as unknown as ArrayLike<number | bigint>;
}
