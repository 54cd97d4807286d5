import { startProgressBar } from "@tessera/volume";
import { logged, openRunLog } from "@tessera/volume/cli";
import { Command } from "commander";
import type { Logger } from "pino";
import { friendsOfFriends } from "../fof/fof.js";
import { openGenericIO } from "../genericio/read.js";
import {
  boxSizeOf,
  catalogFormat,
  checkDistinct,
  defaultLog,
  examples,
  particleColumns,
  particleMassOf,
  printSummary,
  readParticles,
  refuseExisting,
  round,
  tagsOfHalos,
} from "./common.js";
import { fofBlockCommand, fofMergeCommand, fofPlanCommand } from "./fof-blocks.js";
import { type FofCliOptions, linkingOf, required, withLinkingOptions } from "./fof-options.js";
import { defaultTagsPath, haloCatalog, writeFofOutputs } from "./halo-catalog.js";

/** What `tessera halo fof` prints (one JSON line). */
export interface FofRunSummary {
  output: string;
  tags: string;
  particles: number;
  halos: number;
  members: number;
  largest: number;
  linkingLength: number;
  boxSize: number;
  particleMass: number;
  particleMassSource: string;
  seconds: number;
}

/** Run the whole-box halo finder and write the catalog and tags. */
export async function runFof(
  input: string,
  output: string,
  tagsPath: string,
  opts: FofCliOptions,
  log: Logger,
): Promise<FofRunSummary> {
  const started = performance.now();
  const file = await openGenericIO(input);
  try {
    const boxSize = boxSizeOf(file, opts.box);
    const columns = particleColumns(file, opts.columns);
    const bar = startProgressBar("read", "columns");
    const particles = await readParticles(file, columns, bar.update).finally(() => bar.stop());
    log.info({ particles: particles.count, columns, boxSize }, "read");
    const mass = particleMassOf(input, particles.count, boxSize, {
      given: opts.particleMass,
      mass: particles.mass,
      cosmology: opts.cosmology,
    });
    const fof = friendsOfFriends(particles.positions, {
      boxSize,
      ...linkingOf(opts),
      minMembers: opts.minMembers,
    });
    log.info({ halos: fof.halos.count, groups: fof.groupCount, linkingLength: fof.linkingLength }, "linked");
    const softening = opts.softening ?? 0.1 * fof.linkingLength;
    const catalog = haloCatalog(particles, fof.halos, { boxSize, particleMass: mass.value, softening });
    const tags = tagsOfHalos(fof.halos, catalog.fof_halo_tag, particles.ids);
    const provenance = {
      operation: "halo fof",
      inputs: [input],
      parameters: {
        boxSize,
        linkingLength: fof.linkingLength,
        ...linkingOf(opts),
        minMembers: opts.minMembers,
        particleMass: mass.value,
        particleMassSource: mass.source,
        softening,
        columns,
      },
    };
    const written = await writeFofOutputs(output, tagsPath, { ...catalog }, tags, {
      boxSize,
      overwrite: opts.overwrite === true,
      provenance,
    });
    return {
      output: written.catalog.path,
      tags: written.tags.path,
      particles: particles.count,
      halos: fof.halos.count,
      members: fof.halos.members.length,
      largest: fof.halos.count > 0 ? Math.max(...fof.halos.size) : 0,
      linkingLength: fof.linkingLength,
      boxSize,
      particleMass: mass.value,
      particleMassSource: mass.source,
      seconds: round((performance.now() - started) / 1000, 2),
    };
  } finally {
    await file.close();
  }
}

/** The `halo fof` command (whole box) with its blockwise subcommands `plan`, `block`, `merge`. */
export function fofCommand(): Command {
  const command = withLinkingOptions(
    new Command("fof").description(
      "friends-of-friends halos of a GenericIO particle file: member tags and the fof_halo_* catalog (whole box; `fof plan|block|merge` block by block)",
    ),
  )
    .option("-i, --input <particles.gio>", "GenericIO particle file (required)")
    .option(
      "-o, --output <halos.gio|csv|zarr>",
      "halo catalog: fof_halo_* columns, one row per halo (required)",
    )
    .option("--tags <file>", "member tags: id, fof_halo_tag per halo particle (default <output>.tags.<ext>)")
    .option("--overwrite", "replace existing outputs")
    .option("--log <file>", "structured log (JSON lines; default <output>.log)")
    .addHelpText(
      "after",
      `
Halos are groups of at least --min-members particles linked by distances ≤ b·L/N^(1/3) in the
periodic box; fof_halo_tag is the smallest member id. The catalog rows are in the order of each
halo's first particle; the tags are sorted by tag, then id. Block by block (workflow tasks):
\`fof plan\`, then \`fof block --id N\` for every block (in parallel), then \`fof merge\`: the same halos.
${examples(
  "tessera halo fof --input particles.gio --output halos.gio",
  "tessera halo fof -i particles.gio -o halos.csv --linking-parameter 0.2 --min-members 20 --box 256",
  "tessera halo fof -i snap.gio -o halos.gio --columns x,y,z,vx,vy,vz,id --particle-mass 1.9e9 --overwrite",
)}`,
    )
    .addCommand(fofPlanCommand())
    .addCommand(fofBlockCommand())
    .addCommand(fofMergeCommand());
  // `plan` and `merge` read --input / --output / the linking options of `fof` (optsWithGlobals)
  command.action(async (opts: FofCliOptions) => {
    const input = required(opts.input, "-i, --input <particles.gio>", command);
    const output = required(opts.output, "-o, --output <halos.gio|csv|zarr>", command).replace(/\/+$/, "");
    const tagsPath = opts.tags ?? defaultTagsPath(output);
    checkDistinct({ input, output, tags: tagsPath });
    catalogFormat(output, "--output");
    catalogFormat(tagsPath, "--tags");
    linkingOf(opts);
    await refuseExisting([output, tagsPath], opts.overwrite === true);
    const log = openRunLog(opts.log ?? defaultLog(output), "tessera-halo");
    const summary = await logged(log, { command: "halo fof", input, output, tags: tagsPath }, () =>
      runFof(input, output, tagsPath, opts, log),
    );
    printSummary(summary);
  });
  return command;
}
