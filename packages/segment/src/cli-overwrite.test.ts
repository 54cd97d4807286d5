import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertFreshBinary, phantomRunConfig, segmentBin, treeDigest, writePhantom } from "../test/cli.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
const out = join(tmp.path, "run");
const config = join(tmp.path, "run.json");

beforeAll(async () => {
  assertFreshBinary();
  const { boundaries } = await writePhantom(tmp.path);
  writeFileSync(config, JSON.stringify(phantomRunConfig(boundaries, out, [0.2, 0.5])));
  const first = segmentBin(["run", "--config", config], tmp.path);
  if (first.status !== 0) throw new Error(`first run failed: ${first.stderr}`);
});

const exists = (what: string, path: string) =>
  `tessera-segment: OutputExistsError: the ${what} output exists already; path: ${path}; field: overwrite; ` +
  "expected: no file at the output path, or --overwrite to replace it; found: an existing file or folder\n";

describe("outputs are never replaced without --overwrite", () => {
  it("run, fragments, agglomerate, relabel and --save-config refuse, exit 2, and change nothing", () => {
    const before = treeDigest(out);
    const cases: [string[], string][] = [
      [
        ["run"],
        `tessera-segment: OutputExistsError: the fragments, graph and segmentation outputs exist already; path: ${join(out, "fragments.zarr")}, ${join(out, "graph")}, ${join(out, "segmentation.zarr")}; field: overwrite; ` +
          "expected: no file at the output path, or --overwrite to replace it; found: an existing file or folder\n",
      ],
      [["fragments"], exists("fragments", join(out, "fragments.zarr"))],
      [["agglomerate"], exists("agglomeration", join(out, "graph", "agglomeration.json"))],
      [["relabel"], exists("segmentation", join(out, "segmentation.zarr"))],
      [["relabel", "--save-config", config], exists("config", config)],
    ];
    for (const [args, stderr] of cases) {
      const result = segmentBin([...args, "--config", config], tmp.path);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe(stderr);
      expect(treeDigest(out), args.join(" ")).toBe(before);
    }
  });

  it("--overwrite replaces: relabel at the other threshold writes another segmentation", () => {
    const before = treeDigest(join(out, "segmentation.zarr"));
    const result = segmentBin(
      ["relabel", "--config", config, "--overwrite", "--threshold-index", "1"],
      tmp.path,
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ blocks: 8, voxels: 16 * 64 * 64 });
    expect(treeDigest(join(out, "segmentation.zarr"))).not.toBe(before);
    // nothing left beside the outputs (no staging folders); the logs are beside the config
    expect(readdirSync(out).sort()).toEqual(["fragments.zarr", "graph", "segmentation.zarr"]);
    expect(readdirSync(tmp.path)).toEqual(expect.arrayContaining(["segment-run.log", "segment-relabel.log"]));
  });

  it("a step that fails half-way keeps the output it was replacing and leaves no partial output", () => {
    // fragments --overwrite with other options (other fragments), but block 3 cannot write its face
    // file (a folder is in the way): the step fails there, after blocks 0-2 were written
    const faces = join(out, "graph", "block-3.faces");
    rmSync(faces);
    mkdirSync(join(faces, "in-the-way"), { recursive: true });
    const before = treeDigest(join(out, "fragments.zarr"));
    const result = segmentBin(["fragments", "--config", config, "--overwrite", "--mode", "3d"], tmp.path);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^tessera-segment: SegmentBlockError: block task failed: .*block-3\.faces.*; block: 3\n$/,
    );
    expect(treeDigest(join(out, "fragments.zarr"))).toBe(before);
    expect(readdirSync(out).filter((name) => name.startsWith("."))).toEqual([]);
  });
});
