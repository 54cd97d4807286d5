import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assertFreshBuilds, repoRoot } from "@tessera/testkit";

/** This package's folder. */
export const meshPackage: string = fileURLToPath(new URL("..", import.meta.url));

/** The built `tessera-mesh` program. */
export const meshBin: string = join(meshPackage, "dist", "bin.js");

/**
 * Fail loudly unless the builds a spawned `tessera-mesh` runs are fresh: this package and the
 * packages its `dist/` imports at run time.
 */
export function assertFreshMeshBuild(): void {
  assertFreshBuilds([meshPackage, join(repoRoot, "packages", "cli"), join(repoRoot, "packages", "volume")]);
}

/** What a finished run of the program printed and returned. */
export interface BinResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run `node dist/bin.js …args` in `cwd`, plain text (no colours), without debug stacks. */
export function runMesh(args: string[], cwd: string): BinResult {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };
  delete env.TESSERA_DEBUG;
  const r = spawnSync(process.execPath, [meshBin, ...args], { cwd, env, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Sizes of every file under `dir`, added up (what a user's `du -b` shows for the files). */
export function filesBytes(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    bytes += entry.isDirectory() ? filesBytes(path) : statSync(path).size;
  }
  return bytes;
}
