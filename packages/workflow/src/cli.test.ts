import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "@tessera/testkit";
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { cli } from "../test/helpers.js";
import { parseSince, registerWorkflowCommands } from "./cli.js";

const apps = fileURLToPath(new URL("../test/fixtures/cli-apps.mjs", import.meta.url));
let dirs: Array<{ cleanup: () => void }> = [];
afterEach(() => {
  for (const d of dirs) d.cleanup();
  dirs = [];
});
function site(): string {
  const d = tempDir("tessera-cli-");
  dirs.push(d);
  const path = join(d.path, "site");
  const r = cli(["site", "init", path, "--apps", apps]);
  expect(r.code, r.stderr).toBe(0);
  return path;
}

describe("CLI", () => {
  it("registers its commands on a commander program", () => {
    const program = new Command();
    registerWorkflowCommands(program);
    expect(program.commands.map((c) => c.name()).sort()).toEqual([
      "app",
      "events",
      "launch",
      "site",
      "status",
      "task",
    ]);
    const task = program.commands.find((c) => c.name() === "task")!;
    expect(task.commands.map((c) => c.name()).sort()).toEqual([
      "add",
      "export",
      "kill",
      "ls",
      "retry",
      "show",
    ]);
  });

  it("parses --since forms", () => {
    expect(parseSince("1700000000000")).toBe(1700000000000);
    expect(parseSince("2024-01-02T00:00:00Z")).toBe(Date.parse("2024-01-02T00:00:00Z"));
    const rel = parseSince("-30s");
    expect(Date.now() - rel).toBeGreaterThanOrEqual(30_000);
    expect(() => parseSince("yesterday-ish")).toThrow(/--since/);
  });

  it("site init, app ls, task add/ls/show, launch, status, events", () => {
    const s = site();
    expect(cli(["app", "ls", "--site", s]).stdout).toContain("greet\tsh -c");
    const id = cli([
      "task",
      "add",
      "--site",
      s,
      "--app",
      "greet",
      "-p",
      "who=world",
      "--tag",
      "demo",
    ]).stdout.trim();
    expect(id).toBe("1");
    const failing = cli(["task", "add", "--site", s, "--app", "fail"]).stdout.trim();
    const child = cli([
      "task",
      "add",
      "--site",
      s,
      "--app",
      "greet",
      "--params",
      '{"who":"x"}',
      "--parent",
      failing,
    ]);
    expect(child.code).toBe(0);
    expect(cli(["task", "ls", "--site", s, "--tag", "demo"]).stdout).toMatch(/^1\tREADY\tgreet\tdemo/);
    const run = cli(["launch", "--site", s, "--max-cpus", "2", "--poll-ms", "20"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/1 finished, 1 failed/);
    const shown = JSON.parse(cli(["task", "show", id, "--site", s, "--json"]).stdout);
    expect(shown.task.state).toBe("JOB_FINISHED");
    expect(shown.attempts[0].outputs["greeting.txt"]).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(s, "data", "greet", id, "greeting.txt"), "utf8")).toBe("hello world\n");
    const status = cli(["status", "--site", s]).stdout;
    expect(status).toMatch(/JOB_FINISHED\s+1/);
    expect(status).toMatch(/UPSTREAM_FAILED\s+1/);
    expect(status).toContain(`FAILED ${failing} fail: exit code 4: halo catalog is empty`);
    expect(status).toContain("  | halo catalog is empty");
    const statusJson = JSON.parse(cli(["status", "--site", s, "--json"]).stdout);
    expect(statusJson.failures[0]).toMatchObject({
      id: Number(failing),
      stderrTail: "halo catalog is empty\n",
    });
    const events = JSON.parse(cli(["events", "--site", s, "--since", "-5m", "--json"]).stdout);
    expect(events.some((e: { to: string }) => e.to === "JOB_FINISHED")).toBe(true);
    expect(cli(["task", "show", failing, "--site", s]).stdout).toContain("attempt 1 error exit=4");
    const retried = cli(["task", "retry", failing, "--site", s]);
    expect(retried.stdout.trim()).toBe(`reopened ${failing} ${child.stdout.trim()}`);
    const exported = JSON.parse(cli(["task", "export", "--site", s]).stdout);
    expect(exported.tasks).toHaveLength(3);
  });

  it("bad input: clear one-line errors with a code and a non-zero exit", () => {
    const s = site();
    const bad = cli(["task", "add", "--site", s, "--app", "greet", "-p", "who="]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error \[PARAMS_INVALID\]: app "greet": parameter "who" is invalid/);
    const wrong = cli(["task", "add", "--site", s, "--app", "greet", "-p", "who=a", "-p", "times=-1"]);
    expect(wrong.stderr).toContain('parameter "times"');
    const unknown = cli(["task", "add", "--site", s, "--app", "segment"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'error [UNKNOWN_APP]: unknown app "segment": expected one of [fail, greet]',
    );
    const parent = cli(["task", "add", "--site", s, "--app", "fail", "--parent", "99"]);
    expect(parent.stderr).toContain("[UNKNOWN_PARENT]");
    expect(cli(["task", "kill", "42", "--site", s]).stderr).toContain("[TASK_NOT_FOUND]");
    expect(cli(["task", "ls", "--site", s, "--state", "DONE"]).stderr).toContain('"--state" is invalid');
    const nosite = cli(["status", "--site", join(s, "missing")]);
    expect(nosite.stderr).toMatch(/^error \[SITE_NOT_FOUND\]/);
    writeFileSync(join(s, "tessera.db"), "garbage ".repeat(1000));
    for (const f of ["tessera.db-wal", "tessera.db-shm"]) writeFileSync(join(s, f), "");
    const corrupt = cli(["status", "--site", s]);
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toMatch(/^error \[SITE_CORRUPT\]: site database .*tessera\.db is unreadable/);
    expect(corrupt.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  });
});
