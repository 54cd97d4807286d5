import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cli } from "../../test/helpers.js";

const GREET_YAML = `name: greet
argv: [sh, -c, 'printf "%s x%s\\n" "$0" "$1" > greeting.txt', "{who}", "{times}"]
params:
  type: object
  properties:
    who: { type: string, minLength: 1 }
    times: { type: integer, minimum: 1, default: 2 }
  required: [who]
  additionalProperties: false
outputs: [greeting.txt]
`;

let tmp: { path: string; cleanup: () => void };
let dir: string;
let site: string;
beforeEach(() => {
  tmp = tempDir("tessera-app-add-");
  dir = realpathSync(tmp.path);
  site = join(dir, "site");
  expect(cli(["site", "init", site]).code).toBe(0);
});
afterEach(() => tmp.cleanup());

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function expectError(args: string[], stderr: string) {
  const r = cli(args);
  expect(r.stderr).toBe(`${stderr}\n`);
  expect(r.stdout).toBe("");
  expect(r.code).toBe(2);
}

describe("app add", () => {
  it("adds a YAML app whose JSON Schema checks task params (all issues, defaults filled); it survives reopening and runs", () => {
    const added = cli(["app", "add", write("greet.yaml", GREET_YAML), "--site", site]);
    expect(added.stderr).toBe("");
    expect(added.stdout).toBe("greet\n");
    expect(added.code).toBe(0);
    // every command below is a new process: the app comes back from the site database
    expectError(
      ["task", "add", "--site", site, "--app", "greet", "-p", "times=0", "-p", "colour=red"],
      'tessera-workflow: ParamsInvalidError: app "greet": parameter "who" is invalid: expected a value (required), found nothing; parameter "colour" is invalid: expected no such parameter, found an unknown key; parameter "times" is invalid: expected a number >= 1, found 0 (code PARAMS_INVALID)',
    );
    expectError(
      ["task", "add", "--site", site, "--app", "greet", "-p", "who=3"],
      'tessera-workflow: ParamsInvalidError: app "greet": parameter "who" is invalid: expected string, found 3 (code PARAMS_INVALID)',
    );
    expect(cli(["task", "add", "--site", site, "--app", "greet", "-p", "who=world"]).stdout).toBe("1\n");
    expect(
      cli(["task", "add", "--site", site, "--app", "greet", "-p", "who=moon", "-p", "times=5"]).stdout,
    ).toBe("2\n");
    const shown = JSON.parse(cli(["task", "show", "1", "--site", site, "--json"]).stdout);
    expect(shown.task.params).toEqual({ who: "world", times: 2 });
    const run = cli(["launch", "--site", site, "--max-cpus", "2", "--poll-ms", "20"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(readFileSync(join(site, "data", "greet", "1", "greeting.txt"), "utf8")).toBe("world x2\n");
    expect(readFileSync(join(site, "data", "greet", "2", "greeting.txt"), "utf8")).toBe("moon x5\n");
  });

  it("adds a JSON app with resources and retry; app ls --json shows the stored definition", () => {
    const definition = {
      name: "count",
      argv: ["sh", "-c", "echo $0 > n.txt", "{n}"],
      params: {
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        properties: { n: { type: "integer" } },
        required: ["n"],
      },
      resources: { threadsPerRank: 2 },
      retry: { maxRetries: 3, backoffMs: 10 },
      walltimeMs: 30000,
    };
    expect(cli(["app", "add", write("count.json", JSON.stringify(definition)), "--site", site]).stdout).toBe(
      "count\n",
    );
    const [spec] = JSON.parse(cli(["app", "ls", "--site", site, "--json"]).stdout);
    expect(spec).toMatchObject({
      name: "count",
      argv: definition.argv,
      paramsSchema: definition.params,
      resources: { nodes: 1, ranksPerNode: 1, threadsPerRank: 2, gpusPerRank: 0 },
      retry: { maxRetries: 3, backoffMs: 10, timeoutRetries: 0 },
      walltimeMs: 30000,
    });
    expectError(
      ["task", "add", "--site", site, "--app", "count", "-p", "n=1.5"],
      'tessera-workflow: ParamsInvalidError: app "count": parameter "n" is invalid: expected integer, found 1.5 (code PARAMS_INVALID)',
    );
  });

  it("refuses an invalid definition naming every invalid field at once", () => {
    const bad = write(
      "bad.yaml",
      `name: 9lives
argv: []
params: { type: object, properties: { n: { type: integer, minimun: 0 } } }
retry: { maxRetries: -1, tries: 3 }
walltime: 5
`,
    );
    expectError(
      ["app", "add", bad, "--site", site],
      `tessera-workflow: AppDefinitionInvalidError: app definition ${bad} has 6 invalid fields: name: expected a name of letters, digits, '_', '.', '-', found "9lives"; argv: expected an array of at least 1 item, found []; retry.maxRetries: expected a number >= 0, found -1; retry.tries: unknown field (expected one of maxRetries, timeoutRetries, backoffMs, backoffFactor, maxBackoffMs); walltime: unknown field (expected one of name, description, argv, params, resources, retry, walltimeMs, env, inputs, outputs, version, toolVersions); params: not a valid JSON Schema: strict mode: unknown keyword: "minimun" (code APP_INVALID)`,
    );
    const placeholder = write(
      "placeholder.yaml",
      `name: echo\nargv: [echo, "{n}", "{m}"]\nparams: { type: object, properties: { n: { type: integer } }, additionalProperties: false }\n`,
    );
    expectError(
      ["app", "add", placeholder, "--site", site],
      `tessera-workflow: AppDefinitionInvalidError: app definition ${placeholder} has 1 invalid field: argv: placeholder {m} is not a property of the params schema, which allows no others (code APP_INVALID)`,
    );
    const notYaml = write("broken.yaml", "name: [unclosed\n");
    expectError(
      ["app", "add", notYaml, "--site", site],
      `tessera-workflow: AppDefinitionInvalidError: app definition ${notYaml} has 1 invalid field: (file): not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1 (code APP_INVALID)`,
    );
    const list = write("list.yaml", "- a\n- b\n");
    expectError(
      ["app", "add", list, "--site", site],
      `tessera-workflow: AppDefinitionInvalidError: app definition ${list} has 1 invalid field: (definition): expected a mapping with name and argv, found ["a","b"] (code APP_INVALID)`,
    );
    expectError(
      ["app", "add", join(dir, "missing.yaml"), "--site", site],
      `tessera-workflow: NotFoundError: ENOENT: no such file or directory, open '${join(dir, "missing.yaml")}'`,
    );
    expect(cli(["app", "ls", "--site", site]).stdout).toBe("");
  });

  it("refuses to replace an app unless --overwrite", () => {
    const file = write("greet.yaml", GREET_YAML);
    expect(cli(["app", "add", file, "--site", site]).code).toBe(0);
    expectError(
      ["app", "add", file, "--site", site],
      `tessera-workflow: OutputExistsError: app "greet" exists already; path: ${site}; field: overwrite; expected: a new app name, or --overwrite to replace its definition; found: app "greet" (code OUTPUT_EXISTS)`,
    );
    const other = write("greet2.yaml", "name: greet\nargv: [echo, hi]\n");
    const replaced = cli(["app", "add", other, "--site", site, "--overwrite"]);
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(cli(["app", "ls", "--site", site]).stdout).toBe("greet\techo hi\n");
  });

  it("`app example` prints a definition that app add accepts and that runs", () => {
    const example = cli(["app", "example"]);
    expect(example.code).toBe(0);
    expect(cli(["app", "add", write("example.yaml", example.stdout), "--site", site]).stdout).toBe("greet\n");
    expect(cli(["task", "add", "--site", site, "--app", "greet", "-p", "who=example"]).stdout).toBe("1\n");
    const run = cli(["launch", "--site", site, "--poll-ms", "20"]);
    expect(run.code, run.stdout).toBe(0);
    expect(readFileSync(join(site, "data", "greet", "1", "greeting.txt"), "utf8")).toBe("hello example\n");
  });
});
