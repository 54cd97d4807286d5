import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { emPhantom } from "@tessera/phantom";
import { tempDir } from "@tessera/testkit";
import { Box, createVolume } from "@tessera/volume";
import { afterAll, describe, expect, it, vi } from "vitest";
import { meshCommand, serveCommand } from "./cli.js";
import { InvalidLabelsError } from "./errors.js";
import { decodePly } from "./ply.js";
import { readPrecomputedMesh } from "./precomputed.js";
import { meshTopology } from "./topology.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

async function run(args: string[]): Promise<void> {
  const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    await meshCommand().exitOverride().parseAsync(args, { from: "user" });
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe("tessera mesh", () => {
  const shape: [number, number, number] = [12, 32, 32];
  const res: [number, number, number] = [40, 8, 8];
  const seg = join(tmp.path, "seg.zarr");

  it("writes PLY meshes + meshes.json from a zarr segmentation, blockwise and simplified", async () => {
    const { labels } = emPhantom({ shape, resolutionNm: res, seed: 9 });
    const v = await createVolume(seg, {
      shape,
      chunks: [6, 16, 16],
      dtype: "uint32",
      attrs: { resolution: res },
    });
    await v.write(Box.fromShape(shape), labels);
    const out = join(tmp.path, "ply");
    await run([
      "--input",
      seg,
      "--output",
      out,
      "--format",
      "ply",
      "--simplify",
      "10",
      "--smooth",
      "2",
      "--block",
      "6,16,16",
    ]);
    const index = JSON.parse(readFileSync(join(out, "meshes.json"), "utf8"));
    expect(index.resolutionNm).toEqual(res);
    expect(index.segments.length).toBe(new Set(labels).size);
    for (const s of index.segments) {
      const mesh = decodePly(readFileSync(join(out, s.file)));
      expect(mesh.indices.length / 3).toBe(s.triangles);
      expect(meshTopology(mesh).boundaryEdges).toBe(0);
    }
    // the run's structured log: started, then finished with the summary
    const log = readFileSync(`${out}.log`, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(log.map((entry) => entry.msg)).toEqual(["started", "finished"]);
    expect(log[1].result.segments).toBe(index.segments.length);
  });

  it("writes sharded multi-resolution precomputed meshes", async () => {
    const out = join(tmp.path, "ng");
    await run(["--input", seg, "--output", out, "--format", "precomputed", "--sharded", "--lods", "2"]);
    expect(JSON.parse(readFileSync(join(out, "info"), "utf8")).sharding.hash).toBe("murmurhash3_x86_128");
    expect(existsSync(join(out, "0.shard"))).toBe(true);
    const ids = JSON.parse(readFileSync(join(out, "segment_properties", "info"), "utf8")).inline.ids;
    const mesh = await readPrecomputedMesh(out, Number(ids[0]), 1);
    expect(mesh.indices.length).toBeGreaterThan(0);
  });

  it("fails clearly on a float volume and an absent label", async () => {
    const f = join(tmp.path, "f.zarr");
    await createVolume(f, { shape: [4, 4, 4], chunks: [4, 4, 4], dtype: "float32" });
    await expect(run(["--input", f, "--output", join(tmp.path, "x")])).rejects.toThrow(InvalidLabelsError);
    await expect(
      run(["--input", seg, "--output", join(tmp.path, "y"), "--labels", "424242"]),
    ).rejects.toThrow(/424242/);
  });

  it("serve command is named serve and binds 127.0.0.1 by default", () => {
    const cmd = serveCommand();
    expect(cmd.name()).toBe("serve");
    expect(cmd.opts().host ?? cmd.options.find((o) => o.long === "--host")?.defaultValue).toBe("127.0.0.1");
  });
});
