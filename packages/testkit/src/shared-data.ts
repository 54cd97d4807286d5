import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

function findRepoRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, "nx.json"))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

/** Root of the monorepo (the nearest folder above this file that holds `nx.json`). */
export const repoRoot: string = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

/**
 * Folder of the shared public datasets: `$TESSERA_SHARED_DATA`, else `../shared/data` beside the
 * repository.
 */
export const sharedDataRoot: string = process.env.TESSERA_SHARED_DATA ?? resolve(repoRoot, "../shared/data");

/** Whether data-dependent tests must fail instead of skipping (`TESSERA_REQUIRE_DATA=1`, set by CI). */
export const requireData: boolean = process.env.TESSERA_REQUIRE_DATA === "1";

/** A dataset located under the shared data folder. */
export interface SharedDataset {
  /** Absolute path of the dataset (file or folder). */
  path: string;
  /** True when the path exists. */
  available: boolean;
}

/**
 * Locate `relativePath` under the shared data folder. When it is missing, warn loudly (tests then
 * skip with `describe.skipIf(!ds.available)`), or throw when `TESSERA_REQUIRE_DATA=1`, so that a
 * CI run without its data fails instead of passing empty.
 */
export function sharedData(relativePath: string): SharedDataset {
  const path = join(sharedDataRoot, relativePath);
  const available = existsSync(path);
  if (!available) {
    const message = `shared dataset missing: ${path} (set TESSERA_SHARED_DATA or place ../shared/data beside the repo)`;
    if (requireData) throw new Error(`${message}; TESSERA_REQUIRE_DATA=1 forbids skipping`);
    console.warn(`\n!!! SKIPPING: ${message}\n`);
  }
  return { path, available };
}
