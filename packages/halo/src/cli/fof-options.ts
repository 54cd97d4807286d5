/** The options `halo fof` and `halo fof plan` share: linking, box, columns, particle mass. */
import { parse } from "@tessera/cli";
import { type Command, Option } from "commander";
import { DEFAULT_LINKING_PARAMETER, DEFAULT_MIN_MEMBERS } from "../fof/options.js";
import { COSMOLOGIES, type CosmologyName, HaloCliError, names, positive } from "./common.js";

/** Options of `halo fof` (and, for the linking options, `halo fof plan`), as commander parses them. */
export interface FofCliOptions {
  input?: string;
  output?: string;
  tags?: string;
  linkingParameter?: number;
  linkingLength?: number;
  minMembers: number;
  box?: number;
  columns?: string[];
  particleMass?: number;
  cosmology: CosmologyName;
  softening?: number;
  overwrite?: boolean;
  log?: string;
}

/** The linking options `halo fof` and `halo fof plan` share. */
export function withLinkingOptions(command: Command): Command {
  return command
    .option(
      "-b, --linking-parameter <b>",
      `linking length in units of the mean particle spacing L/N^(1/3) (default ${DEFAULT_LINKING_PARAMETER})`,
      positive("0.168"),
    )
    .option("--linking-length <l>", "absolute linking length (box units; instead of -b)", positive("0.2"))
    .option(
      "--min-members <n>",
      "groups with at least n particles are halos",
      parse.integer(1, 2 ** 31 - 1, "10"),
      DEFAULT_MIN_MEMBERS,
    )
    .option("--box <L>", "side of the periodic box (default: the file's physical scale)", positive("256"))
    .option(
      "--columns <x,y,z[,vx,vy,vz[,id]]>",
      "particle columns: positions, then velocities and ids (default x,y,z + vx,vy,vz and id when present)",
      names("x,y,z,vx,vy,vz,id", [3, 6, 7]),
    )
    .option(
      "--particle-mass <m>",
      "mass of one particle, M☉/h (default: the file's mass column, else Ω_m ρ_crit L³/N of --cosmology)",
      positive("1.9e9"),
    )
    .addOption(
      new Option("--cosmology <name>", "cosmology of the default particle mass")
        .choices([...COSMOLOGIES])
        .default("planck18"),
    )
    .option("--softening <eps>", "softening of the potential centre (default 0.1 × linking length)", (v) =>
      v === "0" ? 0 : positive("0.02")(v),
    );
}

/** The linking options as `friendsOfFriends` / `planFofBlocks` take them. */
export function linkingOf(opts: FofCliOptions): { linkingLength?: number; linkingParameter?: number } {
  if (opts.linkingLength !== undefined && opts.linkingParameter !== undefined) {
    throw new HaloCliError("give the linking parameter or the linking length, not both", {
      field: "--linking-length",
      expected: "one of --linking-parameter, --linking-length",
      found: `both (${opts.linkingParameter}, ${opts.linkingLength})`,
    });
  }
  return opts.linkingLength !== undefined
    ? { linkingLength: opts.linkingLength }
    : { linkingParameter: opts.linkingParameter ?? DEFAULT_LINKING_PARAMETER };
}

/** A required option of a command that also has subcommands (checked here, not by commander). */
export function required<T>(value: T | undefined, flag: string, command: Command): T {
  if (value === undefined) {
    command.error(`error: required option '${flag}' not specified`, {
      code: "commander.missingMandatoryOptionValue",
      exitCode: 2,
    });
  }
  return value as T;
}
