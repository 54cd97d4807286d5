// tessera validate run / mock through runCli: exit codes and bad-input messages.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "@tessera/cli";
import { captureOutput, tempDir } from "@tessera/testkit";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCatalog } from "../catalog/catalog.js";
import { SHARED_DATA, writeFixtureCatalogs, writeFixtureTests } from "../runner/fixtures.js";
import type { RunSummary } from "../runner/runner.js";
import { validateCommand } from "./validate-command.js";

const dir = tempDir("validate-cli-");
afterAll(() => dir.cleanup());
let cats: { good: string; bad: string; rows: number };
let tests: string[];

async function validate(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return captureOutput(() =>
    runCli(new Command("tessera").addCommand(validateCommand()), ["node", "tessera", "validate", ...args]),
  );
}

beforeAll(async () => {
  cats = await writeFixtureCatalogs(dir.path);
  tests = writeFixtureTests(dir.path);
}, 30_000);

const hmf = () => tests[0];
const readiness = () => tests[3];

describe("tessera validate run", () => {
  it("exits 0 when every cell ran, even with FAILED cells", async () => {
    const out = join(dir.path, "r0");
    const r = await validate([
      "run",
      "--catalog",
      cats.good,
      "--catalog",
      `broken=${cats.bad}`,
      "--test",
      hmf(),
      "--test",
      readiness(),
      "--out",
      out,
      "--data-dir",
      SHARED_DATA,
    ]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/validated 2 catalogs × 2 tests: 3 PASSED, 1 FAILED/);
    const s = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as RunSummary;
    expect(s.cells.map((c) => `${c.catalog}/${c.test}/${c.status}`)).toEqual([
      "good/hmf/PASSED",
      "good/readiness/PASSED",
      "broken/hmf/PASSED",
      "broken/readiness/FAILED",
    ]);
    expect(existsSync(join(out, "broken", "readiness", "index.html"))).toBe(true);
    // a second run into the same folder needs --overwrite
    const again = await validate(["run", "--catalog", cats.good, "--test", hmf(), "--out", out]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/not empty.*--overwrite/);
    expect(
      (await validate(["run", "--catalog", cats.good, "--test", hmf(), "--out", out, "--overwrite"])).status,
    ).toBe(0);
  });

  it("exits 1 when a cell is ERROR (the mass function of a catalog without a redshift)", async () => {
    const noz = join(dir.path, "noz.yaml");
    writeFileSync(noz, readFileSync(cats.good, "utf8").replace("redshift: 0\n", ""));
    const r = await validate([
      "run",
      "--catalog",
      noz,
      "--test",
      hmf(),
      "--test",
      readiness(),
      "--out",
      join(dir.path, "r1"),
      "--data-dir",
      SHARED_DATA,
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/ERROR noz × hmf: see .*noz\/hmf\/status\.json/);
    expect(r.stdout).toMatch(/1 PASSED, 1 ERROR/);
  });

  it("exits 2 on a bad test config, naming the file, key and line", async () => {
    const bad = join(dir.path, "bad-hmf.yaml");
    writeFileSync(bad, "test: halo-mass-function\nbins:\n  min: 13\n  count: -4\n");
    const r = await validate(["run", "--catalog", cats.good, "--test", bad, "--out", join(dir.path, "r2")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `tessera: TestConfigError: invalid config of test halo-mass-function; path: ${bad}:4; field: bins.count (line 4)`,
    );
    expect(existsSync(join(dir.path, "r2"))).toBe(false);
  });

  it("exits 2 on a bad catalog config, naming the file, key and line", async () => {
    const bad = join(dir.path, "bad-cat.yaml");
    writeFileSync(bad, readFileSync(cats.good, "utf8").replace("unit: Msun/h }", "unit: parsec }"));
    const r = await validate(["run", "--catalog", bad, "--test", hmf(), "--out", join(dir.path, "r3")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${bad.replace(/[.]/g, "\\.")}:\\d+; field: quantities\\.halo_mass`));
  });

  it("exits 2 on a catalog whose data files are missing", async () => {
    const gone = join(dir.path, "gone.yaml");
    writeFileSync(gone, readFileSync(cats.good, "utf8").replace("good.zarr", "nothing-*.zarr"));
    const r = await validate([
      "run",
      "--catalog",
      gone,
      "--test",
      readiness(),
      "--out",
      join(dir.path, "r6"),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /CatalogFileError: the file pattern matches no file; path: .*gone\.yaml:2; field: files \(line 2\)/,
    );
  });

  it("exits 2 on a missing file or option", async () => {
    const r = await validate([
      "run",
      "--catalog",
      join(dir.path, "nope.yaml"),
      "--test",
      hmf(),
      "--out",
      join(dir.path, "r4"),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nope\.yaml/);
    const u = await validate(["run", "--catalog", cats.good, "--out", join(dir.path, "r5")]);
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/UsageError: .*--test/);
  });

  it("ends every help text with an Examples: block naming `$ tessera validate`", async () => {
    for (const args of [["--help"], ["run", "--help"], ["mock", "--help"]]) {
      const r = await validate(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Examples:\n(\s+\$ tessera validate .+\n)+$/);
    }
  });
});

describe("tessera validate mock", () => {
  it("writes galaxies as a zarr catalog with provenance", async () => {
    const out = join(dir.path, "galaxies.zarr");
    const r = await validate([
      "mock",
      "--halos",
      cats.good,
      "--out",
      out,
      "--relation",
      "behroozi13",
      "--seed",
      "3",
      "--scatter",
      "0.2",
      "--hod",
    ]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const written = Number(/wrote (\d+) galaxies/.exec(r.stdout)?.[1]);
    expect(written).toBeGreaterThan(cats.rows); // centrals + satellites
    const attrs = JSON.parse(readFileSync(join(out, ".zattrs"), "utf8"));
    expect(attrs.rows).toBe(written);
    expect(attrs.provenance).toMatchObject({
      tool: "@tessera/validate",
      parameters: { relation: "behroozi13", seed: 3, scatterDex: 0.2, hod: true },
    });
    expect(attrs.mock.parameters.relation).toBe("behroozi13");
    expect(attrs.mock.counts.centrals).toBe(cats.rows);
    expect(attrs.mock.counts.satellites).toBe(written - cats.rows);
    // readable through a catalog config
    const yaml = join(dir.path, "galaxies.yaml");
    writeFileSync(
      yaml,
      `reader: zarr\nfiles: galaxies.zarr\ncosmology: OUTER_RIM\nboxSize: 200\nredshift: 0\nquantities:\n  galaxy_id: galaxy_id\n  stellar_mass: { column: stellar_mass, unit: Msun }\n`,
    );
    const cat = await openCatalog(yaml);
    let n = 0;
    for await (const chunk of cat.iterate({ quantities: ["galaxy_id"] })) n += chunk.galaxy_id.length;
    expect(n).toBe(written);
    const again = await validate(["mock", "--halos", cats.good, "--out", out]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/exists already/);
  });

  it("refuses an unknown relation", async () => {
    const r = await validate([
      "mock",
      "--halos",
      cats.good,
      "--out",
      join(dir.path, "x.zarr"),
      "--relation",
      "guo10",
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/UsageError: .*guo10.*moster13, behroozi13/);
  });
});
