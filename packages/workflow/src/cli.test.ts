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
      "queue",
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

  it("site init, app ls, task add/ls/show, launch (exit 1 with a report when a task FAILED), status, events", () => {
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
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    const report = run.stdout.split("\n");
    expect(report[0]).toMatch(
      /^launcher \S+: 1 finished, 1 failed, 0 retried, 0 abandoned in \d+\.\d s \(idle\)$/,
    );
    const logs = join(s, "data", "fail", failing);
    expect(report.slice(1)).toEqual([
      "final states on the site: JOB_FINISHED 1, FAILED 1, UPSTREAM_FAILED 1",
      `FAILED task ${failing} (fail): exit code 4: halo catalog is empty (error retries exhausted: 0 of 0)`,
      `  logs: ${join(logs, "stdout.log")} ${join(logs, "stderr.log")}`,
      "",
    ]);
    expect(readFileSync(join(logs, "stderr.log"), "utf8")).toBe("halo catalog is empty\n");
    // nothing left to run: a second launch has no failure of its own and exits 0
    const again = cli(["launch", "--site", s, "--poll-ms", "20"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.split("\n").slice(1)).toEqual([
      "final states on the site: JOB_FINISHED 1, FAILED 1, UPSTREAM_FAILED 1",
      "",
    ]);
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

  it("bad input: one line `tessera-workflow: <Type>: … (code CODE)` on stderr, exit 2, nothing on stdout", () => {
    const s = site();
    const expectError = (args: string[], stderr: string | RegExp) => {
      const r = cli(args);
      if (typeof stderr === "string") expect(r.stderr).toBe(`${stderr}\n`);
      else expect(r.stderr).toMatch(stderr);
      expect(r.stderr.trimEnd().split("\n"), r.stderr).toHaveLength(1);
      expect(r.stdout).toBe("");
      expect(r.code).toBe(2);
    };
    expectError(
      ["task", "add", "--site", s, "--app", "greet", "-p", "who="],
      /^tessera-workflow: ParamsInvalidError: app "greet": parameter "who" is invalid: .*, found "" \(code PARAMS_INVALID\)\n$/,
    );
    expectError(
      ["task", "add", "--site", s, "--app", "greet", "-p", "who=a", "-p", "times=-1"],
      /^tessera-workflow: ParamsInvalidError: app "greet": parameter "times" is invalid: .*found -1 \(code PARAMS_INVALID\)\n$/,
    );
    expectError(
      ["task", "add", "--site", s, "--app", "segment"],
      'tessera-workflow: UnknownAppError: unknown app "segment": expected one of [fail, greet] (add it with "app add <file>", registerApp, or a module in site.json "appModules") (code UNKNOWN_APP)',
    );
    expectError(
      ["task", "add", "--site", s, "--app", "fail", "--parent", "99"],
      "tessera-workflow: UnknownParentError: parent 99 does not exist: expected an existing task id or a key of this batch (code UNKNOWN_PARENT)",
    );
    expectError(
      ["task", "kill", "42", "--site", s],
      "tessera-workflow: TaskNotFoundError: task 42 does not exist on this site (code TASK_NOT_FOUND)",
    );
    expectError(
      ["task", "show", "x", "--site", s],
      "tessera-workflow: UsageError: command-argument value 'x' is invalid for argument 'id'. expected a task id (a positive integer) like 12, got \"x\" (see `tessera-workflow task show --help`)",
    );
    expectError(
      ["task", "ls", "--site", s, "--state", "DONE"],
      /^tessera-workflow: UsageError: option '--state <state>' argument 'DONE' is invalid\. Allowed choices are CREATED, .*\(see `tessera-workflow task ls --help`\)\n$/,
    );
    expectError(
      ["launch", "--site", s, "--spawn-helper", "bogus"],
      "tessera-workflow: UsageError: option '--spawn-helper <kind>' argument 'bogus' is invalid. Allowed choices are auto, python, perl, node. (see `tessera-workflow launch --help`)",
    );
    expectError(
      ["launch", "--site", s, "--max-cpus", "0"],
      "tessera-workflow: UsageError: option '--max-cpus <n>' argument '0' is invalid. expected an integer from 1 to 100000 like 4, got \"0\" (see `tessera-workflow launch --help`)",
    );
    expectError(
      ["events", "--site", s, "--since", "yesterday-ish"],
      "tessera-workflow: UsageError: option '--since <time>' argument 'yesterday-ish' is invalid. expected ms since epoch, an ISO date or a relative time like -5m (-30s, -2h), got \"yesterday-ish\" (see `tessera-workflow events --help`)",
    );
    expectError(
      ["status", "--site", join(s, "missing")],
      `tessera-workflow: SiteNotFoundError: no site at ${join(s, "missing")}: expected a directory with tessera.db (run "site init ${join(s, "missing")}") (code SITE_NOT_FOUND)`,
    );
    writeFileSync(join(s, "tessera.db"), "garbage ".repeat(1000));
    for (const f of ["tessera.db-wal", "tessera.db-shm"]) writeFileSync(join(s, f), "");
    expectError(
      ["status", "--site", s],
      /^tessera-workflow: SiteCorruptError: site database .*tessera\.db is unreadable: .* \(code SITE_CORRUPT\)\n$/,
    );
  });

  it("a bare command group prints its help on stdout and exits 0", () => {
    for (const group of [[], ["task"], ["app"], ["site"]]) {
      const r = cli(group);
      expect(r.code, group.join(" ")).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: tessera-workflow${group.map((g) => ` ${g}`).join("")} `));
      expect(r.stderr).toBe("");
    }
  });
});
