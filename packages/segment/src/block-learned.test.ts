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
import { cloneEdgeFeatureTable } from "./feature-agglomerator.js";
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
/** A uint8 "raw image" of a phantom: dark membranes plus a fixed texture (so raw ≠ boundaries). */
const rawOf = (b: ArrayLike<number>) =>
  Uint8Array.from({ length: b.length }, (_, i) =>
    Math.min(255, Math.round(40 + 150 * (1 - b[i]) + ((i * 7919) % 37))),
  );
const raw = rawOf(boundaries);
const rawModel = learnAgglomeration(train.fragments, train.boundaries, train.gt, train.shape, {
  date: "2026-01-01T00:00:00.000Z",
  raw: rawOf(train.boundaries),
  classifier: { trees: 20 },
}).model;
const rawModelPath = join(tmp.path, "raw-image-model.json");
const rawPath = join(tmp.path, "raw.zarr");
const THRESHOLDS = [0.3, 0.5, 0.7];
const BLOCK_SHAPES: [number, number, number][] = [
  [5, 20, 20],
  [4, 16, 24],
  [10, 13, 17],
  [3, 40, 40],
];

/** The partials of every block of `grid` over whole-volume arrays (owned write box + faces at −1). */
function partialsOf(
  grid: BlockGrid,
  fragments: ArrayLike<number>,
  withRaw = false,
  bins = model.featureOptions.bins,
) {
  return Array.from({ length: grid.count }, (_, id) => {
    const w = grid.block(id).writeBox;
    return blockEdgeFeatures(
      fragments,
      boundaries,
      shape,
      { begin: w.begin, end: w.end },
      bins,
      withRaw ? { values: raw, range: [0, 255] } : undefined,
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

  it("with a raw image too: the merged raw statistics equal the whole volume's", () => {
    const whole = canonicalEdgeFeatureTable(
      edgeFeatures(test.fragments, boundaries, shape, { bins: 32, raw }),
    );
    expect(whole.raw?.count.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    for (const blockShape of BLOCK_SHAPES.slice(0, 2)) {
      const grid = new BlockGrid({ roi: Box.fromShape(shape), blockShape });
      expect(mergeBlockEdgeFeatures(partialsOf(grid, test.fragments, true)), `blocks ${blockShape}`).toEqual(
        whole,
      );
    }
    // partials with and without raw statistics do not mix
    const grid = new BlockGrid({ roi: Box.fromShape(shape), blockShape: [5, 20, 20] });
    const mixed = [
      ...partialsOf(grid, test.fragments, true).slice(0, 1),
      ...partialsOf(grid, test.fragments).slice(1),
    ];
    expect(() => mergeBlockEdgeFeatures(mixed)).toThrow(SegmentBlockError);
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
    // in place (as the run's global step does): the same result; only that table is changed
    const spent = cloneEdgeFeatureTable(merged);
    expect(agglomerateFeatureTable(spent, model, THRESHOLDS, undefined, { inPlace: true })).toEqual(a);
    expect(merged).toEqual(canonicalEdgeFeatureTable(edgeFeatures(joined, boundaries, shape)));
    expect(spent.regionVoxels).not.toEqual(merged.regionVoxels);
  });

  it("round-trips through the binary file and rejects foreign or truncated files", async () => {
    const grid = new BlockGrid({ roi: Box.fromShape(shape), blockShape: [5, 20, 20] });
    const [partial] = partialsOf(grid, test.fragments);
    const path = join(tmp.path, "block-0.features");
    await writeEdgeFeaturesFile(path, partial);
    expect(await readEdgeFeaturesFile(path, 0)).toEqual(partial);
    await expect(readEdgeFeaturesFile(join(tmp.path, "none.features"), 3)).rejects.toThrow(/missing/);
    // with raw statistics, and an odd edges × bins so the raw block starts off 8-byte alignment
    const rawPartials = partialsOf(grid, test.fragments, true, 3);
    const odd = rawPartials.find((q) => (q.edges * 3) % 2 === 1) ?? rawPartials[0];
    await writeEdgeFeaturesFile(path, odd);
    expect(await readEdgeFeaturesFile(path, 0)).toEqual(odd);
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
    await writeFile(rawModelPath, JSON.stringify(rawModel));
    const rawVolume = await createVolume(rawPath, { shape, chunks: [5, 20, 20], dtype: "uint8" });
    await rawVolume.write(Box.fromShape(shape), raw);
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
    withRaw = false,
  ) {
    for (const [s, blockShape] of shapes.entries()) {
      const run = await phantomRun(`${tag}${s}`, blockShape, {
        agglomerate: { thresholds: THRESHOLDS, model: path, ...(withRaw ? { raw: rawPath } : {}) },
      });
      const grid = await writeRunFragments(run);
      for (let id = 0; id < grid.count; id++) await runGraphBlock(run, id);
      const summary = await agglomerateRun(run);
      // a test phantom is like the training phantom: no warning
      expect(summary.warning).toBe(undefined);
      // the merged table is the whole volume's edge features of the joined fragments
      const { table, ids, joined } = await mergedRunFeatures(run);
      const fragments = (await (await openVolume(run.fragments)).read()).data as Uint32Array;
      const joinedOf = new Map<number, number>();
      ids.forEach((id, k) => {
        joinedOf.set(id, joined[k]);
      });
      const joinedVolume = Uint32Array.from(fragments, (f) => (f === 0 ? 0 : (joinedOf.get(f) as number)));
      expect(table).toEqual(
        canonicalEdgeFeatureTable(edgeFeatures(joinedVolume, boundaries, shape, withRaw ? { raw } : {})),
      );
      // the fragments are the phantom's, pieces joined back across blocks (where a phantom fragment is
      // not 6-connected, its parts in different blocks stay apart: a tiny split)
      const vsPhantom = voi(joinedVolume, test.fragments, { ignoreGt: [] });
      expect(vsPhantom.merge).toBe(0);
      expect(vsPhantom.split).toBeLessThan(0.01);
      const whole = agglomerateWithModel(joinedVolume, boundaries, shape, m, {
        thresholds: THRESHOLDS,
        ...(withRaw ? { raw } : {}),
      });
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

  it("does the same with a model trained with a raw image (agglomerate.raw; two block shapes)", async () => {
    await expectSeamFree(rawModel, rawModelPath, BLOCK_SHAPES.slice(0, 2), "rawimage", true);
  }, 120_000);

  it("warns (hooks.warn and the log) when the run's contacts are unlike the model's training data", async () => {
    // the same model as if trained on a map with contact percentiles 0.3 lower than these
    const q = model.provenance.contactBoundaryQuantiles as [number, number, number];
    const shiftedPath = join(tmp.path, "shifted-model.json");
    await writeFile(
      shiftedPath,
      JSON.stringify({
        ...model,
        provenance: { ...model.provenance, contactBoundaryQuantiles: q.map((v) => Math.max(0, v - 0.3)) },
      }),
    );
    const run = await phantomRun("shifted", [5, 20, 20], {
      agglomerate: { thresholds: THRESHOLDS, model: shiftedPath },
    });
    await writeRunFragments(run);
    const warnings: string[] = [];
    const summary = await agglomerateStep(run, { warn: (message) => warnings.push(message) });
    expect(warnings).toEqual([summary.warning]);
    expect(warnings[0]).toMatch(
      /shifted-model\.json: the boundary values .* differ from the model's training data/,
    );
  });

  it("refuses a missing model, a raw-image model without agglomerate.raw (and raw without one), a raw image of another shape and missing partials with typed errors naming the file", async () => {
    const missing = await phantomRun("missing", [5, 20, 20], {
      agglomerate: { model: join(tmp.path, "no-model.json") },
    });
    await expect(agglomerateStep(missing)).rejects.toThrow(PathNotFoundError);
    await expect(agglomerateStep(missing)).rejects.toThrow(/no-model\.json/);
    const fakeRawPath = join(tmp.path, "raw-model.json");
    await writeFile(
      fakeRawPath,
      JSON.stringify({ ...model, featureOptions: { ...model.featureOptions, raw: true } }),
    );
    // a raw-image model without its raw range cannot be applied
    const noRange = await phantomRun("rawrange", [5, 20, 20], { agglomerate: { model: fakeRawPath } });
    await expect(agglomerateStep(noRange)).rejects.toThrow(/raw-model\.json.*rawRange/s);
    const noRaw = await phantomRun("raw", [5, 20, 20], { agglomerate: { model: rawModelPath } });
    await expect(agglomerateStep(noRaw)).rejects.toThrow(SegmentOptionsError);
    await expect(agglomerateStep(noRaw)).rejects.toThrow(/raw-image-model\.json/);
    await expect(agglomerateStep(noRaw)).rejects.toThrow(/agglomerate\.raw/);
    const rawNotUsed = await phantomRun("rawunused", [5, 20, 20], {
      agglomerate: { model: modelPath, raw: rawPath },
    });
    await expect(agglomerateStep(rawNotUsed)).rejects.toThrow(/without a raw image/);
    const smallRaw = join(tmp.path, "small-raw.zarr");
    await (await createVolume(smallRaw, { shape: [2, 3, 4], chunks: [2, 3, 4], dtype: "uint8" })).write(
      Box.fromShape([2, 3, 4]),
      new Uint8Array(24),
    );
    const wrongShape = await phantomRun("rawshape", [5, 20, 20], {
      agglomerate: { model: rawModelPath, raw: smallRaw },
    });
    await expect(agglomerateStep(wrongShape)).rejects.toThrow(/small-raw\.zarr/);
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
