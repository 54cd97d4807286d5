/** `tessera halo properties`: the fof_halo_* (and sod_*) catalog of tagged halos of a particle file. */
import { readFile } from "node:fs/promises";
import { parse } from "@tessera/cli";
import { haccSteps } from "@tessera/cosmology";
import { startProgressBar } from "@tessera/volume";
import { logged, openRunLog } from "@tessera/volume/cli";
import { Command, Option } from "commander";
import type { Logger } from "pino";
import { type GenericIOFile, openGenericIO } from "../genericio/read.js";
import { sodProperties, sodReferenceDensities } from "../properties/sod.js";
import type { Catalog } from "../reduce/catalog.js";
import { PROVENANCE_SUFFIX } from "../reduce/output-files.js";
import {
  asIds,
  boxSizeOf,
  COSMOLOGIES,
  type CosmologyName,
  catalogFormat,
  checkDistinct,
  cosmologyOf,
  defaultLog,
  examples,
  HaloCliError,
  type HaloTags,
  halosFromTags,
  names,
  particleColumns,
  particleMassOf,
  positive,
  printSummary,
  readParticles,
  refuseExisting,
  round,
  sortTags,
  writeCatalogFile,
} from "./common.js";
import { haloCatalog } from "./halo-catalog.js";

/** Options of `halo properties`, as commander parses them. */
export interface PropertiesCliOptions {
  input: string;
  halos: string[];
  output: string;
  sod?: boolean;
  sodRadius?: number;
  redshift?: number;
  step?: number;
  cosmology: CosmologyName;
  box?: number;
  columns?: string[];
  particleMass?: number;
  softening?: number;
  seed: number;
  overwrite?: boolean;
  log?: string;
}

/** Read the member tags (id, fof_halo_tag) of one or more tag files. */
async function readTags(
  paths: readonly string[],
): Promise<{ tags: HaloTags; linkingLength?: number; particleMass?: number }> {
  const ids: BigInt64Array[] = [];
  const tags: BigInt64Array[] = [];
  let linkingLength: number | undefined;
  let particleMass: number | undefined;
  for (const path of paths) {
    const file: GenericIOFile = await openGenericIO(path);
    try {
      file.variable("fof_halo_tag");
      ids.push(asIds(await file.readColumn(file.variable("id").name), path, "id"));
      tags.push(asIds(await file.readColumn("fof_halo_tag"), path, "fof_halo_tag"));
    } finally {
      await file.close();
    }
    // the linking length and particle mass of the run that made the tags (defaults)
    const side = await readFile(`${path}${PROVENANCE_SUFFIX}`, "utf8").catch(() => undefined);
    let parameters: Record<string, unknown> | undefined;
    try {
      parameters = side ? JSON.parse(side)?.parameters : undefined;
    } catch {
      parameters = undefined;
    }
    const ell = Number(parameters?.linkingLength);
    if (Number.isFinite(ell) && ell > 0) linkingLength ??= ell;
    const m = Number(parameters?.particleMass);
    if (Number.isFinite(m) && m > 0) particleMass ??= m;
  }
  const concat = (parts: BigInt64Array[]) => {
    const out = new BigInt64Array(parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  return { tags: sortTags(concat(ids), concat(tags)), linkingLength, particleMass };
}

/** What `tessera halo properties` prints (one JSON line). */
export interface PropertiesSummary {
  output: string;
  halos: number;
  particles: number;
  particleMass: number;
  softening: number;
  sod?: {
    redshift: number;
    cosmology: string;
    searchRadius: number;
    saturated200c: number;
    saturated200m: number;
  };
  seconds: number;
}

/** Compute the catalog of the tagged halos and write it. */
export async function runProperties(opts: PropertiesCliOptions, log: Logger): Promise<PropertiesSummary> {
  const started = performance.now();
  const { tags, linkingLength, particleMass } = await readTags(opts.halos);
  const softening = opts.softening ?? (linkingLength === undefined ? undefined : 0.1 * linkingLength);
  if (softening === undefined) {
    throw new HaloCliError("the softening is unknown: the tags have no provenance with a linking length", {
      path: `${opts.halos[0]}${PROVENANCE_SUFFIX}`,
      field: "--softening",
      expected: "--softening <eps>, or tags written by `tessera halo fof`",
      found: "no linking length",
    });
  }
  const file = await openGenericIO(opts.input);
  try {
    const boxSize = boxSizeOf(file, opts.box);
    const columns = particleColumns(file, opts.columns);
    const bar = startProgressBar("read", "columns");
    const particles = await readParticles(file, columns, bar.update).finally(() => bar.stop());
    const mass = particleMassOf(opts.input, particles.count, boxSize, {
      given: opts.particleMass,
      mass: particles.mass,
      fromTags: particleMass,
      cosmology: opts.cosmology,
    });
    const halos = halosFromTags(tags, particles.ids, particles.count, {
      tags: opts.halos.join(","),
      particles: opts.input,
    });
    log.info({ halos: halos.count, members: halos.members.length, particleMass: mass }, "halos");
    const fof = haloCatalog(particles, halos, {
      boxSize,
      particleMass: mass.value,
      softening,
      seed: opts.seed,
    });
    const catalog: Catalog = { ...fof };
    let sod: PropertiesSummary["sod"];
    if (opts.sod) {
      let redshift = opts.redshift;
      if (redshift === undefined && opts.step !== undefined) redshift = haccSteps().zOfStep(opts.step);
      if (redshift === undefined) {
        throw new HaloCliError("SOD masses need the redshift of the snapshot", {
          path: opts.input,
          field: "--redshift",
          expected: "--redshift z or --step s",
          found: "neither",
        });
      }
      const cosmo = cosmologyOf(opts.cosmology);
      const densities = sodReferenceDensities(cosmo, redshift);
      // default search radius: twice R200m of the most massive halo (capped below L/2)
      let maxMass = 0;
      for (const m of fof.fof_halo_mass) maxMass = Math.max(maxMass, m);
      const r200m = Math.cbrt((3 * maxMass) / (4 * Math.PI * 200 * densities.mean));
      const searchRadius = opts.sodRadius ?? Math.min(0.49 * boxSize, Math.max(2 * r200m, 1e-6 * boxSize));
      const sbar = startProgressBar("sod", "halos");
      sbar.update(0, halos.count);
      const s = (() => {
        try {
          return sodProperties(
            particles.positions,
            { x: fof.fof_halo_center_x, y: fof.fof_halo_center_y, z: fof.fof_halo_center_z },
            { boxSize, particleMass: mass.value, searchRadius, densities },
          );
        } finally {
          sbar.update(halos.count, halos.count);
          sbar.stop();
        }
      })();
      Object.assign(catalog, s.columns, {
        sod_halo_saturated_200c: s.saturated200c,
        sod_halo_saturated_200m: s.saturated200m,
      });
      sod = {
        redshift,
        cosmology: opts.cosmology,
        searchRadius,
        saturated200c: s.saturated200c.reduce((a, b) => a + b, 0),
        saturated200m: s.saturated200m.reduce((a, b) => a + b, 0),
      };
      log.info(sod, "sod");
    }
    const written = await writeCatalogFile(opts.output, catalog, {
      boxSize,
      overwrite: opts.overwrite === true,
      provenance: {
        operation: "halo properties",
        inputs: [opts.input, ...opts.halos],
        parameters: {
          boxSize,
          particleMass: mass.value,
          particleMassSource: mass.source,
          softening,
          seed: opts.seed,
          columns,
          ...(sod ? { sod } : {}),
        },
      },
    });
    return {
      output: written.path,
      halos: halos.count,
      particles: particles.count,
      particleMass: mass.value,
      softening,
      ...(sod ? { sod } : {}),
      seconds: round((performance.now() - started) / 1000, 2),
    };
  } finally {
    await file.close();
  }
}

/** The `halo properties` command. */
export function propertiesCommand(): Command {
  return new Command("properties")
    .description(
      "halo catalog (fof_halo_* columns, + sod_* with --sod) of the tagged halos of a particle file",
    )
    .requiredOption("-i, --input <particles.gio>", "GenericIO particle file")
    .requiredOption("--halos <tags.gio...>", "member tags (id, fof_halo_tag), e.g. from `tessera halo fof`")
    .requiredOption("-o, --output <catalog.gio|csv|zarr>", "halo catalog")
    .option("--sod", "add spherical-overdensity columns: sod_halo_M200c/R200c/count_200c and the 200m ones")
    .option(
      "--sod-radius <r>",
      "SOD search radius (default 2 × R200m of the most massive halo)",
      positive("2.5"),
    )
    .option("--redshift <z>", "redshift of the snapshot (for --sod)", parse.number(0, 1100, "0.5"))
    .option(
      "--step <s>",
      "HACC step of the snapshot, instead of --redshift (500 steps from z = 200)",
      parse.integer(0, 499, "247"),
    )
    .addOption(
      new Option("--cosmology <name>", "cosmology (SOD densities, default particle mass)")
        .choices([...COSMOLOGIES])
        .default("planck18"),
    )
    .option("--box <L>", "side of the periodic box (default: the file's physical scale)", positive("256"))
    .option(
      "--columns <x,y,z[,vx,vy,vz[,id]]>",
      "particle columns (default x,y,z + vx,vy,vz and id when present)",
      names("x,y,z,vx,vy,vz,id", [3, 6, 7]),
    )
    .option(
      "--particle-mass <m>",
      "mass of one particle, M☉/h (default: mass column, else the tags' run, else Ω_m ρ_crit L³/N)",
      positive("1.9e9"),
    )
    .option(
      "--softening <eps>",
      "softening of the potential centre (default 0.1 × the tags' linking length)",
      positive("0.02"),
    )
    .option(
      "--seed <n>",
      "seed of the potential subsets of halos above 2000 members",
      parse.integer(0, 2 ** 32 - 1, "7"),
      0,
    )
    .option("--overwrite", "replace an existing output")
    .option("--log <file>", "structured log (JSON lines; default <output>.log)")
    .addHelpText(
      "after",
      examples(
        "tessera halo properties --input particles.gio --halos halos.tags.gio --output catalog.gio",
        "tessera halo properties -i snap.gio --halos tags.gio -o catalog.gio --sod --redshift 0.5 --cosmology outer-rim",
        "tessera halo properties -i snap.gio --halos tags#0.gio tags#1.gio -o catalog.csv --softening 0.01",
      ),
    )
    .action(async (opts: PropertiesCliOptions) => {
      opts.output = opts.output.replace(/\/+$/, "");
      checkDistinct({ input: opts.input, output: opts.output });
      for (const t of opts.halos) checkDistinct({ tags: t, output: opts.output });
      catalogFormat(opts.output, "--output");
      await refuseExisting([opts.output], opts.overwrite === true);
      const log = openRunLog(opts.log ?? defaultLog(opts.output), "tessera-halo");
      const summary = await logged(
        log,
        { command: "halo properties", input: opts.input, halos: opts.halos, output: opts.output },
        () => runProperties(opts, log),
      );
      printSummary(summary);
    });
}
