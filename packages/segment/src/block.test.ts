import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { createVolume, importStack, openVolume, readHdf5Dataset } from "@tessera/volume";
import { afterAll, describe, expect, it } from "vitest";
import { neuroproof } from "../test/data.js";
import { segmentBlockwise } from "./block.js";
import { runGraphBlock } from "./block-graph.js";
import { runRelabelBlock } from "./block-relabel.js";
import { parseRun } from "./block-run.js";
import { SegmentBlockError, SegmentOptionsError } from "./errors.js";
import { evaluateSegmentation } from "./evaluate.js";
import { voi } from "./metrics.js";
import { segmentBoundaries } from "./pipeline.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

describe("blockwise run configuration", () => {
  it("rejects invalid configs naming the field", () => {
    expect(() =>
      parseRun({
        boundaries: "b",
        fragments: "f",
        graph: "g",
        segmentation: "s",
        blockShape: [0, 1, 1],
      } as never),
    ).toThrow(SegmentOptionsError);
    expect(() =>
      parseRun({
        boundaries: "b",
        fragments: "f",
        graph: "g",
        segmentation: "s",
        blockShape: [0, 1, 1],
      } as never),
    ).toThrow(/blockShape\.0/);
  });

  it("reports a missing block graph or lookup with its block and path", async () => {
    const path = join(tmp.path, "tiny.zarr");
    await createVolume(path, { shape: [4, 4, 4], chunks: [2, 4, 4], dtype: "uint8" });
    const run = parseRun({
      boundaries: path,
      fragments: join(tmp.path, "tiny-f.zarr"),
      graph: join(tmp.path, "tiny-g"),
      segmentation: join(tmp.path, "tiny-s.zarr"),
      blockShape: [2, 4, 4],
    });
    await expect(runGraphBlock(run, 1)).rejects.toThrow(SegmentBlockError);
    await expect(runRelabelBlock(run, 0)).rejects.toThrow(/lookup is missing/);
  });
});

// Seam test (issue 4): the whole neuroproof cube (inverted grayscale as the boundary map), split into
// 2×2×2 blocks of 125³, against the same steps on the whole volume in memory. With enough context the
// per-block fragments, joined across faces, equal the whole-volume fragments, and score ties are
// broken by face positions, so the two segmentations are identical, not just close.
describe.skipIf(!neuroproof.available)("seam-free blockwise segmentation on neuroproof sample 2", () => {
  it("blockwise and whole-volume segmentations agree (|ΔARE| ≤ 0.001, |ΔVOI| ≤ 0.005; in fact identical)", async () => {
    const grayPath = join(tmp.path, "gray.zarr");
    const volume = await importStack(join(neuroproof.path, "grayscale"), grayPath, {
      chunks: [125, 125, 125],
    });
    const gray = (await volume.read()).data as Uint8Array;
    const shape = [...volume.shape];
    const gt = (await readHdf5Dataset(join(neuroproof.path, "groundtruth.h5"), "stack")).data as Uint32Array;
    const options = {
      boundary: { invert: true },
      fragments: { method: "affinity" as const },
      agglomerate: { thresholds: [0.4, 0.6] },
    };
    const whole = segmentBoundaries(gray, shape, options);
    const run = {
      boundaries: grayPath,
      fragments: join(tmp.path, "fragments.zarr"),
      graph: join(tmp.path, "graph"),
      segmentation: join(tmp.path, "segmentation.zarr"),
      blockShape: [125, 125, 125] as [number, number, number],
      context: 24,
      boundary: options.boundary,
      fragmentsOptions: options.fragments,
      agglomerate: options.agglomerate,
    };
    const summary = await segmentBlockwise(run);
    expect(summary.blocks).toBe(8);
    const fragmentScores = evaluateSegmentation(whole.fragments, gt);
    for (const [k, threshold] of [0.4, 0.6].entries()) {
      const parsed = parseRun({ ...run, thresholdIndex: k });
      for (let id = 0; id < 8; id++) await runRelabelBlock(parsed, id);
      const blockwise = (await (await openVolume(run.segmentation)).read()).data as Uint32Array;
      const a = evaluateSegmentation(whole.segmentations[k], gt);
      const b = evaluateSegmentation(blockwise, gt);
      const context = `threshold ${threshold}: whole ${JSON.stringify(a)} blockwise ${JSON.stringify(b)}`;
      expect(Math.abs(a.are - b.are), context).toBeLessThanOrEqual(0.001);
      expect(Math.abs(a.voiSplit - b.voiSplit), context).toBeLessThanOrEqual(0.005);
      expect(Math.abs(a.voiMerge - b.voiMerge), context).toBeLessThanOrEqual(0.005);
      // the same partition of the volume, voxel for voxel
      expect(voi(blockwise, whole.segmentations[k], { ignoreGt: [] })).toEqual({ split: 0, merge: 0 });
      // and a real segmentation: the agglomeration improves on the fragments
      expect(b.are).toBeLessThanOrEqual(fragmentScores.are);
    }
    expect(evaluateSegmentation(whole.segmentations[1], gt).are).toBeLessThan(fragmentScores.are);
  }, 240_000);
});
