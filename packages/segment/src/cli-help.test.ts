// Every `tessera-segment` command's --help (run as a user runs it: the built binary) shows examples,
// and the top-level help documents the run config format.
import type { Command } from "commander";
import { beforeAll, describe, expect, it } from "vitest";
import { assertFreshBinary, segmentBin, segmentDir } from "../test/cli.js";
import { segmentCommand } from "./cli.js";

beforeAll(assertFreshBinary);

/** Paths of every command below `segment` (`[]` is `segment` itself). */
function commandPaths(command: Command, path: string[] = []): string[][] {
  return [path, ...command.commands.flatMap((sub) => commandPaths(sub, [...path, sub.name()]))];
}

describe("tessera-segment --help", () => {
  it("has an Examples section of `tessera segment …` lines for every command", () => {
    const paths = commandPaths(segmentCommand());
    expect(paths.map((p) => p.join(" "))).toEqual(
      expect.arrayContaining([
        "",
        "run",
        "fragments",
        "fragments block",
        "relabel block",
        "evaluate",
        "init-config",
      ]),
    );
    for (const path of paths) {
      const result = segmentBin([...path, "--help"], segmentDir);
      expect(result.status, path.join(" ")).toBe(0);
      expect(result.stderr).toBe("");
      expect(result.stdout, path.join(" ")).toMatch(new RegExp(`^Usage: tessera-segment ${path.join(" ")}`));
      expect(result.stdout, path.join(" ")).toMatch(/\nExamples:\n {2}\$ tessera segment \S/);
    }
  });

  it("shows --threshold-index only on the commands whose output it chooses (run, relabel)", () => {
    const affected = ["run", "relabel", "relabel block"];
    for (const path of commandPaths(segmentCommand())) {
      const name = path.join(" ");
      const help = segmentBin([...path, "--help"], segmentDir).stdout;
      if (affected.includes(name)) expect(help, name).toContain("--threshold-index <k>");
      else expect(help, name).not.toContain("--threshold-index");
    }
    expect(segmentBin(["fragments", "--help"], segmentDir).stdout).not.toMatch(/threshold-index/);
    // relabel's --thresholds chooses the thresholds written (a group of arrays), not the agglomeration's
    for (const path of [["relabel"], ["relabel", "block"]]) {
      const help = segmentBin([...path, "--help"], segmentDir).stdout.replace(/\s+/g, " ");
      expect(help).toContain(
        "--thresholds <all|t,...> write one segmentation per threshold into a zarr group at the segmentation path",
      );
    }
  });

  it("documents the run config: format, every top-level field, init-config, the HDF5 conversion", () => {
    const help = segmentBin(["--help"], segmentDir).stdout;
    expect(help).toContain("JSON with // line comments");
    expect(help).toContain("tessera segment init-config [--from boundaries.zarr]");
    for (const field of [
      "boundaries",
      "fragments",
      "graph",
      "segmentation",
      "blockShape",
      "context",
      "thresholdIndex",
      "relabelThresholds",
      "boundary",
      "fragmentsOptions",
      "agglomerate",
      "overwrite",
      "sortRunEdges",
    ]) {
      expect(help).toMatch(new RegExp(`\\n {2}(.* )?${field} `));
    }
    expect(help).toContain("tessera volume import p.h5 p.zarr --dataset stack");
  });
});
