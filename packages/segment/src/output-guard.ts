import { rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { OutputExistsError } from "@tessera/volume";

/** An output a step is about to write, and what it is (for the message). */
export interface Output {
  path: string;
  /** What the output is: `fragments`, `segmentation`, `agglomeration`, ... */
  what: string;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

/**
 * Refuse to write over existing outputs: throws {@link OutputExistsError} naming every output that
 * exists already, unless `overwrite` (`--overwrite`, or `"overwrite": true` in the config).
 */
export async function refuseExisting(outputs: readonly Output[], overwrite: boolean): Promise<void> {
  if (overwrite) return;
  const found: Output[] = [];
  for (const output of outputs) if (await exists(output.path)) found.push(output);
  if (found.length === 0) return;
  const names = found.map((o) => o.what);
  const list =
    names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  const summary = `the ${list} output${names.length === 1 ? " exists" : "s exist"} already`;
  throw new OutputExistsError(summary, {
    path: found.map((o) => o.path).join(", "),
    field: "overwrite",
    expected: "no file at the output path, or --overwrite to replace it",
    found: "an existing file or folder",
  });
}

/** Where an output is written before it is complete: a hidden sibling, so the rename into place is atomic. */
export function stagingPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.partial-${process.pid}`);
}

/** Move a complete `staging` output to `path`, replacing what is there (old output removed only after the move). */
async function publish(staging: string, path: string): Promise<void> {
  if (await exists(path)) {
    const old = join(dirname(path), `.${basename(path)}.replaced-${process.pid}`);
    await rm(old, { recursive: true, force: true });
    await rename(path, old);
    await rename(staging, path);
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(staging, path);
  }
}

/**
 * Run `work` with a staging path for each of `paths`, then move each staged output into place. When
 * `work` fails nothing is moved and the staging paths are removed, so an output is either complete
 * or absent, and an output being replaced stays as it was until its replacement is complete.
 */
export async function withStaging<T>(
  paths: readonly string[],
  work: (staging: string[]) => Promise<T>,
): Promise<T> {
  const staging = paths.map(stagingPath);
  const cleanup = () => Promise.all(staging.map((s) => rm(s, { recursive: true, force: true })));
  await cleanup();
  let result: T;
  try {
    result = await work(staging);
  } catch (error) {
    await cleanup();
    throw error;
  }
  for (let i = 0; i < paths.length; i++) await publish(staging[i], paths[i]);
  return result;
}
