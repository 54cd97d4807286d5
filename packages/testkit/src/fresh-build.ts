import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Newest modification time (ms) of the `.ts` sources under `dir`, tests excluded. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/**
 * Packages (folders holding `src/` and `dist/`) whose `dist/` is missing or older than a source file.
 * Tests that must run built code (a spawned CLI, worker threads) call this first so that they fail
 * loudly instead of silently testing a stale build.
 */
export function staleBuilds(packageDirs: string[]): string[] {
  return packageDirs.filter((dir) => {
    const built = join(dir, "dist", "index.js");
    if (!existsSync(built)) return true;
    return newestSource(join(dir, "src")) > statSync(built).mtimeMs;
  });
}

/** Throw, naming the packages and the command to run, when any of `packageDirs` has a stale `dist/`. */
export function assertFreshBuilds(packageDirs: string[]): void {
  const stale = staleBuilds(packageDirs);
  if (stale.length > 0) {
    throw new Error(
      `these packages' dist/ is missing or older than their sources: ${stale.join(", ")}; ` +
        "run `npm run build`, or `npx tsup` in each of them (npm test builds first)",
    );
  }
}
