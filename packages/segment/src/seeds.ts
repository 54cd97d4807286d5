import { checkFinite, checkLength, checkShape, type ScalarArray } from "./arrays.js";
import { connectedComponents } from "./connected-components.js";
import { distanceTransform } from "./distance-transform.js";
import { maximumFilter } from "./max-filter.js";
import { quantise } from "./quantise.js";

/** Seeds: a label volume (0 = no seed) and the number of seeds (ids 1..count). */
export interface Seeds {
  seeds: Uint32Array;
  count: number;
}

/** Options of {@link seedsFromMinima}. */
export interface MinimaSeedsOptions {
  /** `3d` (6-connected plateaus, default) or `2d` (4-connected, per z-section). */
  mode?: "2d" | "3d";
  /** Levels a float surface is quantised to before finding minima (default 65536). */
  levels?: number;
  /** Only voxels where the mask is non-zero can be seeds. */
  mask?: Uint8Array;
}

/**
 * Regional minima of a surface as seeds: every connected plateau of equal (quantised) level with no
 * lower neighbour becomes one seed, numbered in C order of its first voxel.
 */
export function seedsFromMinima(
  surface: ScalarArray,
  shape: readonly number[],
  options: MinimaSeedsOptions = {},
): Seeds {
  const [Z, Y, X] = checkShape(shape);
  checkLength(surface, shape, "surface");
  const mask = options.mask;
  if (mask !== undefined) checkLength(mask, shape, "mask");
  const { values } = quantise(surface, options.levels ?? 65536, "surface");
  const planar = options.mode === "2d";
  const n = Z * Y * X;
  const XY = X * Y;
  const seeds = new Uint32Array(n);
  const visited = new Uint8Array(n);
  const queue = new Int32Array(n);
  let count = 0;
  for (let start = 0; start < n; start++) {
    if (visited[start] !== 0 || (mask !== undefined && mask[start] === 0)) continue;
    const v = values[start];
    let headPos = 0;
    let tailPos = 0;
    queue[tailPos++] = start;
    visited[start] = 1;
    let minimum = true;
    while (headPos < tailPos) {
      const i = queue[headPos++];
      const x = i % X;
      const zy = (i - x) / X;
      const y = zy % Y;
      const z = (zy - y) / Y;
      for (let k = 0; k < 6; k++) {
        let j: number;
        if (k === 0) {
          if (x === 0) continue;
          j = i - 1;
        } else if (k === 1) {
          if (x === X - 1) continue;
          j = i + 1;
        } else if (k === 2) {
          if (y === 0) continue;
          j = i - X;
        } else if (k === 3) {
          if (y === Y - 1) continue;
          j = i + X;
        } else if (k === 4) {
          if (planar || z === 0) continue;
          j = i - XY;
        } else {
          if (planar || z === Z - 1) continue;
          j = i + XY;
        }
        if (mask !== undefined && mask[j] === 0) continue;
        const w = values[j];
        if (w < v) minimum = false;
        else if (w === v && visited[j] === 0) {
          visited[j] = 1;
          queue[tailPos++] = j;
        }
      }
    }
    if (minimum) {
      count++;
      for (let q = 0; q < tailPos; q++) seeds[queue[q]] = count;
    }
  }
  return { seeds, count };
}

/** Options of {@link seedsFromDistance}. */
export interface DistanceSeedsOptions {
  /** Boundary values below this are cell interior (default 0.5, in the map's own units). */
  threshold?: number;
  /** Voxel size `[z, y, x]` for the distance transform (default `[1, 1, 1]`). */
  sampling?: readonly [number, number, number];
  /** Window of the maximum filter in voxels (per axis, or one number; default 10, as LSD's `min_seed_distance`). */
  minSeedDistance?: number | readonly [number, number, number];
  /** `3d` (default) or `2d`: distances, maxima and seed components per z-section. */
  mode?: "2d" | "3d";
  /** Only voxels where the mask is non-zero are interior. */
  mask?: Uint8Array;
}

/** Seeds from the distance transform, with the distances (useful as a flooding surface). */
export interface DistanceSeeds extends Seeds {
  /** Distance of each interior voxel to the nearest boundary voxel (0 on boundaries). */
  distances: Float32Array;
}

/**
 * The LSD recipe: threshold the boundary map (interior = value < threshold), take the exact Euclidean
 * distance transform of the interior (anisotropic sampling), and make every connected plateau of local
 * maxima (distance equal to its maximum filter, distance > 0) one seed, numbered in C order.
 */
export function seedsFromDistance(
  boundaries: ScalarArray,
  shape: readonly number[],
  options: DistanceSeedsOptions = {},
): DistanceSeeds {
  const [Z, Y, X] = checkShape(shape);
  checkLength(boundaries, shape, "boundaries");
  checkFinite(boundaries, "boundaries");
  const mask = options.mask;
  if (mask !== undefined) checkLength(mask, shape, "mask");
  const threshold = options.threshold ?? 0.5;
  const planar = options.mode === "2d";
  const n = Z * Y * X;
  const interior = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    interior[i] = boundaries[i] < threshold && (mask === undefined || mask[i] !== 0) ? 1 : 0;
  }
  const distances = distanceTransform(interior, shape, { sampling: options.sampling, planar });
  const d = options.minSeedDistance ?? 10;
  const window: [number, number, number] = typeof d === "number" ? [d, d, d] : [d[0], d[1], d[2]];
  if (planar) window[0] = 1;
  const maxima = maximumFilter(distances, [Z, Y, X], window);
  const peaks = new Uint8Array(n);
  for (let i = 0; i < n; i++) peaks[i] = distances[i] > 0 && distances[i] === maxima[i] ? 1 : 0;
  if (!planar) {
    const { labels, count } = connectedComponents(peaks, shape, { connectivity: 6 });
    return { seeds: labels, count, distances };
  }
  // per section: components never cross z (6-connectivity within a [1, y, x] slice)
  const seeds = new Uint32Array(n);
  let count = 0;
  for (let z = 0; z < Z; z++) {
    const slice = peaks.subarray(z * Y * X, (z + 1) * Y * X);
    const { labels, count: c } = connectedComponents(slice, [1, Y, X], { connectivity: 6 });
    for (let i = 0; i < labels.length; i++) if (labels[i] !== 0) seeds[z * Y * X + i] = labels[i] + count;
    count += c;
  }
  return { seeds, count, distances };
}
