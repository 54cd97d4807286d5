// `segment relabel` through the built binary: it refuses to replace an existing segmentation unless
// --overwrite (and leaves it as it was), and `--thresholds all|list` writes one segmentation per
// threshold into a zarr group in one pass, equal to the single-threshold relabel of each threshold
// and to the fragments mapped through the lookup here, whole or block by block, readable by python.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { Box, openGroup, openVolume } from "@tessera/volume";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertFreshBinary, phantomRunConfig, segmentBin, treeDigest, writePhantom } from "../test/cli.js";
import { parseRun } from "./block-run.js";
import { readLookup } from "./lookup-file.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
const out = join(tmp.path, "run");
const config = join(tmp.path, "run.json");
const shape: [number, number, number] = [16, 64, 64];
const thresholds = [0.2, 0.4, 0.6];
const hasZarr = pythonHas("zarr", "numpy");

async function values(path: string): Promise<Uint32Array> {
  const volume = await openVolume(path);
  return (await volume.read(Box.fromShape(shape))).data as Uint32Array;
}

/** Run the binary; fail with its stderr unless it exits 0. */
function ok(args: string[]): unknown {
  const result = segmentBin(args, tmp.path);
  if (result.status !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** The truth, computed here: every voxel's fragment mapped through table k of the whole lookup. */
let truth: Uint32Array[];

beforeAll(async () => {
  assertFreshBinary();
  const { boundaries } = await writePhantom(tmp.path, shape);
  const run = phantomRunConfig(boundaries, out, thresholds);
  writeFileSync(config, JSON.stringify(run));
  ok(["fragments", "--config", config]);
  ok(["agglomerate", "--config", config]);
  const { ids, tables } = await readLookup(parseRun(run));
  const index = new Map<number, number>();
  ids.forEach((id, i) => {
    index.set(id, i);
  });
  const fragments = await values(run.fragments);
  truth = tables.map((table) =>
    Uint32Array.from(fragments, (f) => (f === 0 ? 0 : table[index.get(f) as number])),
  );
  // the thresholds give different segmentations, so a mix-up between them shows
  expect(new Set(truth.map((t) => createHash("sha256").update(t).digest("hex"))).size).toBe(3);
}, 120_000);

describe("segment relabel refuses an existing segmentation unless --overwrite", () => {
  it("a second relabel exits 2 with OutputExistsError naming the segmentation, which is unchanged", async () => {
    const segmentation = join(out, "segmentation.zarr");
    expect(ok(["relabel", "--config", config])).toEqual({ blocks: 8, voxels: 16 * 64 * 64 });
    expect(await values(segmentation)).toEqual(truth[0]);
    const bytes = treeDigest(segmentation);
    for (const extra of [[], ["--threshold-index", "2"], ["--thresholds", "all"]]) {
      const second = segmentBin(["relabel", "--config", config, ...extra], tmp.path);
      expect(second.status, extra.join(" ")).toBe(2);
      expect(second.stdout).toBe("");
      expect(second.stderr).toBe(
        `tessera-segment: OutputExistsError: the segmentation output exists already; path: ${segmentation}; ` +
          "field: overwrite; expected: no file at the output path, or --overwrite to replace it; " +
          "found: an existing file or folder\n",
      );
      expect(treeDigest(segmentation), extra.join(" ")).toBe(bytes);
      expect(await values(segmentation)).toEqual(truth[0]);
    }
    // --overwrite replaces it with the segmentation asked for
    ok(["relabel", "--config", config, "--threshold-index", "2", "--overwrite"]);
    expect(await values(segmentation)).toEqual(truth[2]);
  });
});

describe("segment relabel --thresholds", () => {
  const group = join(out, "sweep.zarr");

  it("all: one array per threshold in a zarr group, each equal to that threshold's single relabel", async () => {
    ok(["relabel", "--config", config, "--segmentation", group, "--thresholds", "all"]);
    const { attrs } = await openGroup(group);
    expect(attrs.thresholds).toEqual(thresholds);
    expect(attrs.arrays).toEqual(["0.2", "0.4", "0.6"]);
    for (let k = 0; k < thresholds.length; k++) {
      const single = join(out, `single-${k}.zarr`);
      ok(["relabel", "--config", config, "--segmentation", single, "--threshold-index", String(k)]);
      const array = await values(join(group, String(thresholds[k])));
      expect(array, `threshold ${thresholds[k]}`).toEqual(await values(single));
      expect(array, `threshold ${thresholds[k]}`).toEqual(truth[k]);
    }
    // the group is an output like any other: refused unless --overwrite
    const again = segmentBin(
      ["relabel", "--config", config, "--segmentation", group, "--thresholds", "all"],
      tmp.path,
    );
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(
      /OutputExistsError: the segmentation output exists already; path: .*sweep\.zarr;/,
    );
  });

  it.skipIf(!hasZarr)("python zarr opens the group and reads every array with our values", () => {
    const script = `
import hashlib, json, sys, zarr, numpy as np
g = zarr.open_group(sys.argv[1], mode="r")
out = {"attrs": g.attrs.asdict(), "arrays": {}}
for name in g.attrs["arrays"]:
    a = g[name][:]
    out["arrays"][name] = [a.dtype.str, list(a.shape), hashlib.sha256(np.ascontiguousarray(a).astype("<u4").tobytes()).hexdigest()]
print(json.dumps(out))
`;
    const py = JSON.parse(runPython(script, [group])) as {
      attrs: { thresholds: number[] };
      arrays: Record<string, [string, number[], string]>;
    };
    expect(py.attrs.thresholds).toEqual(thresholds);
    expect(Object.keys(py.arrays)).toEqual(["0.2", "0.4", "0.6"]);
    thresholds.forEach((t, k) => {
      const sha = createHash("sha256").update(truth[k]).digest("hex");
      expect(py.arrays[String(t)], String(t)).toEqual(["<u4", shape, sha]);
    });
  });

  it("a list writes only those thresholds; block tasks write every requested threshold of their block", async () => {
    const subset = join(out, "subset.zarr");
    ok(["relabel", "--config", config, "--segmentation", subset, "--thresholds", "0.6,0.2"]);
    expect((await openGroup(subset)).attrs.arrays).toEqual(["0.2", "0.6"]);
    expect(readdirSync(subset).sort()).toEqual([".zattrs", ".zgroup", "0.2", "0.6"]);
    expect(await values(join(subset, "0.2"))).toEqual(truth[0]);
    expect(await values(join(subset, "0.6"))).toEqual(truth[2]);

    // blockwise: 8 block tasks of another config, each writing both thresholds of its block
    const blockConfig = join(tmp.path, "blocks.json");
    const blocks = join(out, "blocks.zarr");
    writeFileSync(
      blockConfig,
      JSON.stringify({ ...JSON.parse(readFileSync(config, "utf8")), segmentation: blocks }),
    );
    for (let id = 0; id < 8; id++) {
      const summary = ok([
        "relabel",
        "block",
        "--id",
        String(id),
        "--config",
        blockConfig,
        "--thresholds",
        "0.4,0.6",
      ]) as { block: number; voxels: number };
      expect(summary.block).toBe(id);
      expect(summary.voxels).toBe(8 * 32 * 32);
      if (id === 3) {
        // after 4 of 8 blocks, the rest is still the fill value in both arrays
        expect((await values(join(blocks, "0.4"))).slice(-8 * 64 * 64).every((v) => v === 0)).toBe(true);
      }
    }
    expect(await values(join(blocks, "0.4"))).toEqual(truth[1]);
    expect(await values(join(blocks, "0.6"))).toEqual(truth[2]);
  });

  it("thresholds the agglomeration does not have are refused, naming the field", () => {
    const result = segmentBin(
      ["relabel", "--config", config, "--segmentation", join(out, "bad.zarr"), "--thresholds", "0.3"],
      tmp.path,
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(
      /SegmentOptionsError: .*relabelThresholds: expected "all" or values of agglomerate\.thresholds, found \[0\.3\]/,
    );
    expect(readdirSync(out)).not.toContain("bad.zarr");
    // a config edited after agglomerate (other thresholds) would name the arrays wrongly: refused
    const edited = join(tmp.path, "edited.json");
    writeFileSync(
      edited,
      JSON.stringify({
        ...JSON.parse(readFileSync(config, "utf8")),
        agglomerate: { thresholds: [0.2, 0.6] },
      }),
    );
    const stale = segmentBin(
      ["relabel", "--config", edited, "--segmentation", join(out, "bad.zarr"), "--thresholds", "all"],
      tmp.path,
    );
    expect(stale.status).toBe(2);
    expect(stale.stderr).toMatch(
      /SegmentOptionsError: the agglomeration was made with other thresholds than the config's; .*field: agglomerate\.thresholds; expected: \[0\.2, 0\.6\].*found: \[0\.2, 0\.4, 0\.6\]/,
    );
    expect(readdirSync(out)).not.toContain("bad.zarr");
  });
});
