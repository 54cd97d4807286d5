import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { cli } from "../../test/helpers.js";
import { registerWorkflowCommands } from "../cli.js";

/** Every command path of the workflow program: groups and their subcommands. */
function commandPaths(): string[][] {
  const program = new Command("tessera-workflow");
  registerWorkflowCommands(program);
  const paths: string[][] = [];
  const walk = (command: Command, path: string[]) => {
    for (const sub of command.commands) {
      paths.push([...path, sub.name()]);
      walk(sub, [...path, sub.name()]);
    }
  };
  walk(program, []);
  return paths;
}

describe("--help", () => {
  it("every workflow command's help ends with examples that name the program", () => {
    const paths = commandPaths();
    expect(paths.length).toBeGreaterThanOrEqual(16);
    for (const path of paths) {
      const r = cli([...path, "--help"]);
      expect(r.code, path.join(" ")).toBe(0);
      expect(r.stderr).toBe("");
      expect(r.stdout, path.join(" ")).toMatch(
        new RegExp(
          `^Usage: tessera-workflow ${path.join(" ")} [\\s\\S]*\\nExamples:\\n(  \\$ .*tessera-workflow .*\\n)+$`,
        ),
      );
    }
  });
});
