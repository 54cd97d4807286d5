// Every `tessera halo` command's --help ends with examples that name the program.
import { describe, expect, it } from "vitest";
import { halo } from "./cli-test-kit.js";
import { haloCommand } from "./halo-command.js";

describe("tessera halo --help", () => {
  it("shows examples for every command and subcommand", async () => {
    const paths: string[][] = [[]];
    const visit = (command: ReturnType<typeof haloCommand>, path: string[]) => {
      for (const sub of command.commands) {
        paths.push([...path, sub.name()]);
        visit(sub, [...path, sub.name()]);
      }
    };
    visit(haloCommand(), []);
    expect(paths.map((p) => p.join(" "))).toEqual(
      expect.arrayContaining([
        "inspect",
        "fof",
        "fof plan",
        "fof block",
        "fof merge",
        "properties",
        "reduce",
        "lightcone",
      ]),
    );
    for (const path of paths) {
      const r = await halo([...path, "--help"]);
      expect(r.status, path.join(" ")).toBe(0);
      expect(r.stdout, path.join(" ")).toMatch(/\nExamples:\n {2}\$ tessera halo /);
    }
    // a bare command group prints its help and exits 0
    const bare = await halo([]);
    expect(bare.status).toBe(0);
    expect(bare.stdout).toMatch(/Usage: tessera halo/);
  });
});
