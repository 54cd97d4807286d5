import { join } from "node:path";
import { evaluateSegmentation, type SegmentationScores, segmentBoundaries } from "@tessera/segment";
import { createVolume, type Volume } from "@tessera/volume";

/** What the demo's segmentation step made and scored. */
export interface DemoSegmentation {
  /** Zarr array of the best segmentation. */
  path: string;
  fragmentCount: number;
  /** Agglomeration thresholds tried, with the scores of each against the phantom's labels. */
  thresholds: number[];
  scores: SegmentationScores[];
  /** Index of the threshold with the lowest CREMI score (the one written). */
  best: number;
  /** Number of segments at the best threshold. */
  segmentCount: number;
  /** The written segmentation (C order z, y, x). */
  labels: Uint32Array;
  seconds: number;
}

/**
 * Segment the demo's predicted membranes as the connectomics pipeline does: 2-D distance-seeded
 * watershed fragments per section of the boundary probabilities; agglomeration on mean affinity at
 * several thresholds; each scored against the phantom's true labels (VOI, adapted Rand, CREMI); the
 * best written to `<group>/segmentation`.
 */
export async function segmentDemo(
  group: string,
  boundaries: Volume,
  truth: Uint32Array,
  resolutionNm: [number, number, number],
): Promise<DemoSegmentation> {
  const started = performance.now();
  const shape = boundaries.shape as [number, number, number];
  const map = (await boundaries.read()).data as Float32Array;
  const thresholds = [0.4, 0.5, 0.6, 0.7];
  const result = segmentBoundaries(map, shape, {
    fragments: { mode: "2d", seeds: "distance", minSeedDistance: 5, resolutionNm },
    agglomerate: { thresholds },
  });
  const scores = result.segmentations.map((labels) => evaluateSegmentation(labels, truth));
  let best = 0;
  for (let t = 1; t < scores.length; t++) if (scores[t].cremiScore < scores[best].cremiScore) best = t;
  const labels = result.segmentations[best];
  let segmentCount = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > segmentCount) segmentCount = labels[i];
  const path = join(group, "segmentation");
  const volume = await createVolume(path, {
    shape,
    chunks: boundaries.chunks,
    dtype: "uint32",
    attrs: {
      resolution: resolutionNm,
      offset: [0, 0, 0],
      provenance: {
        stage: "@tessera/segment segmentBoundaries",
        threshold: thresholds[best],
        input: boundaries.path,
      },
    },
    overwrite: true,
  });
  await volume.write(volume.bounds, labels);
  return {
    path,
    fragmentCount: result.fragmentCount,
    thresholds,
    scores,
    best,
    segmentCount,
    labels,
    seconds: (performance.now() - started) / 1000,
  };
}
