import { checkLength, checkShape, type ScalarArray } from "./arrays.js";
import { relabelConsecutive } from "./relabel.js";
import { seedsFromDistance, seedsFromMinima } from "./seeds.js";
import { seededWatershed } from "./watershed.js";

/** Options of {@link watershedFragments} (see `fragmentsOptionsSchema` for the validated form). */
export interface WatershedFragmentsOptions {
  /** Where seeds come from: maxima of the boundary distance transform (`distance`, default) or minima of the map (`minima`). */
  seeds?: "distance" | "minima";
  /** `3d` (default) or `2d` (per z-section; ids stay unique over the volume). */
  mode?: "2d" | "3d";
  /** Interior threshold of the boundary map for distance seeds (default 0.5). */
  threshold?: number;
  /** Voxel size `[z, y, x]` for the distance transform (default `[1, 1, 1]`). */
  sampling?: readonly [number, number, number];
  /** Maximum-filter window for distance seeds, voxels (default 10). */
  minSeedDistance?: number;
  /** Fragments smaller than this many voxels give up their seed and are flooded by their neighbours (default 0). */
  minSize?: number;
  /** Voxels where the mask is 0 get no fragment. */
  mask?: Uint8Array;
  /** Levels a float map is quantised to (default 65536). */
  levels?: number;
}

/** Fragments: labels 1..count (0 only outside the mask). */
export interface Fragments {
  fragments: Uint32Array;
  count: number;
}

/**
 * Watershed fragments of a boundary map (high = membrane): seeds (distance maxima or minima), a
 * seeded flood of the map, optional removal of fragments below `minSize` (their seeds are dropped and
 * the flood repeated), then ids made consecutive.
 */
export function watershedFragments(
  boundaries: ScalarArray,
  shape: readonly number[],
  options: WatershedFragmentsOptions = {},
): Fragments {
  checkShape(shape);
  checkLength(boundaries, shape, "boundaries");
  const mode = options.mode ?? "3d";
  const { seeds } =
    options.seeds === "minima"
      ? seedsFromMinima(boundaries, shape, { mode, levels: options.levels, mask: options.mask })
      : seedsFromDistance(boundaries, shape, {
          threshold: options.threshold,
          sampling: options.sampling,
          minSeedDistance: options.minSeedDistance,
          mode,
          mask: options.mask,
        });
  const flood = () =>
    seededWatershed(boundaries, shape, seeds, { mask: options.mask, mode, levels: options.levels });
  let labels = flood();
  const minSize = options.minSize ?? 0;
  if (minSize > 1) {
    let max = 0;
    for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
    const sizes = new Float64Array(max + 1);
    for (let i = 0; i < labels.length; i++) sizes[labels[i]]++;
    let dropped = false;
    for (let i = 0; i < seeds.length; i++) {
      const s = seeds[i];
      if (s !== 0 && sizes[s] < minSize) {
        seeds[i] = 0;
        dropped = true;
      }
    }
    if (dropped) labels = flood();
  }
  const { labels: fragments, count } = relabelConsecutive(labels);
  return { fragments, count };
}
