/** A catalog as a zarr v2 group of 1-D column arrays (python zarr opens it). */
import { rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  Box,
  type CompressorConfig,
  createGroup,
  createVolume,
  type DataType,
  dtypeOfArray,
  writeFileAtomic,
} from "@tessera/volume";
import { type Catalog, catalogRows, ReduceError } from "./catalog.js";
import { temporaryPath } from "./output-files.js";
import { asciiJson, type CatalogProvenanceInput, catalogProvenance } from "./provenance.js";

/** Options of {@link writeCatalogZarr}. */
export interface WriteCatalogZarrOptions {
  /** Rows per chunk (default 65536). */
  chunkRows?: number;
  /** Chunk compressor (default zlib level 5, `@tessera/volume`'s default); `null` stores raw chunks. */
  compressor?: CompressorConfig | null;
  /** Replace an existing group at `path` (default false). */
  overwrite?: boolean;
  /** Provenance (tool, version, inputs, parameters, created are filled in when missing). */
  provenance?: CatalogProvenanceInput;
  /** Extra group attributes (e.g. step, redshift, boxSize). */
  attrs?: Record<string, unknown>;
}

/**
 * Write `catalog` as a zarr v2 group: one 1-D array per column (named as the column, its dtype,
 * C order, little-endian, chunks of `chunkRows`) through `@tessera/volume`, group `.zattrs`
 * `{ ...attrs, columns, rows, provenance }` and per-array `.zattrs` `{ _ARRAY_DIMENSIONS: ["row"] }`;
 * all `.zattrs` are pure ASCII (non-ASCII escaped as \uXXXX). The group is built in a temporary
 * folder beside `path` and renamed into place when complete.
 * @throws ReduceError for misaligned columns, a column name that is not a plain file name, an
 *   existing `path` without `overwrite`.
 */
export async function writeCatalogZarr(
  path: string,
  catalog: Catalog,
  options: WriteCatalogZarrOptions = {},
): Promise<{ path: string; rows: number }> {
  const rows = catalogRows(catalog);
  const names = Object.keys(catalog);
  for (const name of names) {
    if (name === "" || name.startsWith(".") || /[/\\\0]/.test(name)) {
      throw new ReduceError("a column name cannot be a zarr array name", {
        path,
        field: `columns.${name}`,
        expected: "a name without / \\ NUL, not starting with a dot",
        found: JSON.stringify(name),
      });
    }
  }
  const chunkRows = options.chunkRows ?? 65536;
  if (!Number.isInteger(chunkRows) || chunkRows < 1) {
    throw new ReduceError("chunkRows must be a positive integer", {
      path,
      field: "chunkRows",
      expected: "an integer ≥ 1",
      found: String(chunkRows),
    });
  }
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (exists && !options.overwrite) {
    throw new ReduceError("the output exists already", {
      path,
      field: "overwrite",
      expected: "no file at the path, or overwrite: true",
      found: "an existing file or folder",
    });
  }
  const provenance = catalogProvenance(
    { ...options.provenance, parameters: { chunkRows, ...options.provenance?.parameters } },
    "writeCatalogZarr",
  );
  const tmp = temporaryPath(path);
  let old: string | undefined;
  try {
    await createGroup(tmp);
    await writeFileAtomic(
      join(tmp, ".zattrs"),
      asciiJson({ ...options.attrs, columns: names, rows, provenance }),
    );
    for (const name of names) {
      const col = catalog[name];
      const dir = join(tmp, name);
      const volume = await createVolume(dir, {
        shape: [rows],
        chunks: [Math.max(1, Math.min(rows, chunkRows))],
        dtype: dtypeOfArray(col) as DataType,
        compressor: options.compressor,
      });
      await writeFileAtomic(join(dir, ".zattrs"), asciiJson({ _ARRAY_DIMENSIONS: ["row"] }));
      if (rows > 0) await volume.write(Box.fromShape([rows]), col);
    }
    if (exists) {
      old = temporaryPath(path);
      await rename(path, old);
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    if (old !== undefined) await rename(old, path).catch(() => {});
    throw error;
  }
  if (old !== undefined) await rm(old, { recursive: true, force: true });
  return { path, rows };
}
