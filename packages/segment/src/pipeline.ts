import { affinitiesFromBoundaries } from "./affinities.js";
import { affinityWatershed } from "./affinity-watershed.js";
import { type Agglomeration, agglomerate, applyAgglomeration } from "./agglomerate.js";
import { checkFinite, checkLength, checkShape, type ScalarArray } from "./arrays.js";
import { watershedFragments } from "./fragments.js";
import {
  type AgglomerateStepOptions,
  agglomerateOptionsSchema,
  type BoundaryOptions,
  boundaryOptionsSchema,
  type FragmentsOptions,
  fragmentsOptionsSchema,
  parseOptions,
} from "./options.js";
import { buildRegionGraph, type RegionGraph } from "./region-graph.js";
import { relabelConsecutive } from "./relabel.js";

/** A boundary map scaled to [0, 1] (high = membrane), inverted when `invert` is set. */
export function scaleBoundaries(data: ScalarArray, options: Partial<BoundaryOptions> = {}): Float32Array {
  checkFinite(data, "boundaries");
  const maxValue =
    options.maxValue ?? (data instanceof Uint8Array ? 255 : data instanceof Uint16Array ? 65535 : 1);
  const out = new Float32Array(data.length);
  const s = 1 / maxValue;
  if (options.invert) for (let i = 0; i < data.length; i++) out[i] = 1 - data[i] * s;
  else for (let i = 0; i < data.length; i++) out[i] = data[i] * s;
  return out;
}

/**
 * Fragments of a scaled boundary map with validated {@link FragmentsOptions}: seeded or affinity
 * watershed (`affinities`, when given, are the map's affinities, to avoid computing them twice).
 */
export function fragmentsFromBoundaries(
  p: Float32Array,
  shape: readonly [number, number, number],
  options: FragmentsOptions,
  affinities?: Float32Array,
): { fragments: Uint32Array; count: number } {
  if (options.method === "affinity") {
    return affinityWatershed(affinities ?? affinitiesFromBoundaries(p, shape, { maxValue: 1 }), shape, {
      low: options.low,
      high: options.high,
      sizeThreshold: options.minSize,
      mergeAffinity: options.mergeAffinity,
    });
  }
  return watershedFragments(p, shape, {
    seeds: options.seeds,
    mode: options.mode,
    threshold: options.threshold,
    minSeedDistance: options.minSeedDistance,
    minSize: options.minSize,
    sampling: options.resolutionNm,
  });
}

/** Options of {@link segmentBoundaries} (each part validated by its zod schema; defaults applied). */
export interface SegmentBoundariesOptions {
  boundary?: Partial<BoundaryOptions>;
  fragments?: Partial<FragmentsOptions>;
  agglomerate?: Partial<AgglomerateStepOptions>;
}

/** Everything {@link segmentBoundaries} computes. */
export interface SegmentBoundariesResult {
  fragments: Uint32Array;
  fragmentCount: number;
  graph: RegionGraph;
  agglomeration: Agglomeration;
  /** One segmentation per threshold (ascending), consecutive ids. */
  segmentations: Uint32Array[];
}

/**
 * Whole-volume segmentation of a boundary map in memory: fragments, region graph on affinities
 * 1 − max(p, p′), agglomeration at every threshold, one consecutive-id segmentation per threshold.
 * The blockwise run computes the same steps block by block.
 */
export function segmentBoundaries(
  boundaries: ScalarArray,
  shape: readonly number[],
  options: SegmentBoundariesOptions = {},
): SegmentBoundariesResult {
  const s = checkShape(shape);
  checkLength(boundaries, shape, "boundaries");
  const boundary = parseOptions(boundaryOptionsSchema, options.boundary ?? {});
  const fragmentsOptions = parseOptions(fragmentsOptionsSchema, options.fragments ?? {});
  const agg = parseOptions(agglomerateOptionsSchema, options.agglomerate ?? {});
  const p = scaleBoundaries(boundaries, boundary);
  const affinities = affinitiesFromBoundaries(p, s, { maxValue: 1 });
  const { fragments, count } = fragmentsFromBoundaries(p, s, fragmentsOptions, affinities);
  const graph = buildRegionGraph(fragments, s, affinities, { histogramBins: agg.histogramBins });
  const ids = new Float64Array(count);
  for (let k = 0; k < count; k++) ids[k] = k + 1;
  const agglomeration = agglomerate(graph, agg.thresholds, { scoring: agg.scoring, fragmentIds: ids });
  const segmentations = agglomeration.segments.map(
    (_, t) => relabelConsecutive(applyAgglomeration(fragments, agglomeration, t) as Uint32Array).labels,
  );
  return { fragments, fragmentCount: count, graph, agglomeration, segmentations };
}
