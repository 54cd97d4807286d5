import { mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cli } from "../../test/helpers.js";

// plain objects, no imports: a module in a folder outside the repository cannot import zod
const APPS = `export const greet = { name: "greet", argv: ["sh", "-c", 'echo "hello $0" > out.txt', "{who}"] };\n`;

let tmp: { path: string; cleanup: () => void };
let dir: string;
beforeEach(() => {
  tmp = tempDir("tessera-site-init-");
  dir = realpathSync(tmp.path);
  writeFileSync(join(dir, "apps.mjs"), APPS);
});
afterEach(() => tmp.cleanup());

/** `site init` in `dir` (the current folder of the process) must fail with `stderr` and leave `dir` as it was. */
function expectRefused(args: string[], stderr: string) {
  const before = readdirSync(dir).sort();
  const r = cli(["site", "init", ...args], {}, { cwd: dir });
  expect(r.stderr).toBe(`${stderr}\n`);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(readdirSync(dir).sort()).toEqual(before);
}

describe("site init", () => {
  it("resolves --apps against the current folder, stores it absolute, and the site works from anywhere", () => {
    const r = cli(["site", "init", "site", "--apps", "./apps.mjs"], {}, { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${join(dir, "site")}\n`);
    const config = JSON.parse(readFileSync(join(dir, "site", "site.json"), "utf8"));
    expect(config.appModules).toEqual([join(dir, "apps.mjs")]);
    expect(readdirSync(join(dir, "site")).sort()).toEqual(["data", "logs", "site.json", "tessera.db"]);
    // from another folder: the module is found through its absolute path
    const ls = cli(["app", "ls", "--site", join(dir, "site")], {}, { cwd: "/" });
    expect(ls.stdout).toBe(`greet\tsh -c echo "hello $0" > out.txt {who}\n`);
    expect(ls.code).toBe(0);
  });

  it("refuses a bad app module before anything is written: no site, no staging folder left", () => {
    expectRefused(
      ["site", "--apps", "./missing.mjs"],
      `tessera-workflow: AppModuleError: app module ${join(dir, "missing.mjs")} cannot be used: no such file (expected an ES module exporting app definitions: objects with name and argv) (code APP_MODULE)`,
    );
    writeFileSync(join(dir, "throws.mjs"), `throw new Error("apps are broken");\n`);
    expectRefused(
      ["a/b/site", "--apps", "throws.mjs"],
      `tessera-workflow: AppModuleError: app module ${join(dir, "throws.mjs")} cannot be used: importing it failed: apps are broken (expected an ES module exporting app definitions: objects with name and argv) (code APP_MODULE)`,
    );
    writeFileSync(join(dir, "empty.mjs"), "export const answer = 42;\n");
    expectRefused(
      ["site", "--apps", "./empty.mjs"],
      `tessera-workflow: AppModuleError: app module ${join(dir, "empty.mjs")} cannot be used: it exports no app definition (expected an ES module exporting app definitions: objects with name and argv) (code APP_MODULE)`,
    );
    writeFileSync(join(dir, "bad.mjs"), `export const x = { name: "x", argv: ["true"], walltimeMs: -5 };\n`);
    expectRefused(
      ["site", "--apps", "./apps.mjs", "--apps", "./bad.mjs"],
      `tessera-workflow: AppModuleError: app module ${join(dir, "bad.mjs")} cannot be used: "app.walltimeMs" is invalid: expected a number > 0, found -5 (expected an ES module exporting app definitions: objects with name and argv) (code APP_MODULE)`,
    );
  });

  it("refuses an existing site unless --overwrite, which replaces site.json and keeps the tasks", () => {
    expect(cli(["site", "init", "site", "--apps", "./apps.mjs"], {}, { cwd: dir }).code).toBe(0);
    const site = join(dir, "site");
    expect(cli(["task", "add", "--site", site, "--app", "greet", "-p", "who=a"]).stdout).toBe("1\n");
    expectRefused(
      ["site"],
      `tessera-workflow: OutputExistsError: a site exists already; path: ${site}; field: overwrite; expected: a new or empty folder, or --overwrite to replace its site.json (its tasks are kept); found: a site with a task database (code OUTPUT_EXISTS)`,
    );
    writeFileSync(join(dir, "more.mjs"), `export const bye = { name: "bye", argv: ["echo", "bye"] };\n`);
    const again = cli(["site", "init", "site", "--apps", "more.mjs", "--overwrite"], {}, { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(site, "site.json"), "utf8")).appModules).toEqual([
      join(dir, "more.mjs"),
    ]);
    expect(cli(["app", "ls", "--site", site]).stdout).toBe("bye\techo bye\n");
    expect(cli(["task", "ls", "--site", site]).stdout).toBe("1\tREADY\tgreet\t\t\n");
  });

  it("in an existing folder, removes what it added when it fails, and keeps what was there", () => {
    const folder = join(dir, "project");
    mkdirSync(join(folder, "tessera.db"), { recursive: true }); // a folder where the database must go
    writeFileSync(join(folder, "notes.txt"), "mine\n");
    const r = cli(["site", "init", folder, "--overwrite"]);
    expect(r.stderr).toMatch(
      new RegExp(
        `^tessera-workflow: SiteCorruptError: site database ${join(folder, "tessera.db")} is unreadable: .* \\(code SITE_CORRUPT\\)\\n$`,
      ),
    );
    expect(r.code).toBe(2);
    expect(readdirSync(folder).sort()).toEqual(["notes.txt", "tessera.db"]);
    expect(readFileSync(join(folder, "notes.txt"), "utf8")).toBe("mine\n");
  });

  it("creates a site in an empty folder and in a missing nested one", () => {
    mkdirSync(join(dir, "empty"));
    for (const target of ["empty", "x/y/z"]) {
      const r = cli(["site", "init", target], {}, { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(readdirSync(join(dir, target)).sort()).toEqual(["data", "logs", "site.json", "tessera.db"]);
    }
    expect(readdirSync(dir).sort()).toEqual(["apps.mjs", "empty", "x"]);
  });
});
