import { execFile, spawnSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@tessera/testkit";
import { describe, expect, it } from "vitest";
import { createProgram } from "./program.js";

/** Run `bin` (a linked command in the repository's node_modules/.bin) from the repository root. */
function run(bin: string, ...args: string[]) {
  return spawnSync(join(repoRoot, "node_modules", ".bin", bin), args, { encoding: "utf8", cwd: repoRoot });
}

/** `tessera <path> --help`'s stdout, asynchronously (so several can run at once). */
function helpOf(path: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      join(repoRoot, "node_modules", ".bin", "tessera"),
      [...path, "--help"],
      { encoding: "utf8", cwd: repoRoot },
      (_error, stdout) => resolve(stdout),
    );
  });
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
      ]),
    );
    expect(result.stdout).toContain("Exit status: 0 ok, 1 some work failed, 2 bad input");
  });

  // one process per leaf command (35 and growing), four at a time
  it("every command's --help shows examples", async () => {
    const paths: string[][] = [];
    const visit = (command: ReturnType<typeof createProgram>, path: string[]) => {
      if (command.commands.length === 0) paths.push(path);
      for (const sub of command.commands) visit(sub, [...path, sub.name()]);
    };
    visit(createProgram(), []);
    expect(paths.length).toBeGreaterThan(15);
    const missing: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < paths.length) {
        const path = paths[next++];
        if (!/\nExamples:\n {2}\$ tessera /.test(await helpOf(path))) missing.push(path.join(" "));
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(missing).toEqual([]);
  }, 180_000);
});
