import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";

function stagingName(path: string, what: string): string {
  return join(dirname(path), `.${basename(path)}.${what}-${process.pid}-${randomBytes(4).toString("hex")}`);
}

/** Write a file whole or not at all: a temporary file beside it, then a rename over it. */
export function writeFileAtomic(path: string, text: string): void {
  const staging = stagingName(path, "partial");
  try {
    writeFileSync(staging, text);
    renameSync(staging, path);
  } catch (error) {
    rmSync(staging, { force: true });
    throw error;
  }
}

/** True when `path` is a folder with nothing in it. */
export function isEmptyFolder(path: string): boolean {
  return statSync(path).isDirectory() && readdirSync(path).length === 0;
}

/**
 * Create the folder `dir` (missing, or empty) with its contents, all or nothing: `populate` fills a
 * staging folder beside the highest missing ancestor, which is then renamed into place. On error the
 * staging folder is removed, and nothing appears at `dir` or above it.
 */
export async function createFolderAtomically(
  dir: string,
  populate: (staged: string) => void | Promise<void>,
): Promise<void> {
  let top = dir;
  while (!existsSync(dirname(top)) && dirname(top) !== top) top = dirname(top);
  const staging = stagingName(top, "partial");
  const staged = join(staging, relative(top, dir));
  try {
    mkdirSync(staged, { recursive: true });
    await populate(staged);
    // rename(2) replaces an empty folder, so an empty `dir` is fine
    renameSync(staging, top);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Fill an existing folder with `populate`; if it throws, every entry that was not there before is
 * removed again (entries that were there are left as they were, so `populate` must not change them
 * unless it replaces them atomically).
 */
export async function populateOrUndo(
  dir: string,
  populate: (dir: string) => void | Promise<void>,
): Promise<void> {
  const before = new Set(readdirSync(dir));
  try {
    await populate(dir);
  } catch (error) {
    for (const entry of readdirSync(dir)) {
      if (!before.has(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
    }
    throw error;
  }
}
