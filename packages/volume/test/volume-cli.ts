// Runs the built `tessera-volume` binary (dist/bin.js) as a subprocess, for the CLI tests.
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { join } from "node:path";
import { assertFreshBuilds } from "@tessera/testkit";

/** The volume package folder. */
export const volumeDir = join(import.meta.dirname, "..");

/** The built program under test. */
export const volumeBin = join(volumeDir, "dist", "bin.js");

/** Fail loudly when the volume package or the @tessera/cli it runs on was not rebuilt since the last edit. */
export function assertVolumeCliBuilt(): void {
  assertFreshBuilds([volumeDir, join(volumeDir, "..", "cli")]);
}

/** Run `tessera-volume ...args` in `cwd`, with plain (uncoloured) output. */
export function volumeCli(args: string[], cwd?: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [volumeBin, ...args], {
    encoding: "utf8",
    cwd,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  });
}

/** `{ status, stdout, stderr }` of a run, for one exact comparison. */
export function outcome(result: SpawnSyncReturns<string>): {
  status: number | null;
  stdout: string;
  stderr: string;
} {
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
