import { realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cli } from "../../test/helpers.js";

// `greet` takes {who} from params and {times} with a default; `plain` has no schema but needs {who}
const APPS = `name: greet
argv: [echo, "{who}", "{times}"]
params:
  type: object
  properties: { who: { type: string }, times: { type: integer, default: 1 } }
  additionalProperties: false
`;
const PLAIN = `export const plain = { name: "plain", argv: ["echo", "{who}", "{cfg.level}", "{taskId}"], outputs: ["{who}.txt"] };\n`;

let tmp: { path: string; cleanup: () => void };
let dir: string;
let site: string;
beforeEach(() => {
  tmp = tempDir("tessera-task-add-");
  dir = realpathSync(tmp.path);
  site = join(dir, "site");
  writeFileSync(join(dir, "plain.mjs"), PLAIN);
  writeFileSync(join(dir, "greet.yaml"), APPS);
  expect(cli(["site", "init", site, "--apps", join(dir, "plain.mjs")]).code).toBe(0);
  expect(cli(["app", "add", join(dir, "greet.yaml"), "--site", site]).code).toBe(0);
});
afterEach(() => tmp.cleanup());

function write(name: string, lines: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n")}\n`);
  return path;
}

function counts(): Record<string, number> {
  const all = JSON.parse(cli(["status", "--site", site, "--json"]).stdout).counts as Record<string, number>;
  return Object.fromEntries(Object.entries(all).filter(([, n]) => n > 0));
}

function expectError(args: string[], stderr: string, input?: string) {
  const r = cli(args, {}, { input });
  expect(r.stderr).toBe(`${stderr}\n`);
  expect(r.stdout).toBe("");
  expect(r.code).toBe(2);
}

describe("task add: template placeholders", () => {
  it("refuses a task whose argv/output placeholders have no value and no default, when it is added", () => {
    expectError(
      ["task", "add", "--site", site, "--app", "plain", "-p", "cfg={}"],
      'tessera-workflow: MissingParamsError: app "plain": template placeholders {who}, {cfg.level} have no value: expected parameters "who", "cfg.level" (or a default in the app\'s params schema) (code PARAMS_MISSING)',
    );
    expectError(
      ["task", "add", "--site", site, "--app", "greet"],
      'tessera-workflow: MissingParamsError: app "greet": template placeholder {who} has no value: expected parameter "who" (or a default in the app\'s params schema) (code PARAMS_MISSING)',
    );
    expect(counts()).toEqual({});
    // {times} has a default and {taskId} is built in: accepted
    expect(cli(["task", "add", "--site", site, "--app", "greet", "-p", "who=a"]).stdout).toBe("1\n");
    const ok = cli([
      "task",
      "add",
      "--site",
      site,
      "--app",
      "plain",
      "--params",
      '{"who":"b","cfg":{"level":3}}',
    ]);
    expect(ok.stdout, ok.stderr).toBe("2\n");
    expect(counts()).toEqual({ READY: 2 });
  });
});

describe("task add --from tasks.jsonl", () => {
  it("adds 10,000 tasks with keys, parents and tags in one process and one transaction, in seconds", () => {
    const lines: unknown[] = [];
    for (let i = 0; i < 5000; i++) {
      lines.push({ app: "greet", key: `a${i}`, params: { who: `w${i}` } });
      lines.push({
        app: "plain",
        params: { who: `v${i}`, cfg: { level: i } },
        parents: [`a${i}`],
        tags: ["child"],
      });
    }
    const file = write("tasks.jsonl", lines);
    const started = Date.now();
    const r = cli(["task", "add", "--site", site, "--from", file, "--tag", "bulk"]);
    const seconds = (Date.now() - started) / 1000;
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("added 10000 tasks: ids 1-10000\n");
    expect(r.code).toBe(0);
    // one process per task took 0.37 s each before (50 adds in 18.6 s): 10,000 would take an hour
    expect(seconds).toBeLessThan(30);
    expect(counts()).toEqual({ READY: 5000, AWAITING_PARENTS: 5000 });
    const children = cli(["task", "ls", "--site", site, "--tag", "child", "--limit", "2", "--json"]);
    const [first] = JSON.parse(children.stdout);
    expect(first).toMatchObject({ app: "plain", tags: ["child", "bulk"], params: { who: "v0" } });
    const shown = JSON.parse(cli(["task", "show", String(first.id), "--site", site, "--json"]).stdout);
    expect(shown.parents).toHaveLength(1);
    expect(
      JSON.parse(cli(["task", "show", String(shown.parents[0]), "--site", site, "--json"]).stdout).task
        .params,
    ).toEqual({
      who: "w0",
      times: 1,
    });
  });

  it("names every invalid line at once and adds nothing", () => {
    expect(cli(["task", "add", "--site", site, "--app", "greet", "-p", "who=x"]).stdout).toBe("1\n");
    const file = write("bad.jsonl", [
      { app: "greet", params: { who: "a" }, key: "a" },
      "not json",
      { app: "nope" },
      [1, 2],
      "",
      { app: "greet", params: { who: "b" }, parents: ["a", "zz"], colour: "red" },
      { app: "greet", params: { who: 5 } },
      { app: "greet", params: { who: "c" }, parents: [1, 999] },
      { app: "plain", params: { who: "d" } },
      { app: "greet", params: { who: "e" }, key: "a" },
    ]);
    expectError(
      ["task", "add", "--site", site, "--from", file],
      `tessera-workflow: TaskLinesInvalidError: ${file}: 8 invalid lines (2-4, 6-10), no task added: ` +
        `line 2: not JSON: Unexpected token 'o', "not json" is not valid JSON; ` +
        `line 3: unknown app "nope": expected one of [greet, plain] (add it with "app add <file>", registerApp, or a module in site.json "appModules"); ` +
        `line 4: expected a JSON object like {"app": "greet", "params": {…}}, found [1,2]; ` +
        `line 6: unknown field "colour": expected app, params, tags, parents, key, resources, workdir; ` +
        `line 6: parent "zz" is not the key of any line; ` +
        `line 7: app "greet": parameter "who" is invalid: expected string, found 5; ` +
        `line 8: parent task 999 does not exist on this site; ` +
        `line 9: app "plain": template placeholder {cfg.level} has no value: expected parameter "cfg.level" (or a default in the app's params schema); ` +
        `line 10: key "a" is used already on line 1 (code TASKS_INVALID)`,
    );
    expect(counts()).toEqual({ READY: 1 });
  });

  it("lists all the invalid line numbers as ranges and details the first ten", () => {
    const lines: unknown[] = [];
    for (let i = 0; i < 30; i++)
      lines.push(i % 10 === 9 ? { app: "greet", params: { who: "ok" } } : { app: "greet" });
    const file = write("many.jsonl", lines);
    const r = cli(["task", "add", "--site", site, "--from", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^tessera-workflow: TaskLinesInvalidError: ${file}: 27 invalid lines \\(1-9, 11-19, 21-29\\), no task added: line 1: .*; line 11: [^;]*; … 17 more \\(code TASKS_INVALID\\)\\n$`,
      ),
    );
    expect(r.stderr.match(/; line \d+: /g)).toHaveLength(9);
    expect(counts()).toEqual({});
  });

  it("refuses a parent cycle naming its lines, reads stdin with -, and refuses --from with --app", () => {
    const cycle = [
      { app: "greet", params: { who: "a" }, key: "a", parents: ["c"] },
      { app: "greet", params: { who: "free" } },
      { app: "greet", params: { who: "b" }, key: "b", parents: ["a"] },
      { app: "greet", params: { who: "c" }, key: "c", parents: ["b"] },
    ];
    const problem = "its parents form a cycle: a -> b -> c -> a; a task graph must be acyclic";
    expectError(
      ["task", "add", "--site", site, "--from", "-"],
      `tessera-workflow: TaskLinesInvalidError: stdin: 3 invalid lines (1, 3-4), no task added: line 1: ${problem}; line 3: ${problem}; line 4: ${problem} (code TASKS_INVALID)`,
      `${cycle.map((l) => JSON.stringify(l)).join("\n")}\n`,
    );
    const piped = cli(
      ["task", "add", "--site", site, "--from", "-"],
      {},
      { input: '{"app":"greet","params":{"who":"p"}}\n' },
    );
    expect(piped.stdout, piped.stderr).toBe("added 1 task: ids 1\n");
    expectError(
      ["task", "add", "--site", site, "--from", "-", "--app", "greet"],
      "tessera-workflow: UsageError: --from reads app, params, parents and resources from each line: give no --app, --params, -p, --parent or --resources with it (see `tessera-workflow task add --help`)",
      "",
    );
    expect(counts()).toEqual({ READY: 1 });
  });
});
