import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ExitCode } from "./exit-codes.js";
import * as parse from "./options.js";
import { runCli } from "./run-cli.js";

class BadThingError extends Error {
  readonly exitStatus = 2;
  constructor(message: string) {
    super(message);
    this.name = "BadThingError";
  }
}

/** `prog grp leaf --shape <z,y,x>` whose action throws what `fail` says. */
function program(fail: () => unknown = () => undefined): Command {
  const root = new Command("prog").description("root of the test program");
  const grp = root
    .command("grp")
    .description("a group")
    .addHelpText("after", "\nExamples:\n  $ prog grp leaf\n");
  grp
    .command("leaf")
    .description("a leaf")
    .option("--shape <z,y,x>", "shape", parse.integers("64,256,256", { count: 3 }))
    .action(() => {
      const error = fail();
      if (error !== undefined) throw error;
      process.stdout.write("leaf ran\n");
    });
  return root;
}

let out = "";
let err = "";
beforeEach(() => {
  out = "";
  err = "";
  process.exitCode = undefined;
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

const run = (args: string[], fail?: () => unknown) => runCli(program(fail), ["node", "prog", ...args]);

describe("runCli", () => {
  it("prints help on stdout with exit 0 for the bare program and for a bare command group", async () => {
    await run([]);
    expect(out).toMatch(/^Usage: prog/);
    expect(out).toContain("grp");
    expect(err).toBe("");
    expect(process.exitCode).toBeUndefined();
    out = "";
    await run(["grp"]);
    expect(out).toMatch(/^Usage: prog grp/);
    expect(out).toContain("leaf");
    expect(out).toContain("Examples:\n  $ prog grp leaf\n");
    expect(process.exitCode).toBeUndefined();
  });

  it("runs the action; --help exits 0", async () => {
    await run(["grp", "leaf", "--shape", "1,2,3"]);
    expect(out).toBe("leaf ran\n");
    out = "";
    await run(["grp", "leaf", "--help"]);
    expect(out).toContain("--shape <z,y,x>");
    expect(process.exitCode).toBeUndefined();
  });

  it("turns option-parse errors into one UsageError line naming the command's help, exit 2", async () => {
    await run(["grp", "leaf", "--bogus"]);
    expect(err).toBe("prog: UsageError: unknown option '--bogus' (see `prog grp leaf --help`)\n");
    expect(process.exitCode).toBe(ExitCode.badInput);
    err = "";
    await run(["grp", "leaf", "--shape", "64,256"]);
    expect(err).toMatch(/^prog: UsageError: .*expected 3 integers ≥ 1 like 64,256,256, got "64,256"/);
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(process.exitCode).toBe(2);
    err = "";
    await run(["nope"]);
    expect(err).toMatch(/^prog: UsageError: unknown command 'nope'/);
    expect(process.exitCode).toBe(2);
  });

  it("reports typed errors by name with their exitStatus, missing paths as NotFoundError, the rest as internal (3)", async () => {
    await run(["grp", "leaf"], () => new BadThingError("the thing is bad; path: a.zarr"));
    expect(err).toBe("prog: BadThingError: the thing is bad; path: a.zarr\n");
    expect(process.exitCode).toBe(2);
    err = "";
    await run(["grp", "leaf"], () =>
      Object.assign(new Error("ENOENT: no such file, open 'x'"), { code: "ENOENT" }),
    );
    expect(err).toBe("prog: NotFoundError: ENOENT: no such file, open 'x'\n");
    expect(process.exitCode).toBe(2);
    err = "";
    await run(["grp", "leaf"], () => new TypeError("x is undefined"));
    expect(err).toMatch(
      /^prog: InternalError: TypeError: x is undefined \(a bug: rerun with TESSERA_DEBUG=1/,
    );
    expect(err).not.toContain("    at ");
    expect(process.exitCode).toBe(ExitCode.internal);
  });
});

describe("option parsers", () => {
  it("refuse bad values with the option's own example", () => {
    expect(() => parse.port("99999")).toThrow(/expected an integer from 0 to 65535 like 8080, got "99999"/);
    expect(() => parse.port("abc")).toThrow(/like 8080/);
    expect(parse.port("0")).toBe(0);
    expect(() => parse.range("0:16")("5:2")).toThrow(/start < stop like 0:16, got "5:2"/);
    expect(() => parse.range("0:16")("abc")).toThrow(/got "abc"/);
    expect(parse.range("0:16")("2:5")).toEqual([2, 5]);
    const resolution = parse.numbers("40,4,4", { count: 3, positive: true });
    expect(() => resolution("-10,10,10")).toThrow(/expected 3 positive numbers like 40,4,4/);
    expect(() => resolution("10,,10")).toThrow(/got "10,,10"/);
    expect(resolution("40,4.5,4")).toEqual([40, 4.5, 4]);
    expect(() => parse.integers("16,256,256")("16,0")).toThrow(/integers ≥ 1/);
    expect(() => parse.number(0, 1, "0.5")("1.5")).toThrow(/from 0 to 1 like 0.5/);
  });
});

describe("a closed stdout (built package)", () => {
  it("ends the program quietly with status 0 (tessera … | head -n 1)", async () => {
    const { spawnSync } = await import("node:child_process");
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { assertFreshBuilds } = await import("@tessera/testkit");
    const packageDir = new URL("..", import.meta.url).pathname;
    assertFreshBuilds([packageDir]);
    const script = join(mkdtempSync(join(tmpdir(), "tessera-cli-")), "many.mjs");
    writeFileSync(
      script,
      `import { createRequire } from "node:module";
      const require = createRequire(${JSON.stringify(join(packageDir, "package.json"))});
      const { Command } = require("commander");
      const { runCli } = await import(${JSON.stringify(join(packageDir, "dist", "index.js"))});
      const program = new Command("prog");
      program.command("many").action(() => { for (let i = 0; i < 200000; i++) process.stdout.write("line " + i + "\\n"); });
      await runCli(program);
      `,
    );
    const result = spawnSync("bash", ["-c", `set -o pipefail; node ${script} many | head -n 1`], {
      encoding: "utf8",
    });
    expect(result.stdout).toBe("line 0\n");
    expect(result.stderr).not.toMatch(/EPIPE/);
    expect(result.status).toBe(0);
  });
});
