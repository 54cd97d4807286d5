/** `tessera halo lightcone`: a lightcone assembled from snapshot GenericIO files (particles or halos). */
import { parse } from "@tessera/cli";
import { haccSteps } from "@tessera/cosmology";
import { startProgressBar } from "@tessera/volume";
import { logged, openRunLog } from "@tessera/volume/cli";
import { Command, Option } from "commander";
import type { Logger } from "pino";
import { openGenericIO } from "../genericio/read.js";
import { LightconeError } from "../lightcone/errors.js";
import type { Footprint } from "../lightcone/footprint.js";
import { buildLightcone } from "../lightcone/lightcone.js";
import type { LightconeObjects, LightconeSnapshot } from "../lightcone/types.js";
import type { Catalog } from "../reduce/catalog.js";
import {
  asFloat,
  COSMOLOGIES,
  type CosmologyName,
  catalogFormat,
  checkDistinct,
  cosmologyOf,
  defaultLog,
  examples,
  HaloCliError,
  names,
  positive,
  printSummary,
  refuseExisting,
  round,
  writeCatalogFile,
} from "./common.js";

/** Options of `halo lightcone`, as commander parses them. */
export interface LightconeCliOptions {
  snapshots: string[];
  steps?: number[];
  redshifts?: number[];
  output: string;
  zRange: number[];
  box?: number;
  cosmology: CosmologyName;
  observer?: number[];
  octant?: boolean;
  raDecBox?: number[];
  positions?: string[];
  columns?: string[];
  extrapolate?: boolean;
  overwrite?: boolean;
  log?: string;
}

/** Position (and velocity) columns of a snapshot: given, else x,y,z or fof_halo_center_* (with velocities when present). */
function positionColumns(has: (n: string) => boolean, given: string[] | undefined, path: string): string[] {
  if (given) return given;
  if (has("x") && has("y") && has("z")) {
    return ["x", "y", "z", ...(["vx", "vy", "vz"].every(has) ? ["vx", "vy", "vz"] : [])];
  }
  const c = ["fof_halo_center_x", "fof_halo_center_y", "fof_halo_center_z"];
  const v = ["fof_halo_mean_vx", "fof_halo_mean_vy", "fof_halo_mean_vz"];
  if (c.every(has)) return [...c, ...(v.every(has) ? v : [])];
  throw new HaloCliError("the snapshot has no position columns", {
    path,
    field: "--positions",
    expected: "x, y, z or fof_halo_center_x/y/z, or --positions a,b,c",
    found: "neither",
  });
}

/** Read one snapshot: positions (+velocities) as x..vz, every other (or every `--columns`) column carried. */
async function readSnapshot(
  path: string,
  opts: LightconeCliOptions,
): Promise<{ objects: LightconeObjects; boxSize?: number; rows: number }> {
  const file = await openGenericIO(path);
  try {
    const has = (n: string) => file.variables.some((v) => v.name === n);
    const pos = positionColumns(has, opts.positions, path);
    const carried = opts.columns ?? file.variables.map((v) => v.name).filter((n) => !pos.includes(n));
    const objects: LightconeObjects = { x: [], y: [], z: [] };
    const keys = ["x", "y", "z", "vx", "vy", "vz"];
    for (const [k, name] of pos.entries()) objects[keys[k]] = asFloat(await file.readColumn(name));
    for (const name of carried) {
      if (keys.includes(name)) continue;
      const v = file.variable(name);
      if (v.elementCount !== 1) continue; // vector variables are not carried
      objects[name] = await file.readColumn(name);
    }
    const [sx, sy, sz] = file.physScale;
    return { objects, boxSize: sx > 0 && sx === sy && sx === sz ? sx : undefined, rows: file.totalRows };
  } finally {
    await file.close();
  }
}

/** What `tessera halo lightcone` prints (one JSON line). */
export interface LightconeSummary {
  output: string;
  rows: number;
  zRange: [number, number];
  chiRangeMpcH: [number, number];
  shells: { snapshot: string; step: number; redshift: number; count: number }[];
  seconds: number;
}

/** Assemble the lightcone and write it. */
export async function runLightcone(opts: LightconeCliOptions, log: Logger): Promise<LightconeSummary> {
  const started = performance.now();
  const n = opts.snapshots.length;
  const times = opts.steps ?? opts.redshifts ?? [];
  if (times.length !== n) {
    throw new HaloCliError("give one step (or redshift) per snapshot", {
      field: opts.steps ? "--steps" : "--redshifts",
      expected: `${n} values (one per snapshot)`,
      found: `${times.length} values`,
    });
  }
  // time order: increasing step (decreasing redshift); the output's snapshot column keeps the given order
  const stepMap = haccSteps();
  const zOf = (k: number) => (opts.steps ? stepMap.zOfStep(opts.steps[k]) : (opts.redshifts as number[])[k]);
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => zOf(b) - zOf(a));
  const snapshots: LightconeSnapshot[] = [];
  let boxSize = opts.box;
  const bar = startProgressBar("read", "snapshots");
  try {
    bar.update(0, n);
    for (const [k, s] of order.entries()) {
      const path = opts.snapshots[s];
      const snap = await readSnapshot(path, opts);
      if (opts.box === undefined) {
        if (snap.boxSize === undefined) {
          throw new HaloCliError("the box size is unknown: the file's physical scale is not a cube", {
            path,
            field: "physScale",
            expected: "three equal sizes > 0, or give --box L",
          });
        }
        if (boxSize !== undefined && boxSize !== snap.boxSize) {
          throw new HaloCliError("the snapshots have different boxes", {
            path,
            field: "physScale",
            expected: `${boxSize} (as ${opts.snapshots[order[0]]})`,
            found: String(snap.boxSize),
          });
        }
        boxSize = snap.boxSize;
      }
      snapshots.push(
        opts.steps
          ? { step: opts.steps[s], objects: snap.objects }
          : { redshift: zOf(s), objects: snap.objects },
      );
      log.info({ snapshot: path, rows: snap.rows, redshift: zOf(s) }, "read");
      bar.update(k + 1, n);
    }
  } finally {
    bar.stop();
  }
  let footprint: Footprint | undefined;
  if (opts.octant) footprint = { kind: "octant" };
  if (opts.raDecBox) {
    const [raMinDeg, raMaxDeg, decMinDeg, decMaxDeg] = opts.raDecBox;
    footprint = { kind: "raDecBox", raMinDeg, raMaxDeg, decMinDeg, decMaxDeg };
  }
  let lc: ReturnType<typeof buildLightcone>;
  try {
    lc = buildLightcone(snapshots, {
      boxSize: boxSize as number,
      cosmology: cosmologyOf(opts.cosmology),
      zMin: opts.zRange[0],
      zMax: opts.zRange[1],
      observer: opts.observer as [number, number, number] | undefined,
      footprint,
      extrapolate: opts.extrapolate === true,
      steps: stepMap,
    });
  } catch (e) {
    // name the snapshot file instead of its index in the (sorted) list
    const m = e instanceof LightconeError ? /^snapshots\[(\d+)\]/.exec(e.field ?? "") : null;
    if (e instanceof LightconeError && m) {
      const s = order[Number(m[1])];
      throw new HaloCliError(e.message.split("; ")[0], {
        path: opts.snapshots[s],
        field: (e.field as string).replace(/^snapshots\[\d+\]\.(objects\.)?/, ""),
        expected: e.expected,
        found: e.found,
        cause: e,
      });
    }
    throw e;
  }
  for (let k = 0; k < lc.count; k++) lc.snapshot[k] = order[lc.snapshot[k]];
  const catalog: Catalog = {
    x: lc.x,
    y: lc.y,
    z: lc.z,
    chi: lc.chi,
    redshift: lc.redshift,
    ...(lc.redshiftObserved ? { redshift_observed: lc.redshiftObserved } : {}),
    ...(lc.velocityLosKmS ? { velocity_los: lc.velocityLosKmS } : {}),
    ra: lc.ra,
    dec: lc.dec,
    replica_ix: lc.ix,
    replica_iy: lc.iy,
    replica_iz: lc.iz,
    snapshot: lc.snapshot,
    step: lc.step,
    row: lc.index,
  };
  for (const [name, column] of Object.entries(lc.columns)) if (!(name in catalog)) catalog[name] = column;
  const written = await writeCatalogFile(opts.output, catalog, {
    overwrite: opts.overwrite === true,
    provenance: {
      operation: "halo lightcone",
      inputs: opts.snapshots,
      parameters: {
        steps: opts.steps,
        redshifts: opts.redshifts,
        zRange: opts.zRange,
        boxSize,
        cosmology: opts.cosmology,
        observer: opts.observer ?? [0, 0, 0],
        footprint: footprint ?? { kind: "fullSky" },
        extrapolate: opts.extrapolate === true,
      },
    },
  });
  return {
    output: written.path,
    rows: lc.count,
    zRange: [opts.zRange[0], opts.zRange[1]],
    chiRangeMpcH: lc.chiRangeMpcH,
    shells: lc.shells.map((s) => ({
      snapshot: opts.snapshots[order[s.snapshot]],
      step: s.step,
      redshift: round(s.redshift, 6),
      count: s.count,
    })),
    seconds: round((performance.now() - started) / 1000, 2),
  };
}

/** The `halo lightcone` command. */
export function lightconeCommand(): Command {
  return new Command("lightcone")
    .description(
      "assemble a lightcone from snapshot GenericIO files (each owns the comoving shell around its redshift)",
    )
    .requiredOption("--snapshots <a.gio,b.gio,...>", "snapshot files (particles or halo catalogs)", (v) =>
      names("step499.gio,step487.gio")(v),
    )
    .option(
      "--steps <s,s,...>",
      "HACC step of each snapshot (500 steps from z = 200; 499 is z = 0)",
      parse.integers("499,487", { min: 0 }),
    )
    .option("--redshifts <z,z,...>", "redshift of each snapshot, instead of --steps", parse.numbers("0,0.1"))
    .requiredOption("-o, --output <lc.gio|zarr|csv>", "lightcone (one row per object replica)")
    .requiredOption("--z-range <zmin,zmax>", "redshift range kept", parse.numbers("0,1", { count: 2 }))
    .option("--box <L>", "side of the box, Mpc/h (default: the files' physical scale)", positive("256"))
    .addOption(
      new Option("--cosmology <name>", "cosmology of distances and redshifts")
        .choices([...COSMOLOGIES])
        .default("planck18"),
    )
    .option(
      "--observer <x,y,z>",
      "observer position, Mpc/h (default 0,0,0)",
      parse.numbers("0,0,0", { count: 3 }),
    )
    .option("--octant", "keep the octant x, y, z ≥ 0 seen from the observer")
    .option(
      "--ra-dec-box <ra0,ra1,dec0,dec1>",
      "keep an RA/Dec box (degrees)",
      parse.numbers("30,120,-20,45", { count: 4 }),
    )
    .option(
      "--positions <x,y,z[,vx,vy,vz]>",
      "position (and velocity) columns (default x,y,z or fof_halo_center_*, velocities when present)",
      names("fof_halo_center_x,fof_halo_center_y,fof_halo_center_z", [3, 6]),
    )
    .option(
      "--columns <a,b,...>",
      "columns carried into the lightcone (default: all others)",
      names("id,fof_halo_mass"),
    )
    .option(
      "--extrapolate",
      "let the first and last snapshots own everything beyond them (needed for one snapshot)",
    )
    .option("--overwrite", "replace an existing output")
    .option("--log <file>", "structured log (JSON lines; default <output>.log)")
    .addHelpText(
      "after",
      `
Columns: x, y, z (relative to the observer), chi, redshift (redshift_observed and velocity_los with
velocities), ra, dec, replica_ix/iy/iz, snapshot (index in --snapshots), step, row, and the carried ones.
${examples(
  "tessera halo lightcone --snapshots step499.gio,step487.gio,step475.gio --steps 499,487,475 --output lc.gio --z-range 0,0.1",
  "tessera halo lightcone --snapshots halos-a.gio,halos-b.gio --redshifts 0,0.2 -o lc.zarr --z-range 0,0.15 --octant",
  "tessera halo lightcone --snapshots snap.gio --steps 499 -o lc.csv --z-range 0,0.05 --extrapolate --box 256",
)}`,
    )
    .action(async (opts: LightconeCliOptions, command: Command) => {
      if ((opts.steps === undefined) === (opts.redshifts === undefined)) {
        command.error("error: give --steps or --redshifts (one per snapshot)", {
          code: "commander.missingMandatoryOptionValue",
          exitCode: 2,
        });
      }
      if (opts.octant && opts.raDecBox) {
        command.error("error: give --octant or --ra-dec-box, not both", {
          code: "commander.conflictingOption",
          exitCode: 2,
        });
      }
      opts.output = opts.output.replace(/\/+$/, "");
      for (const s of opts.snapshots) checkDistinct({ snapshot: s, output: opts.output });
      catalogFormat(opts.output, "--output");
      await refuseExisting([opts.output], opts.overwrite === true);
      const log = openRunLog(opts.log ?? defaultLog(opts.output), "tessera-halo");
      const summary = await logged(
        log,
        { command: "halo lightcone", snapshots: opts.snapshots, output: opts.output },
        () => runLightcone(opts, log),
      );
      printSummary(summary);
    });
}
