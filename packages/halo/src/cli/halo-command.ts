import { Command } from "commander";
import { fofCommand } from "./fof.js";
import { inspectCommand } from "./inspect.js";
import { lightconeCommand } from "./lightcone.js";
import { propertiesCommand } from "./properties.js";
import { reduceCommand } from "./reduce.js";

/**
 * The `halo` command: `tessera halo inspect|fof|properties|reduce|lightcone`, over HACC GenericIO files. Each
 * subcommand logs JSON lines (default `<output>.log`), shows a progress bar on stderr, prints a
 * one-line JSON summary on stdout and refuses bad input with one typed line (exit 2).
 */
export function haloCommand(): Command {
  return new Command("halo")
    .description(
      "cosmology halos over HACC GenericIO files: inspect, friends-of-friends, halo properties, catalog reductions, lightcones",
    )
    .addCommand(inspectCommand())
    .addCommand(fofCommand())
    .addCommand(propertiesCommand())
    .addCommand(reduceCommand())
    .addCommand(lightconeCommand())
    .addHelpText(
      "after",
      `
Examples:
  $ tessera halo inspect particles.gio
  $ tessera halo fof --input particles.gio --output halos.gio
  $ tessera halo properties -i particles.gio --halos halos.tags.gio -o catalog.gio --sod --redshift 0
  $ tessera halo reduce -i halos.gio -o massive.csv --min-mass 1e13
  $ tessera halo lightcone --snapshots a.gio,b.gio --steps 487,499 -o lc.gio --z-range 0,0.1`,
    );
}
