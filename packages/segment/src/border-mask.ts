import { checkLabels, checkLength, checkShape, type LabelArray, labelsAsNumbers } from "./arrays.js";
import { distanceTransform } from "./distance-transform.js";
import { SegmentOptionsError } from "./errors.js";

/** Options of {@link cremiBorderMask}: give `maxDistancePx`, or `borderThresholdNm` with `resolutionNm`. */
export interface BorderMaskOptions {
  /** Mask radius in pixels (in-plane). */
  maxDistancePx?: number;
  /** Mask radius in nm (CREMI uses 25); divided by the y resolution, as cremi_python does. */
  borderThresholdNm?: number;
  /** Voxel size `[z, y, x]` in nm (needed with `borderThresholdNm`). */
  resolutionNm?: readonly [number, number, number];
}

/**
 * CREMI's border mask (cremi_python `create_border_mask`): per z-section, a pixel is interior when its
 * four in-plane neighbours (edge-padded) carry its label; every pixel whose 2-D distance to a
 * non-interior pixel is ≤ the radius is masked. Returns 1 for masked (excluded) voxels, 0 elsewhere.
 */
export function cremiBorderMask(
  gt: LabelArray,
  shape: readonly number[],
  options: BorderMaskOptions,
): Uint8Array {
  checkLabels(gt, "ground truth");
  const [Z, Y, X] = checkShape(shape);
  checkLength(gt, shape, "ground truth");
  let radius = options.maxDistancePx;
  if (radius === undefined) {
    if (options.borderThresholdNm === undefined || options.resolutionNm === undefined) {
      throw new SegmentOptionsError("border mask needs a radius", {
        field: "borderThresholdNm",
        expected: "maxDistancePx, or borderThresholdNm with resolutionNm",
        found: JSON.stringify(options),
      });
    }
    radius = options.borderThresholdNm / options.resolutionNm[1];
  }
  radius = Math.max(radius, 0);
  const labels = labelsAsNumbers(gt, "ground truth");
  const interior = new Uint8Array(Z * Y * X);
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      const row = (z * Y + y) * X;
      for (let x = 0; x < X; x++) {
        const i = row + x;
        const v = labels[i];
        const inside =
          (x === 0 || labels[i - 1] === v) &&
          (x === X - 1 || labels[i + 1] === v) &&
          (y === 0 || labels[i - X] === v) &&
          (y === Y - 1 || labels[i + X] === v);
        interior[i] = inside ? 1 : 0;
      }
    }
  }
  const distance = distanceTransform(interior, shape, { planar: true });
  const mask = new Uint8Array(Z * Y * X);
  for (let i = 0; i < mask.length; i++) mask[i] = distance[i] <= radius ? 1 : 0;
  return mask;
}
