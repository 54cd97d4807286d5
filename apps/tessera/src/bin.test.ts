import { spawnSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@tessera/testkit";
import { describe, expect, it } from "vitest";
import { createProgram } from "./program.js";

/** Run `bin` (a linked command in the repository's node_modules/.bin) from the repository root. */
function run(bin: string, ...args: string[]) {
  return spawnSync(join(repoRoot, "node_modules", ".bin", bin), args, { encoding: "utf8", cwd: repoRoot });
}

describe("the tessera binaries after npm install", () => {
  it("links tessera and every stage's binary into node_modules/.bin, through committed launchers", () => {
    for (const bin of [
      "tessera",
      "tessera-volume",
      "tessera-segment",
      "tessera-mesh",
      "tessera-workflow",
      "tessera-align",
      "tessera-membrane",
      "tessera-halo",
      "tessera-validate",
    ]) {
      const link = join(repoRoot, "node_modules", ".bin", bin);
      expect(existsSync(link), `${bin} is not linked`).toBe(true);
      expect(realpathSync(link)).toMatch(new RegExp(`/bin/${bin}\\.js$`));
      const help = run(bin, "--help");
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: ${bin} `));
    }
  });

  it("bare tessera prints help listing every stage's commands and exits 0", () => {
    const result = run("tessera");
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    const commands = [...result.stdout.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]);
    expect(commands).toEqual(
      expect.arrayContaining([
        "demo",
        "volume",
        "segment",
        "mesh",
        "serve",
        "site",
        "launch",
        "align",
        "membrane",
        "halo",
        "validate",
      ]),
    );
    expect(result.stdout).toContain("Exit status: 0 ok, 1 some work failed, 2 bad input");
  });

  // every leaf command's help as `--help` prints it (commander's outputHelp, with the "after" text
  // the commands add), in this process: one process per command (40 and growing) took minutes
  it("every command's --help shows examples", () => {
    const paths: { path: string[]; command: ReturnType<typeof createProgram> }[] = [];
    const visit = (command: ReturnType<typeof createProgram>, path: string[]) => {
      if (command.commands.length === 0) paths.push({ path, command });
      for (const sub of command.commands) visit(sub, [...path, sub.name()]);
    };
    visit(createProgram(), []);
    expect(paths.length).toBeGreaterThan(15);
    const missing: string[] = [];
    for (const { path, command } of paths) {
      let text = "";
      command.configureOutput({
        writeOut: (s) => {
          text += s;
        },
        writeErr: (s) => {
          text += s;
        },
      });
      command.outputHelp();
      if (!/\nExamples:\n {2}\$ tessera /.test(text)) missing.push(path.join(" "));
    }
    expect(missing).toEqual([]);
  });
});
