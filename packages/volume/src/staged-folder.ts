import { mkdir, readdir, rename, rm, rmdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { OutputExistsError } from "./errors.js";

/** An output folder being written: files go to `staging`, then `commit` moves them into the folder. */
export interface StagedFolder {
  /** Folder inside the output folder to write the files into. */
  staging: string;
  /** Move every staged file into the output folder (one rename each) and remove the staging folder. */
  commit(): Promise<void>;
  /** Remove the staging folder, and the output folder too when this call created it. */
  abort(): Promise<void>;
}

/**
 * Open `folder` as the output of a writer of several files, so that a failed writer leaves it as it
 * was: refuse a file at the path, and a folder that holds anything unless `overwrite`; create the
 * folder when missing, and a staging folder `.<staging>-<pid>` inside it.
 */
export async function openOutputFolder(
  folder: string,
  options: { overwrite: boolean; staging: string },
): Promise<StagedFolder> {
  const info = await stat(folder).catch(() => undefined);
  if (info && !info.isDirectory()) {
    throw new OutputExistsError("output exists and is a file", {
      path: folder,
      field: "output folder",
      expected: "a new or empty folder",
      found: "a file",
    });
  }
  if (info && !options.overwrite) {
    const entries = await readdir(folder);
    if (entries.length > 0) {
      throw new OutputExistsError("output folder is not empty", {
        path: folder,
        field: "overwrite",
        expected:
          "a new or empty folder, or overwrite: true (--overwrite) to replace files of the same names",
        found: `${entries.length} ${entries.length === 1 ? "entry" : "entries"} (${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", …" : ""})`,
      });
    }
  }
  const created = await mkdir(folder, { recursive: true });
  const staging = join(folder, `.${options.staging}-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging);
  return {
    staging,
    async commit() {
      for (const name of (await readdir(staging)).sort()) {
        await rename(join(staging, name), join(folder, name));
      }
      await rmdir(staging);
    },
    async abort() {
      await rm(created ?? staging, { recursive: true, force: true });
    },
  };
}
