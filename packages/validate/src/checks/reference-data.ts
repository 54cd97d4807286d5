import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** The default shared data folder: `$TESSERA_SHARED_DATA`, else `../shared/data` relative to the working directory (the repo root). */
export function defaultDataDir(): string {
  return process.env.TESSERA_SHARED_DATA ?? resolve(process.cwd(), "../shared/data");
}

/** Path of a file under the DESCQA data folder (`<dataDir>/cosmo/descqa/...`). */
export function descqaPath(dataDir: string, rel: string): string {
  return join(dataDir, "cosmo", "descqa", rel);
}

/** Whether the shared data folder holds `cosmo/`. */
export function hasSharedData(dataDir: string): boolean {
  return existsSync(join(dataDir, "cosmo"));
}
