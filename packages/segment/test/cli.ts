// Runs the BUILT `tessera-segment` (dist/bin.js) as a subprocess, the way a user does. Each test
// file that uses it first checks that dist/ (and that of @tessera/cli and @tessera/volume, which it
// imports) was built from the current sources, so a stale build fails loudly.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { emPhantom } from "@tessera/phantom";
import { assertFreshBuilds } from "@tessera/testkit";
import { Box, createVolume } from "@tessera/volume";

/** Folder of this package. */
export const segmentDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(segmentDir, "dist", "bin.js");

/** Fail unless the dist/ folders the binary runs are fresh. */
export function assertFreshBinary(): void {
  assertFreshBuilds([segmentDir, join(segmentDir, "..", "cli"), join(segmentDir, "..", "volume")]);
}

/** What a run of the binary gave. */
export interface BinResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run `tessera-segment ...args` in `cwd`; plain text output (no colours, no progress bars: stderr is a pipe). */
export function segmentBin(args: string[], cwd: string): BinResult {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", TESSERA_DEBUG: "" },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Write a small EM phantom as zarr volumes: `boundaries` (uint8, 255 on membranes, chunks 8×32×32)
 * and `groundtruth` (its cell labels, uint32). Returns their paths.
 */
export async function writePhantom(
  folder: string,
  shape: [number, number, number] = [16, 64, 64],
  seed = 2,
): Promise<{ boundaries: string; groundtruth: string }> {
  const phantom = emPhantom({ shape, resolutionNm: [40, 8, 8], seed });
  const boundaries = join(folder, "boundaries.zarr");
  const groundtruth = join(folder, "groundtruth.zarr");
  const attrs = { resolution: [40, 8, 8] };
  const b = await createVolume(boundaries, { shape, chunks: [8, 32, 32], dtype: "uint8", attrs });
  await b.write(
    Box.fromShape(shape),
    Uint8Array.from(phantom.boundaries, (v) => v * 255),
  );
  const g = await createVolume(groundtruth, { shape, chunks: [8, 32, 32], dtype: "uint32", attrs });
  await g.write(Box.fromShape(shape), Uint32Array.from(phantom.labels));
  return { boundaries, groundtruth };
}

/** sha256 of every file under `dir` (relative names and bytes), to tell whether anything changed. */
export function treeDigest(dir: string): string {
  const hash = createHash("sha256");
  const visit = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) visit(path);
      else hash.update(relative(dir, path)).update(readFileSync(path));
    }
  };
  visit(dir);
  return hash.digest("hex");
}

/**
 * The blockwise run config the CLI tests use on the phantom of {@link writePhantom}: outputs under
 * `out`, 8 × 32 × 32 blocks with 4 voxels of context, 2-D distance-seeded fragments.
 */
export function phantomRunConfig(boundaries: string, out: string, thresholds: number[]) {
  return {
    boundaries,
    fragments: join(out, "fragments.zarr"),
    graph: join(out, "graph"),
    segmentation: join(out, "segmentation.zarr"),
    blockShape: [8, 32, 32],
    context: 4,
    fragmentsOptions: { mode: "2d", minSeedDistance: 3 },
    agglomerate: { thresholds },
  };
}
