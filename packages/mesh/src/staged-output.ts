import { rename, rm, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { OutputExistsError } from "@tessera/volume";

/** What is at `path`: "an existing folder", "an existing file", or undefined when nothing is. */
async function existing(path: string): Promise<string | undefined> {
  const s = await stat(path).catch(() => undefined);
  if (s === undefined) return undefined;
  return s.isDirectory() ? "an existing folder" : "an existing file";
}

/**
 * Refuse an output that exists already unless `overwrite`: throws {@link OutputExistsError} naming the
 * path, the `overwrite` field and what was found. Call it before any work, so a refused run costs nothing.
 */
export async function assertOutputFree(output: string, overwrite: boolean): Promise<void> {
  const found = overwrite ? undefined : await existing(output);
  if (found !== undefined) {
    throw new OutputExistsError("output exists already", {
      path: output,
      field: "overwrite",
      expected: "no file or folder at the output path, or --overwrite to replace it",
      found,
    });
  }
}

/**
 * Run `write(folder)` on a staging folder beside `output` (`<output>.writing-<pid>`) and move it into
 * place only when it succeeds: on an error the staging folder is removed and `output` is untouched.
 * With `overwrite`, an existing output is replaced only once the new one is complete; without it,
 * an output that appeared meanwhile is refused with {@link OutputExistsError}.
 */
export async function writeStaged<T>(
  output: string,
  overwrite: boolean,
  write: (folder: string) => Promise<T>,
): Promise<T> {
  const target = resolve(output);
  const staging = `${target}.writing-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    const result = await write(staging);
    await assertOutputFree(output, overwrite);
    if ((await existing(target)) === undefined) {
      await rename(staging, target);
      return result;
    }
    const replaced = `${target}.replaced-${process.pid}`;
    await rename(target, replaced);
    try {
      await rename(staging, target);
    } catch (error) {
      await rename(replaced, target);
      throw error;
    }
    await rm(replaced, { recursive: true, force: true });
    return result;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
