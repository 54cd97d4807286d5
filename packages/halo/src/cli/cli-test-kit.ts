// Test helpers of the `tessera halo` command tests (not exported by the package).
import { runCli } from "@tessera/cli";
import { plantedHalos } from "@tessera/phantom";
import { captureOutput } from "@tessera/testkit";
import { Command } from "commander";
import type { GenericIOArray } from "../genericio/format.js";
import { openGenericIO } from "../genericio/read.js";
import { writeGenericIO } from "../genericio/write.js";
import { haloCommand } from "./halo-command.js";

/** Run `tessera halo <args>` through runCli, capturing stdout, stderr and the exit status. */
export async function halo(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return captureOutput(() =>
    runCli(new Command("tessera").addCommand(haloCommand()), ["node", "tessera", "halo", ...args]),
  );
}

/** The last stdout line, parsed as JSON. */
export function lastJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split("\n").at(-1) as string);
}

/** A planted-halo box and its particles in separate columns, ids shuffled (not the row index). */
export function plantedBox(seed: number, options: { haloCount?: number; background?: number } = {}) {
  const p = plantedHalos({
    seed,
    boxSize: 60,
    haloCount: options.haloCount ?? 10,
    particlesPerHalo: [20, 200],
    backgroundParticles: options.background ?? 1500,
    linkingLength: 0.6,
  });
  const n = p.positions.length / 3;
  const col = (src: Float32Array, k: number) => Float32Array.from({ length: n }, (_, i) => src[3 * i + k]);
  // ids: a fixed permutation of 5000 … 5000 + n − 1, so the smallest id is not the first row
  const ids = new BigInt64Array(n);
  for (let i = 0; i < n; i++) ids[i] = BigInt(5000 + ((i * 7919) % n));
  return {
    planted: p,
    n,
    columns: {
      x: col(p.positions, 0),
      y: col(p.positions, 1),
      z: col(p.positions, 2),
      vx: col(p.velocities, 0),
      vy: col(p.velocities, 1),
      vz: col(p.velocities, 2),
      id: ids,
    },
  };
}

/** Write particle columns as a GenericIO file split into `ranks` ranks, box L. */
export async function writeParticles(
  path: string,
  columns: Record<string, GenericIOArray>,
  boxSize: number,
  ranks = 1,
): Promise<void> {
  const names = Object.keys(columns);
  const n = columns[names[0]].length;
  const cuts = Array.from({ length: ranks + 1 }, (_, r) => Math.round((r * n) / ranks));
  await writeGenericIO(path, {
    variables: names.map((name) => ({
      name,
      type: columns[name] instanceof BigInt64Array ? "i64" : "f32",
      flags: {
        isPhysCoordX: name === "x",
        isPhysCoordY: name === "y",
        isPhysCoordZ: name === "z",
      },
    })),
    ranks: Array.from({ length: ranks }, (_, r) => ({
      columns: Object.fromEntries(names.map((name) => [name, columns[name].subarray(cuts[r], cuts[r + 1])])),
    })) as { columns: Record<string, GenericIOArray> }[],
    physScale: [boxSize, boxSize, boxSize],
  });
}

/** Every column of a GenericIO file. */
export async function readAll(path: string): Promise<Record<string, GenericIOArray>> {
  const f = await openGenericIO(path);
  try {
    return await f.readColumns();
  } finally {
    await f.close();
  }
}

/** Groups (sets of ids, as sorted strings) of a tags table, sorted. */
export function groupsOfTags(tags: Record<string, GenericIOArray>): string[] {
  const by = new Map<bigint, bigint[]>();
  const id = tags.id as BigInt64Array;
  const tag = tags.fof_halo_tag as BigInt64Array;
  for (let i = 0; i < id.length; i++) {
    const list = by.get(tag[i]) ?? [];
    list.push(id[i]);
    by.set(tag[i], list);
  }
  return [...by.values()].map((l) => l.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(" ")).sort();
}
