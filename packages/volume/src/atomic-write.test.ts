import { type ChildProcess, spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { Box } from "./box.js";
import { createVolume, openVolume } from "./volume.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
const writer = join(import.meta.dirname, "..", "test", "chunk-writer.mjs");

function startWriter(args: string[]): ChildProcess {
  return spawn(process.execPath, [writer, ...args], { stdio: ["ignore", "pipe", "inherit"] });
}

function waitForPasses(child: ChildProcess, passes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString().split("\n").filter(Boolean).length;
      if (seen >= passes) resolve();
    });
    child.on("exit", (code) => reject(new Error(`writer exited early with ${code}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}

describe("atomic chunk writes", () => {
  it("a writer killed with SIGKILL mid-write never leaves a torn chunk", async () => {
    // Big raw chunks (2 MiB) make each write slow enough that kills land inside writes.
    const path = join(tmp.path, "kill.zarr");
    const volume = await createVolume(path, {
      shape: [8, 512, 512],
      chunks: [8, 512, 512],
      compressor: null,
    });
    for (let round = 0; round < 6; round++) {
      const child = startWriter([path, "rewrite"]);
      await waitForPasses(child, 1);
      await new Promise((resolve) => setTimeout(resolve, 5 + round * 7));
      child.kill("SIGKILL");
      await exited(child);
      const data = (await volume.read()).data as Uint8Array;
      const first = data[0];
      expect(first).toBeGreaterThan(0);
      expect(data.every((v) => v === first)).toBe(true);
    }
    // temp files may be left behind by a kill, but never under a chunk's name
    const names = await readdir(path);
    expect(names.filter((n) => !n.endsWith(".tmp") && !n.startsWith("."))).toEqual(["0.0.0"]);
  }, 60_000);

  it("two processes writing interleaved z-slabs that share chunks lose no voxel", async () => {
    const path = join(tmp.path, "slabs.zarr");
    const volume = await createVolume(path, { shape: [16, 32, 32], chunks: [4, 16, 16] });
    const children = [startWriter([path, "slabs", "0", "5"]), startWriter([path, "slabs", "1", "5"])];
    const codes = await Promise.all(children.map(exited));
    expect(codes).toEqual([0, 0]);
    const reopened = await openVolume(path);
    for (let z = 0; z < 16; z++) {
      const slab = (await reopened.read(new Box([z, 0, 0], [z + 1, 32, 32]))).data as Uint8Array;
      expect(slab.every((v) => v === z + 1)).toBe(true);
    }
    expect(volume.chunks).toEqual([4, 16, 16]);
  }, 60_000);

  it("concurrent writes of disjoint boxes in one process keep each other's voxels", async () => {
    const volume = await createVolume(join(tmp.path, "inproc.zarr"), { shape: [4, 40], chunks: [4, 16] });
    const writes = [];
    for (let x = 0; x < 40; x += 3) {
      const box = new Box([0, x], [4, Math.min(x + 3, 40)]);
      writes.push(volume.write(box, new Uint8Array(box.size).fill(x + 1)));
    }
    await Promise.all(writes);
    const data = (await volume.read()).data as Uint8Array;
    for (let x = 0; x < 40; x++) expect(data[x]).toBe(x - (x % 3) + 1);
  });
});
