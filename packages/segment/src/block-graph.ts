import { join } from "node:path";
import { Box, openVolume } from "@tessera/volume";
import { affinitiesFromBoundaries } from "./affinities.js";
import { blockEdgeFeatures } from "./block-edge-features.js";
import { readFace } from "./block-faces.js";
import { asScalar, type BlockSummary, numberData, runGrid, shape3, withBlock } from "./block-run.js";
import { writeEdgeFeaturesFile } from "./edge-features-file.js";
import { writeGraphFile } from "./graph-file.js";
import type { SegmentRun } from "./options.js";
import { scaleBoundaries } from "./pipeline.js";
import { buildRegionGraph } from "./region-graph.js";
import { featuresFile, loadRunModel, openRunRaw } from "./run-model.js";

/** Path of block `id`'s region graph file. */
export function graphFile(run: SegmentRun, id: number): string {
  return join(run.graph, `block-${id}.graph`);
}

/**
 * Region graph of block `id`: every face between a voxel of the write block and its neighbour at −1
 * along an axis (which may lie in the previous block), with affinities 1 − max(p, p′) from the
 * boundary map. Cross-block faces are therefore counted exactly once, by the later block. When the
 * run has a model (`agglomerate.model`), also the edge-feature accumulators of the same faces and of
 * the write box's voxels ({@link blockEdgeFeatures}, with the model's histogram bins, and the raw
 * image's statistics when the model uses them), written to `block-<id>.features` before the graph file.
 */
export async function runGraphBlock(run: SegmentRun, id: number): Promise<BlockSummary> {
  return withBlock(id, graphFile(run, id), async () => {
    const started = performance.now();
    const { grid, boundaries } = await runGrid(run);
    const block = grid.block(id);
    const box = new Box(
      block.writeBox.begin.map((b) => Math.max(0, b - 1)),
      block.writeBox.end,
    );
    const shape = shape3(box);
    const fragmentsVolume = await openVolume(run.fragments);
    const fragments = numberData((await fragmentsVolume.read(box)).data);
    const p = scaleBoundaries(asScalar((await boundaries.read(box)).data, run.boundaries), run.boundary);
    const aff = affinitiesFromBoundaries(p, shape, { maxValue: 1 });
    const begin = block.writeBox.begin.map((b, i) => b - box.begin[i]);
    const end = block.writeBox.end.map((e, i) => e - box.begin[i]);
    const graph = buildRegionGraph(fragments, shape, aff, {
      histogramBins: run.agglomerate.histogramBins,
      resolutionNm: boundaries.resolution as [number, number, number] | undefined,
      region: { begin, end },
      origin: [box.begin[0], box.begin[1], box.begin[2]],
      volumeShape: [boundaries.shape[0], boundaries.shape[1], boundaries.shape[2]],
    });
    // fragments owned by this block (so isolated ones still get a segment)
    const owned = new Set<number>();
    const [, Y, X] = shape;
    for (let z = begin[0]; z < end[0]; z++)
      for (let y = begin[1]; y < end[1]; y++) {
        let prev = -1;
        for (let x = begin[2]; x < end[2]; x++) {
          const f = fragments[(z * Y + y) * X + x];
          if (f !== prev && f !== 0) owned.add(f);
          prev = f;
        }
      }
    if (run.agglomerate.model !== undefined) {
      const { model } = await loadRunModel(run);
      const { rawRange } = model.featureOptions;
      const rawVolume = await openRunRaw(run, boundaries);
      const raw =
        rawVolume && rawRange
          ? { values: numberData((await rawVolume.read(box)).data), range: rawRange }
          : undefined;
      const features = blockEdgeFeatures(fragments, p, shape, { begin, end }, model.featureOptions.bins, raw);
      await writeEdgeFeaturesFile(featuresFile(run, id), features);
    }
    // links: fragments that both neighbouring blocks saw continue across a lower face
    const links: number[] = [];
    const w = block.writeBox;
    for (let c = 0; c < 3; c++) {
      if (w.begin[c] === grid.roi.begin[c]) continue;
      const coords = [...block.coords];
      coords[c]--;
      const mine = await readFace(run, grid, id, c, 0);
      const theirs = await readFace(run, grid, grid.idOf(coords), c, 1);
      const [a1, a2] = [0, 1, 2].filter((a) => a !== c);
      const n2 = w.end[a2] - w.begin[a2];
      const pos = [0, 0, 0];
      const at = () => (pos[0] * Y + pos[1]) * X + pos[2];
      for (let k = 0; k < mine.length; k++) {
        if (mine[k] === 0 || theirs[k] === 0) continue;
        pos[a1] = begin[a1] + Math.floor(k / n2);
        pos[a2] = begin[a2] + (k % n2);
        pos[c] = begin[c];
        const inside = fragments[at()];
        pos[c] = begin[c] - 1;
        const outside = fragments[at()];
        if (inside !== outside && inside !== 0 && outside !== 0)
          links.push(Math.min(inside, outside), Math.max(inside, outside));
      }
    }
    await writeGraphFile(
      graphFile(run, id),
      graph,
      Float64Array.from(owned).sort(),
      Float64Array.from(links),
    );
    return {
      block: id,
      voxels: block.writeBox.size,
      count: graph.size,
      seconds: (performance.now() - started) / 1000,
    };
  });
}
