// The built `tessera-volume` never loses what is already written: an existing output is refused
// unless --overwrite (OutputExistsError, exit 2), --overwrite never replaces data that is not a zarr
// array, and a command that fails midway leaves no partial output (and the old one intact).
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { sharedData, tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertVolumeCliBuilt, outcome, volumeCli } from "../test/volume-cli.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
beforeAll(assertVolumeCliBuilt);

const gala = sharedData("em/gala");
const neuroproof = sharedData("em/neuroproof-sample2/grayscale");
const image = join(gala.path, "zarr", "train-image.zarr");
const imageH5 = join(gala.path, "train-image.h5");

/** Every file under `dir` (relative path → contents), to compare a folder before and after. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[path.slice(dir.length + 1)] = readFileSync(path).toString("base64");
  }
  return files;
}

/** Entries of `dir` left by a staged writer (`.importing-<pid>`, `.exporting-<pid>`). */
const leftovers = (dir: string) => readdirSync(dir).filter((n) => /\.(importing|exporting)-\d+$/.test(n));

describe.skipIf(!gala.available)("export-png output folder", () => {
  it("refuses a non-empty folder without --overwrite (files untouched); --overwrite replaces same-named files only", () => {
    const folder = join(tmp.path, "slices");
    mkdirSync(folder);
    writeFileSync(join(folder, "z0003.png"), "old slice");
    writeFileSync(join(folder, "notes.txt"), "mine");
    const refused = volumeCli(["export-png", image, folder, "--z", "3:5"]);
    expect(outcome(refused)).toEqual({
      status: 2,
      stdout: "",
      stderr: `tessera-volume: OutputExistsError: output folder is not empty; path: ${folder}; field: overwrite; expected: a new or empty folder, or overwrite: true (--overwrite) to replace files of the same names; found: 2 entries (notes.txt, z0003.png)\n`,
    });
    expect(snapshot(folder)).toEqual({
      "notes.txt": Buffer.from("mine").toString("base64"),
      "z0003.png": Buffer.from("old slice").toString("base64"),
    });
    const replaced = volumeCli(["export-png", image, folder, "--z", "3:5", "--overwrite"]);
    expect(outcome(replaced)).toEqual({ status: 0, stdout: `wrote 2 PNG files to ${folder}\n`, stderr: "" });
    expect(readdirSync(folder).sort()).toEqual(["notes.txt", "z0003.png", "z0004.png"]);
    expect(readFileSync(join(folder, "notes.txt"), "utf8")).toBe("mine");
    expect(readFileSync(join(folder, "z0003.png")).subarray(1, 4).toString()).toBe("PNG");
  });

  it("an empty existing folder is accepted; a file at the folder path is refused", () => {
    const empty = join(tmp.path, "empty-slices");
    mkdirSync(empty);
    expect(volumeCli(["export-png", image, empty, "--z", "0:1"]).status).toBe(0);
    expect(readdirSync(empty)).toEqual(["z0000.png"]);
    const file = join(tmp.path, "a-file");
    writeFileSync(file, "x");
    expect(outcome(volumeCli(["export-png", image, file, "--z", "0:1", "--overwrite"]))).toEqual({
      status: 2,
      stdout: "",
      stderr: `tessera-volume: OutputExistsError: output exists and is a file; path: ${file}; field: output folder; expected: a new or empty folder; found: a file\n`,
    });
  });

  it("an export that fails midway (corrupt chunk at z ≥ 25) leaves no folder, or the old folder as it was", () => {
    const broken = join(tmp.path, "broken.zarr");
    cpSync(image, broken, { recursive: true });
    truncateSync(join(broken, "1.0.0"), 10); // chunks are 25×50×100: z 25–49, first quarter
    const fresh = join(tmp.path, "broken-slices");
    const result = volumeCli(["export-png", broken, fresh]);
    expect(outcome(result)).toEqual({
      status: 2,
      stdout: "",
      stderr: `tessera-volume: CorruptChunkError: chunk cannot be decoded; path: ${join(broken, "1.0.0")}; field: chunk 1.0.0; expected: zlib data of uint8; found: Error: unexpected end of file\n`,
    });
    expect(existsSync(fresh)).toBe(false);
    const old = join(tmp.path, "old-slices");
    mkdirSync(old);
    writeFileSync(join(old, "z0000.png"), "old");
    const before = snapshot(old);
    expect(volumeCli(["export-png", broken, old, "--overwrite"]).status).toBe(2);
    expect(snapshot(old)).toEqual(before);
    expect(readdirSync(old)).toEqual(["z0000.png"]);
  });
});

describe.skipIf(!gala.available)("import output", () => {
  it("refuses an existing output without --overwrite, and leaves it as it was", () => {
    const output = join(tmp.path, "exists.zarr");
    expect(volumeCli(["import", imageH5, output, "--chunks", "25,50,100"]).status).toBe(0);
    const before = snapshot(output);
    expect(outcome(volumeCli(["import", imageH5, output]))).toEqual({
      status: 2,
      stdout: "",
      stderr: `tessera-volume: OutputExistsError: output exists already; path: ${output}; field: overwrite; expected: no file at the output path, or overwrite: true (--overwrite); found: a zarr array\n`,
    });
    expect(snapshot(output)).toEqual(before);
    const again = volumeCli(["import", imageH5, output, "--overwrite", "--chunks", "10,100,200"]);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(output, ".zarray"), "utf8")).chunks).toEqual([10, 100, 200]);
  });

  it("--overwrite never replaces a file or a folder that is not a zarr array", () => {
    const folder = join(tmp.path, "precious");
    mkdirSync(folder);
    writeFileSync(join(folder, "thesis.tex"), "years of work");
    expect(outcome(volumeCli(["import", imageH5, folder, "--overwrite"]))).toEqual({
      status: 2,
      stdout: "",
      stderr: `tessera-volume: OutputExistsError: output exists and is not a zarr array, so overwrite does not replace it; path: ${folder}; field: overwrite; expected: a zarr array or an empty folder at the output path (or a new path); found: a folder that is not a zarr array\n`,
    });
    expect(readdirSync(folder)).toEqual(["thesis.tex"]);
    const file = join(tmp.path, "precious.txt");
    writeFileSync(file, "keep");
    expect(volumeCli(["import", imageH5, file, "--overwrite"]).stderr).toMatch(
      /^tessera-volume: OutputExistsError: output exists and is not a zarr array.*found: a file\n$/,
    );
    expect(readFileSync(file, "utf8")).toBe("keep");
  });

  it.skipIf(!neuroproof.available)(
    "an import that fails midway (a corrupt 18th section) leaves no partial zarr, and the old output intact",
    () => {
      const sections = join(tmp.path, "sections");
      mkdirSync(sections);
      const names = readdirSync(neuroproof.path).sort().slice(0, 18);
      for (const name of names) copyFileSync(join(neuroproof.path, name), join(sections, name));
      truncateSync(join(sections, names[17]), 100); // after the first 16-section slab was written
      const fresh = join(tmp.path, "midway.zarr");
      const result = volumeCli(["import", sections, fresh]);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(
          `^tessera-volume: InvalidInputError: cannot decode PNG; path: ${join(sections, names[17])}; expected: a PNG file\n$`,
        ),
      );
      expect(existsSync(fresh)).toBe(false);
      expect(leftovers(tmp.path)).toEqual([]);

      const old = join(tmp.path, "old.zarr");
      expect(volumeCli(["import", imageH5, old]).status).toBe(0);
      const before = snapshot(old);
      expect(volumeCli(["import", sections, old, "--overwrite"]).status).toBe(2);
      expect(snapshot(old)).toEqual(before);
      expect(leftovers(tmp.path)).toEqual([]);
    },
  );
});
