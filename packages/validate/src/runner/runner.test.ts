import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValidationTest } from "../checks/result.js";
import { SHARED_DATA, writeFixtureCatalogs, writeFixtureTests } from "./fixtures.js";
import { sha256File } from "./provenance.js";
import { type CellStatus, type RunSummary, runValidation, slugify } from "./runner.js";
import { type LoadedTest, loadTestConfig, TestConfigError } from "./test-config.js";

const dir = tempDir("validate-runner-");
afterAll(() => dir.cleanup());
let cats: { good: string; bad: string; rows: number };
let tests: LoadedTest[];
let summary: RunSummary;
const out = () => join(dir.path, "report");

class Boom extends Error {
  override name = "BoomError";
}
const throwing: LoadedTest = {
  name: "throws",
  kind: "custom",
  config: {},
  test: {
    name: "throws",
    config: {},
    run: async () => {
      throw new Boom("injected failure in the test");
    },
  } satisfies ValidationTest,
};

beforeAll(async () => {
  cats = await writeFixtureCatalogs(dir.path);
  tests = await Promise.all(writeFixtureTests(dir.path).map(loadTestConfig));
  summary = await runValidation({
    catalogs: [cats.good, cats.bad],
    tests: [...tests, throwing],
    out: out(),
    dataDir: SHARED_DATA,
    report: false,
  });
}, 30_000);

const status = (c: string, t: string) =>
  JSON.parse(readFileSync(join(out(), c, t, "status.json"), "utf8")) as CellStatus;

describe("runValidation", () => {
  it("gives the expected matrix on a good and a bad catalog", () => {
    const matrix = Object.fromEntries(summary.cells.map((c) => [`${c.catalog}/${c.test}`, c.status]));
    expect(matrix).toEqual({
      "good/hmf": "PASSED",
      "good/smf": "FAILED", // Moster 2013 centrals vs Li & White 2009 with its small errors: χ²/dof ≫ 2
      "good/nz": "SKIPPED",
      "good/readiness": "PASSED",
      "good/throws": "ERROR",
      "bad/hmf": "PASSED", // NaN masses fall outside every bin; duplicate ids do not change counts
      "bad/smf": "FAILED",
      "bad/nz": "SKIPPED",
      "bad/readiness": "FAILED",
      "bad/throws": "ERROR",
    });
    expect(summary.counts.ERROR).toBe(2);
    expect(Number.isFinite(status("good", "smf").score)).toBe(true);
    expect(status("bad", "readiness").summary).toMatch(/duplicate ids/);
    expect(status("bad", "readiness").summary).toMatch(/NaN/);
  });

  it("records a throwing test as ERROR with its stack trace while the other cells complete", () => {
    const s = status("good", "throws");
    expect(s.status).toBe("ERROR");
    expect(s.summary).toBe("ERROR: BoomError: injected failure in the test");
    expect(s.error?.stack).toMatch(/BoomError: injected failure[\s\S]*runner\.test\.ts/);
    expect(readFileSync(join(out(), "good", "throws", "cell.log"), "utf8")).toMatch(/threw BoomError/);
    expect(status("bad", "readiness").status).toBe("FAILED"); // a later cell still ran
  });

  it("writes status.json, data.json, the log and SVG plots per cell", () => {
    const s = status("good", "hmf");
    expect(s.score).toBeLessThan(3);
    expect(s.seconds).toBeGreaterThan(0);
    expect(s.plots).toEqual(["plots/plot-0.svg"]);
    const svg = readFileSync(join(out(), "good", "hmf", "plots", "plot-0.svg"), "utf8");
    expect(svg).toMatch(/^<svg/);
    expect(svg.match(/<path/g)?.length).toBeGreaterThan(5);
    const data = JSON.parse(readFileSync(join(out(), "good", "hmf", "data.json"), "utf8"));
    expect(Object.keys(data).length).toBeGreaterThan(0);
    expect(readFileSync(join(out(), "good", "hmf", "cell.log"), "utf8")).toMatch(/finished PASSED/);
  });

  it("records provenance in summary.json", async () => {
    const s = JSON.parse(readFileSync(join(out(), "summary.json"), "utf8")) as RunSummary;
    expect(s.versions["@tessera/validate"]).toMatch(/^\d+\.\d+\.\d+/);
    expect(s.versions.vega).toMatch(/^6\./);
    expect(s.catalogs[0].configSha256).toBe(await sha256File(cats.good));
    expect(s.tests[0].configSha256).toBe(await sha256File(tests[0].file as string));
    expect(s.catalogs[0].inputs[0]).toMatchObject({
      kind: "directory",
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(Date.parse(s.finishedAt)).toBeGreaterThanOrEqual(Date.parse(s.startedAt));
  });

  it("refuses a non-empty output folder without --overwrite, and one that is not a report with it", async () => {
    await expect(runValidation({ catalogs: [cats.good], tests: [], out: out() })).rejects.toThrow(
      /not empty/,
    );
    await expect(
      runValidation({ catalogs: [cats.good], tests: [], out: dir.path, overwrite: true }),
    ).rejects.toThrow(/summary\.json/);
  });

  it("makes ERROR cells of a catalog that cannot be opened", async () => {
    const broken = join(dir.path, "nofiles.yaml");
    writeFileSync(broken, readFileSync(cats.good, "utf8").replace("good.zarr", "missing.zarr"));
    const s = await runValidation({
      catalogs: [broken],
      tests: tests.slice(3),
      out: join(dir.path, "r2"),
      report: false,
    });
    expect(s.cells.map((c) => c.status)).toEqual(["ERROR"]);
  });
});

describe("test configs", () => {
  const cfg = (name: string, text: string) => {
    const p = join(dir.path, name);
    writeFileSync(p, text);
    return p;
  };
  it("names the file, key and line of a bad value", async () => {
    const p = cfg(
      "bad-bins.yaml",
      "test: halo-mass-function\nthreshold: 2\nbins:\n  min: 13\n  max: twelve\n",
    );
    const e = (await loadTestConfig(p).catch((x) => x)) as TestConfigError;
    expect(e).toBeInstanceOf(TestConfigError);
    expect(e.file).toBe(p);
    expect(e.key).toBe("bins.max");
    expect(e.line).toBe(5);
    expect(e.message).toContain(`${p}:5`);
  });
  it("names an unknown key and an unknown test kind", async () => {
    const e1 = (await loadTestConfig(cfg("k.yaml", "test: readiness\nfoo: 1\n")).catch(
      (x) => x,
    )) as TestConfigError;
    expect([e1.key, e1.line]).toEqual(["foo", 2]);
    const e2 = (await loadTestConfig(cfg("t.yaml", "# x\ntest: hmf\n")).catch((x) => x)) as TestConfigError;
    expect([e2.key, e2.line]).toEqual(["test", 2]);
    expect(e2.message).toMatch(/halo-mass-function/);
    const e3 = (await loadTestConfig(cfg("y.yaml", "test: nz\n  bad: [\n")).catch(
      (x) => x,
    )) as TestConfigError;
    expect(e3.key).toBe("(syntax)");
    expect(e3.line).toBeGreaterThan(0);
  });
  it("makes unique file-safe slugs", () => {
    const taken = new Set<string>();
    expect(slugify("<script>alert(1)</script>", taken)).toBe("script_alert_1_script_");
    expect(slugify("../../etc", taken)).toBe("etc");
    expect(slugify("ETC", taken)).toBe("ETC-2");
  });
});
