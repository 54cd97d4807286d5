// Blockwise learned agglomeration (issue 17): the block graph step's edge-feature partials, merged
// by the global step, are the whole volume's edge features, and the blockwise agglomeration by merge
// probability is the whole-volume `agglomerateWithModel`, for several block shapes (seam-free).
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { BlockGrid, Box, createVolume, openVolume, PathNotFoundError } from "@tessera/volume";
import { afterAll, describe, expect, it } from "vitest";
import { agglomerationPhantom } from "../test/agglomeration-phantom.js";
import { applyAgglomeration } from "./agglomerate.js";
import { agglomerateFeatureTable } from "./agglomerate-feature-table.js";
import { agglomerateWithModel } from "./agglomerate-with-model.js";
import { agglomerateRun, mergedRunFeatures } from "./block-agglomerate.js";
import {
  blockEdgeFeatures,
  canonicalEdgeFeatureTable,
  mergeBlockEdgeFeatures,
} from "./block-edge-features.js";
import { faceContinuity, faceFile } from "./block-faces.js";
import { runGraphBlock } from "./block-graph.js";
import { runRelabelBlock } from "./block-relabel.js";
import { idOffset, parseRun, prepareFragments, prepareSegmentation } from "./block-run.js";
import { edgeFeatures } from "./edge-features.js";
import { readEdgeFeaturesFile, writeEdgeFeaturesFile } from "./edge-features-file.js";
import { SegmentBlockError, SegmentOptionsError } from "./errors.js";
import { learnAgglomeration } from "./learn-agglomeration.js";
import { voi } from "./metrics.js";
import { featuresFile } from "./run-model.js";
import { agglomerateStep } from "./run-steps.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

/** Boundaries on multiples of 2^-8, so that sums of face values are exact in any order. */
function dyadic(b: Float32Array): Float32Array {
  return Float32Array.from(b, (v) => Math.round(v * 256) / 256);
}

const train = agglomerationPhantom(1);
const test = agglomerationPhantom(2);
const boundaries = dyadic(test.boundaries);
const shape = test.shape;
const { model } = learnAgglomeration(train.fragments, train.boundaries, train.gt, train.shape, {
  date: "2026-01-01T00:00:00.000Z",
  classifier: { trees: 20 },
});
const modelPath = join(tmp.path, "model.json");
const boosted = learnAgglomeration(train.fragments, train.boundaries, train.gt, train.shape, {
  date: "2026-01-01T00:00:00.000Z",
  classifier: { type: "gradient-boosting", trees: 20 },
}).model;
const boostedPath = join(tmp.path, "boosted.json");
const THRESHOLDS = [0.3, 0.5, 0.7];
const BLOCK_SHAPES: [number, number, number][] = [
  [5, 20, 20],
  [4, 16, 24],
  [10, 13, 17],
  [3, 40, 40],
];

/** The partials of every block of `grid` over whole-volume arrays (owned write box + faces at −1). */
function partialsOf(grid: BlockGrid, fragments: ArrayLike<number>) {
  return Array.from({ length: grid.count }, (_, id) => {
    const w = grid.block(id).writeBox;
    return blockEdgeFeatures(
      fragments,
      boundaries,
      shape,
      { begin: w.begin, end: w.end },
      model.featureOptions.bins,
    );
  });
}

describe("block edge features", () => {
  it("merged over the blocks of several grids, equal edgeFeatures of the whole volume", () => {
    const whole = canonicalEdgeFeatureTable(edgeFeatures(test.fragments, boundaries, shape, { bins: 32 }));
    expect(whole.edges).toBeGreaterThan(50);
    for (const blockShape of BLOCK_SHAPES) {
      const grid = new BlockGrid({ roi: Box.fromShape(shape), blockShape });
      expect(mergeBlockEdgeFeatures(partialsOf(grid, test.fragments)), `blocks ${blockShape}`).toEqual(whole);
    }
  });

  it("joins fragment pieces of different blocks: edges inside a joined fragment leave its surface", () => {
    // every block renames its voxels (offset + fragment), joined back by the smallest piece id
    const grid = new BlockGrid({ roi: Box.fromShape(shape), blockShape: [4, 16, 24] });
    const pieces = new Float64Array(test.fragments.length);
    const first = new Map<number, number>();
    for (let id = 0; id < grid.count; id++) {
      const w = grid.block(id).writeBox;
      for (let z = w.begin[0]; z < w.end[0]; z++)
        for (let y = w.begin[1]; y < w.end[1]; y++)
          for (let x = w.begin[2]; x < w.end[2]; x++) {
            const i = (z * shape[1] + y) * shape[2] + x;
            const f = test.fragments[i];
            pieces[i] = idOffset(grid, id) + f;
            if (!first.has(f)) first.set(f, idOffset(grid, id) + f);
          }
    }
    const rootOf = (piece: number) => first.get(piece % (4 * 16 * 24)) as number;
    const joined = Float64Array.from(pieces, rootOf);
    const merged = mergeBlockEdgeFeatures(partialsOf(grid, pieces), rootOf);
    expect(merged).toEqual(canonicalEdgeFeatureTable(edgeFeatures(joined, boundaries, shape)));
    // and the engine on the merged table is agglomerateWithModel on the joined volume
    const a = agglomerateFeatureTable(merged, model, THRESHOLDS);
    const b = agglomerateWithModel(joined, boundaries, shape, model, { thresholds: THRESHOLDS });
    expect(a).toEqual(b);
    expect(b.merges[0]).toBeGreaterThan(0);
  });

  it("round-trips through the binary file and rejects foreign or truncated files", async () => {
    const grid = new BlockGrid({ roi: Box.fromShape(shape), blockShape: [5, 20, 20] });
    const [partial] = partialsOf(grid, test.fragments);
    const path = join(tmp.path, "block-0.features");
    await writeEdgeFeaturesFile(path, partial);
    expect(await readEdgeFeaturesFile(path, 0)).toEqual(partial);
    await expect(readEdgeFeaturesFile(join(tmp.path, "none.features"), 3)).rejects.toThrow(/missing/);
    await writeFile(path, Buffer.alloc(40));
    await expect(readEdgeFeaturesFile(path, 0)).rejects.toThrow(SegmentBlockError);
  });
});

/**
 * Write the phantom's fragments as a blockwise run's fragments step would: each block's voxels get
 * ids in the block's range (offset + fragment), plus the block's face-continuity file (a fragment
 * continues across a face when both voxels are one phantom fragment).
 */
async function writeRunFragments(run: ReturnType<typeof parseRun>) {
  const grid = await prepareFragments(run);
  const volume = await openVolume(run.fragments);
  const roi = Box.fromShape(shape);
  for (let id = 0; id < grid.count; id++) {
    const w = grid.block(id).writeBox;
    const out = new Uint32Array(w.size);
    let k = 0;
    for (let z = w.begin[0]; z < w.end[0]; z++)
      for (let y = w.begin[1]; y < w.end[1]; y++)
        for (let x = w.begin[2]; x < w.end[2]; x++)
          out[k++] = idOffset(grid, id) + test.fragments[(z * shape[1] + y) * shape[2] + x];
    await volume.write(w, out);
    await writeFile(faceFile(run, id), faceContinuity(test.fragments, shape, roi, w, grid));
  }
  return grid;
}

async function phantomRun(name: string, blockShape: [number, number, number], extra: object = {}) {
  const boundariesPath = join(tmp.path, "boundaries.zarr");
  const existing = await openVolume(boundariesPath).catch(() => undefined);
  if (!existing) {
    const volume = await createVolume(boundariesPath, { shape, chunks: [5, 20, 20], dtype: "float32" });
    await volume.write(Box.fromShape(shape), boundaries);
    await writeFile(modelPath, JSON.stringify(model));
    await writeFile(boostedPath, JSON.stringify(boosted));
  }
  return parseRun({
    boundaries: boundariesPath,
    fragments: join(tmp.path, `${name}-fragments.zarr`),
    graph: join(tmp.path, `${name}-graph`),
    segmentation: join(tmp.path, `${name}-segmentation.zarr`),
    blockShape,
    agglomerate: { thresholds: THRESHOLDS, model: modelPath },
    ...extra,
  });
}

describe("blockwise learned agglomeration (seam-free)", () => {
  /** Blockwise runs with model `m` (file `path`) over `shapes` equal the whole-volume agglomeration. */
  async function expectSeamFree(
    m: typeof model,
    path: string,
    shapes: [number, number, number][],
    tag: string,
  ) {
    for (const [s, blockShape] of shapes.entries()) {
      const run = await phantomRun(`${tag}${s}`, blockShape, {
        agglomerate: { thresholds: THRESHOLDS, model: path },
      });
      const grid = await writeRunFragments(run);
      for (let id = 0; id < grid.count; id++) await runGraphBlock(run, id);
      const summary = await agglomerateRun(run);
      // the merged table is the whole volume's edge features of the joined fragments
      const { table, ids, joined } = await mergedRunFeatures(run);
      const fragments = (await (await openVolume(run.fragments)).read()).data as Uint32Array;
      const joinedOf = new Map<number, number>();
      ids.forEach((id, k) => {
        joinedOf.set(id, joined[k]);
      });
      const joinedVolume = Uint32Array.from(fragments, (f) => (f === 0 ? 0 : (joinedOf.get(f) as number)));
      expect(table).toEqual(canonicalEdgeFeatureTable(edgeFeatures(joinedVolume, boundaries, shape)));
      // the fragments are the phantom's, pieces joined back across blocks (where a phantom fragment is
      // not 6-connected, its parts in different blocks stay apart: a tiny split)
      const vsPhantom = voi(joinedVolume, test.fragments, { ignoreGt: [] });
      expect(vsPhantom.merge).toBe(0);
      expect(vsPhantom.split).toBeLessThan(0.01);
      const whole = agglomerateWithModel(joinedVolume, boundaries, shape, m, { thresholds: THRESHOLDS });
      await prepareSegmentation(run);
      for (const [k, threshold] of THRESHOLDS.entries()) {
        const parsed = parseRun({ ...run, thresholdIndex: k, overwrite: true });
        for (let id = 0; id < grid.count; id++) await runRelabelBlock(parsed, id);
        const blockwise = (await (await openVolume(run.segmentation)).read()).data as Uint32Array;
        const reference = applyAgglomeration(
          joinedVolume,
          whole,
          whole.thresholds.indexOf(threshold),
        ) as Uint32Array;
        const context = `blocks ${blockShape}, threshold ${threshold}`;
        expect(voi(blockwise, reference, { ignoreGt: [] }), context).toEqual({ split: 0, merge: 0 });
        expect(new Set(blockwise).size, context).toBe(summary.segments[k]);
      }
      // merges happen (at least as many at lower probability thresholds), and not everything merges
      expect(summary.segments[0]).toBeLessThanOrEqual(summary.segments[2]);
      expect(summary.segments[2]).toBeLessThan(summary.fragments);
      expect(summary.segments[0]).toBeGreaterThan(1);
    }
  }

  it("equals whole-volume agglomerateWithModel on the run's joined fragments for several block shapes", async () => {
    await expectSeamFree(model, modelPath, BLOCK_SHAPES, "seam");
  }, 120_000);

  it("does the same with a gradient-boosting model (two block shapes)", async () => {
    await expectSeamFree(boosted, boostedPath, BLOCK_SHAPES.slice(1, 3), "boosted");
  }, 120_000);

  it("refuses a missing model, a raw-image model and missing partials with typed errors naming the file", async () => {
    const missing = await phantomRun("missing", [5, 20, 20], {
      agglomerate: { model: join(tmp.path, "no-model.json") },
    });
    await expect(agglomerateStep(missing)).rejects.toThrow(PathNotFoundError);
    await expect(agglomerateStep(missing)).rejects.toThrow(/no-model\.json/);
    const rawPath = join(tmp.path, "raw-model.json");
    await writeFile(
      rawPath,
      JSON.stringify({ ...model, featureOptions: { ...model.featureOptions, raw: true } }),
    );
    const raw = await phantomRun("raw", [5, 20, 20], { agglomerate: { model: rawPath } });
    await expect(agglomerateStep(raw)).rejects.toThrow(SegmentOptionsError);
    await expect(agglomerateStep(raw)).rejects.toThrow(/raw-model\.json/);
    const binsPath = join(tmp.path, "bins-model.json");
    await writeFile(
      binsPath,
      JSON.stringify({ ...model, featureOptions: { ...model.featureOptions, bins: 16 } }),
    );
    const bins = await phantomRun("bins", [5, 20, 20], { agglomerate: { model: binsPath } });
    await expect(agglomerateStep(bins)).rejects.toThrow(/bins-model\.json/);
    // graph blocks written without a model have no partials
    const none = await phantomRun("none", [5, 20, 20]);
    const grid = await writeRunFragments({ ...none, agglomerate: { ...none.agglomerate, model: undefined } });
    await mkdir(none.graph, { recursive: true });
    for (let id = 0; id < grid.count; id++)
      await runGraphBlock({ ...none, agglomerate: { ...none.agglomerate, model: undefined } }, id);
    await expect(agglomerateRun(none)).rejects.toThrow(featuresFile(none, 0));
  });
});
