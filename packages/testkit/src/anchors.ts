import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { repoRoot, requireData } from "./shared-data.js";

/** The three C++ anchor drivers of `../shared/anchors` (see its README). */
export type AnchorName = "cc3d_bench" | "waterz_bench" | "zmesh_bench";

/** Folder of the anchor sources: `$TESSERA_ANCHORS`, else `../shared/anchors` beside the repository. */
export const anchorsRoot: string = process.env.TESSERA_ANCHORS ?? resolve(repoRoot, "../shared/anchors");

/**
 * Where the project builds the anchors (`shared/` is read-only): `$ANCHORS_BIN`, else
 * `node_modules/.cache/anchors` in the repository.
 */
export const anchorsBin: string = process.env.ANCHORS_BIN ?? join(repoRoot, "node_modules/.cache/anchors");

/**
 * Build the anchor drivers with `../shared/anchors/build.sh --out <anchorsBin>` (g++ and Debian's
 * `libboost-dev`; it rebuilds only what changed, about 25 s the first time). Returns the folder of
 * the binaries, or `undefined` with a loud warning when the sources or the compiler are missing;
 * under `TESSERA_REQUIRE_DATA=1` a missing or failed build throws instead.
 */
export function buildAnchors(options: { quiet?: boolean } = {}): string | undefined {
  const script = join(anchorsRoot, "build.sh");
  const fail = (message: string): undefined => {
    if (requireData) throw new Error(`${message}; TESSERA_REQUIRE_DATA=1 forbids skipping`);
    console.warn(`\n!!! SKIPPING: ${message}\n`);
    return undefined;
  };
  if (!existsSync(script)) return fail(`C++ anchors missing: ${script} (set TESSERA_ANCHORS)`);
  const result = spawnSync("bash", [script, "--out", anchorsBin], {
    encoding: "utf8",
    stdio: options.quiet ? "pipe" : ["ignore", "inherit", "inherit"],
  });
  if (result.status !== 0) {
    return fail(`building the C++ anchors failed (exit ${result.status}): ${result.stderr ?? ""}`.trim());
  }
  return anchorsBin;
}

/** The JSON line an anchor driver prints: timings plus its result statistics. */
export interface AnchorResult {
  tool: string;
  seconds: number[];
  median: number;
  [statistic: string]: unknown;
}

/**
 * Run one anchor driver (built by {@link buildAnchors}) with `args`, optionally pinned to one core
 * with `taskset -c <core>`; returns its parsed JSON line. Throws with stderr when it fails.
 */
export function runAnchor(
  name: AnchorName,
  args: string[],
  options: { pinCore?: number } = {},
): AnchorResult {
  const binary = join(anchorsBin, name);
  const pinned = options.pinCore !== undefined && existsSync("/usr/bin/taskset");
  const command = pinned ? "taskset" : binary;
  const argv = pinned ? ["-c", String(options.pinCore), binary, ...args] : args;
  const result = spawnSync(command, argv, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`${name} failed (exit ${result.status}): ${result.stderr}`);
  }
  const lines = result.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as AnchorResult;
}
