import { readdir, stat } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { NotAZarrArrayError, PathNotFoundError, type VolumeError } from "./errors.js";
import { listHdf5Datasets } from "./hdf5.js";
import { isHdf5File } from "./hdf5-signature.js";

const EXPECTED = "a zarr v2 array (a folder with .zarray)";

/** `word` as one shell word: quoted when it holds anything but `[\w./:@%+=,-]`. */
function shellWord(word: string): string {
  return /^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The `tessera volume import` command that converts the HDF5 file `file` to zarr. */
async function convertHint(file: string): Promise<{ command: string; datasets: string[] }> {
  const datasets = await listHdf5Datasets(file).catch(() => [] as string[]);
  const output = `${basename(file, extname(file)) || "volume"}.zarr`;
  const dataset = datasets.length === 1 ? shellWord(datasets[0]) : "<name>";
  return {
    command: `tessera volume import ${shellWord(file)} ${shellWord(output)} --dataset ${dataset}`,
    datasets,
  };
}

/**
 * The error to raise when `path` holds no zarr v2 array (no readable `.zarray`), saying what is
 * there instead: {@link PathNotFoundError} when nothing is; a {@link NotAZarrArrayError} that says
 * how to convert an HDF5 file (`tessera volume import <file> <out.zarr> --dataset <name>`), or that
 * says what else is there: a zarr group or a folder (naming the zarr arrays inside), zarr v3
 * metadata, or a plain file.
 */
export async function missingArrayError(path: string): Promise<VolumeError> {
  const info = await stat(path).catch(() => undefined);
  if (!info) {
    return new PathNotFoundError("path not found", {
      path,
      expected: EXPECTED,
      found: "nothing at this path",
    });
  }
  if (!info.isDirectory()) {
    if (isHdf5File(path)) {
      const { command, datasets } = await convertHint(path);
      return new NotAZarrArrayError(`not a zarr v2 array but an HDF5 file: convert it with \`${command}\``, {
        path,
        expected: EXPECTED,
        found: `an HDF5 file${datasets.length > 0 ? ` (datasets: ${datasets.join(", ")})` : ""}`,
      });
    }
    return new NotAZarrArrayError("not a zarr v2 array", {
      path,
      expected: EXPECTED,
      found: "a file (import image stacks and HDF5 files with `tessera volume import`)",
    });
  }
  const entries = (await readdir(path).catch(() => [] as string[])).sort();
  const arrays: string[] = [];
  for (const name of entries) {
    if ((await stat(join(path, name, ".zarray")).catch(() => undefined))?.isFile()) arrays.push(name);
  }
  let found = entries.includes(".zgroup") ? "a zarr group (.zgroup)" : "a folder without .zarray";
  if (entries.includes("zarr.json")) found = "zarr v3 metadata (zarr.json); Tessera reads zarr v2";
  if (arrays.length > 0) found += ` that holds the zarr arrays ${arrays.join(", ")}`;
  return new NotAZarrArrayError("not a zarr v2 array", { path, field: ".zarray", expected: EXPECTED, found });
}
