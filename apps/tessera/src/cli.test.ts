import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sharedData, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";

const cli = join(import.meta.dirname, "..", "dist", "cli.js");
const tmp = tempDir();
afterAll(tmp.cleanup);

function tessera(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
}

describe("tessera CLI", () => {
  it("reports bad input as one typed line and exit status 2, without a stack trace", () => {
    const result = tessera("volume", "info", join(tmp.path, "missing.zarr"));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^tessera: PathNotFoundError: path not found; path: .*missing\.zarr/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("rejects malformed options as one UsageError line naming the command's help, exit 2", () => {
    const result = tessera("volume", "import", "a", "b", "--chunks", "0,1,x");
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /^tessera: UsageError: .*--chunks.*"0,1,x".* \(see `tessera volume import --help`\)\n$/,
    );
    const unknown = tessera("volume", "bogus");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe(
      "tessera: UsageError: unknown command 'bogus' (see `tessera volume --help`)\n",
    );
  });

  it("mounts the workflow commands: site init, then status of the empty site", () => {
    const site = join(tmp.path, "site");
    const init = tessera("site", "init", site);
    expect(init.status, init.stderr).toBe(0);
    expect(init.stdout.trim()).toBe(site);
    const status = tessera("status", "--site", site);
    expect(status.status, status.stderr).toBe(0);
  });

  const snemi = sharedData("em/gala-snemi-mini");
  it.skipIf(!snemi.available)("imports a multi-page TIFF, prints info, exports PNG slices", () => {
    const output = join(tmp.path, "labels.zarr");
    const imported = tessera(
      "volume",
      "import",
      join(snemi.path, "train-labels.tif"),
      output,
      "--chunks",
      "8,80,80",
    );
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/32×160×160 uint8, chunks 8×80×80/);
    const log = readFileSync(`${output}.log`, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(log.map((entry) => entry.msg)).toEqual(["started", "finished"]);
    expect(log[1].result.shape).toEqual([32, 160, 160]);
    const info = JSON.parse(tessera("volume", "info", output).stdout);
    expect(info.shape).toEqual([32, 160, 160]);
    expect(info.attrs.provenance.importedFrom).toMatch(/train-labels\.tif$/);
    const exported = tessera("volume", "export-png", output, join(tmp.path, "png"), "--z", "0:3");
    expect(exported.stdout).toMatch(/wrote 3 PNG files/);
  });
});
