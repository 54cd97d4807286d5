import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

/** The file, inside a package's `dist/`, that records the digest of the sources it was built from. */
export const SOURCE_DIGEST_FILE = ".source-digest";

/** Source files that a build reads. */
const SOURCE = /\.(ts|js|mjs|pl|py)$/;

/** The source files under `dir` (tests excluded), as sorted paths. */
function sources(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...sources(path));
    else if (SOURCE.test(entry.name) && !/\.test\.[mc]?[jt]s$/.test(entry.name)) found.push(path);
  }
  return found.sort();
}

/**
 * sha256 of a package's non-test sources (`.ts`, `.js`, `.mjs`, `.pl`, `.py`) under `src/` (relative paths and contents).
 * Content, not modification times: nx restores cached `dist/` folders with their original mtimes,
 * and a fresh clone gives every source a new one.
 */
export function sourceDigest(packageDir: string): string {
  const src = join(packageDir, "src");
  const hash = createHash("sha256");
  for (const path of sources(src)) {
    hash.update(relative(src, path)).update("\0").update(readFileSync(path)).update("\0");
  }
  return hash.digest("hex");
}

/** Record, in `dist/`, the digest of the sources just built (called by each package's tsup `onSuccess`). */
export function writeSourceDigest(packageDir: string): void {
  writeFileSync(join(packageDir, "dist", SOURCE_DIGEST_FILE), `${sourceDigest(packageDir)}\n`);
}

/**
 * Packages (folders holding `src/` and `dist/`) whose `dist/` is missing or was built from other
 * sources than the ones now in `src/`. Tests that must run built code (a spawned CLI, worker threads)
 * call this first so that they fail loudly instead of silently testing a stale build.
 */
export function staleBuilds(packageDirs: string[]): string[] {
  return packageDirs.filter((dir) => {
    const stamp = join(dir, "dist", SOURCE_DIGEST_FILE);
    if (!existsSync(join(dir, "dist", "index.js")) || !existsSync(stamp)) return true;
    return readFileSync(stamp, "utf8").trim() !== sourceDigest(dir);
  });
}

/** Throw, naming the packages and the command to run, when any of `packageDirs` has a stale `dist/`. */
export function assertFreshBuilds(packageDirs: string[]): void {
  const stale = staleBuilds(packageDirs);
  if (stale.length > 0) {
    throw new Error(
      `these packages' dist/ is missing or was built from other sources: ${stale.join(", ")}; ` +
        "run `npm run build`, or `npx tsup` in each of them (npm test builds first)",
    );
  }
}
