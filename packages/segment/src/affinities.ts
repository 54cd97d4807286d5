import { checkFinite, checkLength, checkShape, type ScalarArray, voxelCount } from "./arrays.js";
import { SegmentDtypeError, SegmentShapeError } from "./errors.js";

/**
 * Nearest-neighbour affinities, channels first `[3, z, y, x]` as one flat Float32Array: channel c at
 * offset c·n holds, at voxel i, the affinity of the edge between i and its neighbour at −1 along axis
 * c (c = 0 z, 1 y, 2 x), as waterz and zwatershed store them. Edges that would leave the volume are 0.
 */
export type Affinities = Float32Array;

/**
 * Throw unless `affinities` is a Float32Array of 3 channels over `shape` without NaN or infinities
 * (the values are not looked at when `checkValues` is false).
 */
export function checkAffinities(
  affinities: unknown,
  shape: readonly number[],
  field = "affinities",
  checkValues = true,
): void {
  checkShape(shape);
  if (!(affinities instanceof Float32Array)) {
    throw new SegmentDtypeError("affinities must be a Float32Array", {
      field,
      expected: "Float32Array of 3×z×y×x values",
      found: String((affinities as object)?.constructor?.name ?? typeof affinities),
    });
  }
  const n = voxelCount(shape);
  if (affinities.length !== 3 * n) {
    const channels = n === 0 ? "?" : (affinities.length / n).toString();
    throw new SegmentShapeError("affinities have the wrong channel count", {
      field,
      expected: `3 channels (z, y, x) of ${shape.join("×")} = ${3 * n} values`,
      found: `${affinities.length} values (${channels} channels)`,
    });
  }
  if (checkValues) checkFinite(affinities, field);
}

/** Options of {@link affinitiesFromBoundaries}. */
export interface AffinitiesFromBoundariesOptions {
  /** Value meaning "certainly membrane" (default 1 for float maps, 255 for Uint8, 65535 for Uint16). */
  maxValue?: number;
  /** The map is high inside cells and low on membranes (e.g. snemi-mini's probabilities): use 1 − p. */
  invert?: boolean;
}

/**
 * Affinities from a boundary map p (high = membrane), the waterz benchmark recipe:
 * `aff[c][i] = 1 − max(p[i], p[i − e_c])`, with p scaled to [0, 1] by `maxValue`.
 */
export function affinitiesFromBoundaries(
  boundaries: ScalarArray,
  shape: readonly number[],
  options: AffinitiesFromBoundariesOptions = {},
): Affinities {
  const [Z, Y, X] = checkShape(shape);
  checkLength(boundaries, shape, "boundaries");
  checkFinite(boundaries, "boundaries");
  const n = Z * Y * X;
  const maxValue =
    options.maxValue ??
    (boundaries instanceof Uint8Array ? 255 : boundaries instanceof Uint16Array ? 65535 : 1);
  const p = new Float32Array(n);
  const scale = 1 / maxValue;
  if (options.invert) for (let i = 0; i < n; i++) p[i] = 1 - boundaries[i] * scale;
  else for (let i = 0; i < n; i++) p[i] = boundaries[i] * scale;
  const aff = new Float32Array(3 * n);
  const XY = X * Y;
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      const row = z * XY + y * X;
      for (let x = 0; x < X; x++) {
        const i = row + x;
        const pi = p[i];
        if (z > 0) aff[i] = 1 - Math.max(pi, p[i - XY]);
        if (y > 0) aff[n + i] = 1 - Math.max(pi, p[i - X]);
        if (x > 0) aff[2 * n + i] = 1 - Math.max(pi, p[i - 1]);
      }
    }
  }
  return aff;
}

/** Affinities of a label volume: 1 between equal non-zero neighbours, 0 elsewhere (ground-truth affinities). */
export function affinitiesFromLabels(labels: ArrayLike<number>, shape: readonly number[]): Affinities {
  const [Z, Y, X] = checkShape(shape);
  checkLength(labels, shape, "labels");
  const n = Z * Y * X;
  const XY = X * Y;
  const aff = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (v === 0) continue;
    const x = i % X;
    const y = ((i - x) / X) % Y;
    const z = Math.floor(i / XY);
    if (z > 0 && labels[i - XY] === v) aff[i] = 1;
    if (y > 0 && labels[i - X] === v) aff[n + i] = 1;
    if (x > 0 && labels[i - 1] === v) aff[2 * n + i] = 1;
  }
  return aff;
}
