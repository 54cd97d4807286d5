import type { ScalarArray } from "./arrays.js";
import type { BoundaryOptions } from "./options.js";

/**
 * Medians (of the value range, after `invert`) that separate boundary maps from images. On the
 * shared data, boundary maps have medians 0.000 (ISBI 2012 labels as boundaries), 0.027 (gala
 * snemi-mini probabilities inverted) and 0.070 (gala train-p1): most voxels are cell interior.
 * Grayscale EM has 0.498 (ISBI 2012), 0.506 (neuroproof sample 2) and 0.596 (gala train-image);
 * inverted, 0.404–0.502. Maps that are high inside cells: 0.930–1.000.
 */
export const BOUNDARY_MEDIAN_MAX = 0.3;
/** Above this median, an inverted input was low almost everywhere: a boundary map that needs no `invert`. */
export const INVERTED_MEDIAN_MIN = 0.8;

/** What {@link diagnoseBoundaries} concluded about a sample of a boundary map. */
export interface BoundaryDiagnosis {
  /** Median of the sample as the segmentation reads it (scaled by `maxValue` to [0, 1], inverted when `invert`). */
  median: number;
  /**
   * `boundaries`: mostly low, as a boundary map is; `image`: a grayscale image or a map high inside
   * cells read without `invert`; `inverted-boundaries`: a boundary map read with `invert`;
   * `inverted-image`: a grayscale image read with `invert` (allowed: it is what `invert` is for).
   */
  kind: "boundaries" | "image" | "inverted-boundaries" | "inverted-image";
  /** One-line advice when the input is most likely a mistake (naming the `invert` option). */
  warning?: string;
}

/**
 * Median of `values / maxValue` (inverted when asked), clamped to [0, 1], to 1/4096 — a histogram
 * pass, no sort.
 */
function scaledMedian(values: ScalarArray, maxValue: number, invert: boolean): number {
  const bins = 4096;
  const counts = new Uint32Array(bins);
  const scale = (bins - 1) / maxValue;
  for (let i = 0; i < values.length; i++) {
    let b = Math.round(values[i] * scale);
    if (!(b >= 0))
      b = 0; // NaN and negatives
    else if (b > bins - 1) b = bins - 1;
    counts[invert ? bins - 1 - b : b]++;
  }
  const half = values.length / 2;
  let seen = 0;
  for (let b = 0; b < bins; b++) {
    seen += counts[b];
    if (seen >= half) return b / (bins - 1);
  }
  return 1;
}

/**
 * Guess whether a sample of a boundary map is one (high on membranes, so mostly low: cell interiors
 * fill most of a volume) or a mistake: a grayscale EM image used directly (dark membranes on a light
 * background: median near or above the middle of the range), or a boundary map read with `invert`.
 * The rule is the sample's median against {@link BOUNDARY_MEDIAN_MAX} and {@link INVERTED_MEDIAN_MIN};
 * inverted grayscale is accepted without a warning.
 */
export function diagnoseBoundaries(
  sample: ScalarArray,
  options: Partial<BoundaryOptions> = {},
): BoundaryDiagnosis {
  const maxValue =
    options.maxValue ?? (sample instanceof Uint8Array ? 255 : sample instanceof Uint16Array ? 65535 : 1);
  const invert = options.invert === true;
  const median = scaledMedian(sample, maxValue, invert);
  const m = median.toFixed(2);
  if (median < BOUNDARY_MEDIAN_MAX) return { median, kind: "boundaries" };
  if (!invert) {
    return {
      median,
      kind: "image",
      warning:
        `this looks like a grayscale EM image (or a map high inside cells), not a boundary map: its sampled median is ${m} of the value range ` +
        `(0..${maxValue}), while a boundary map, high on membranes, is mostly low (median below ${BOUNDARY_MEDIAN_MAX}); ` +
        `the segmentation will be meaningless. If membranes are dark in it, set the invert option (--invert, or "boundary": {"invert": true} in the config); ` +
        "better, segment a membrane prediction",
    };
  }
  if (median > INVERTED_MEDIAN_MIN) {
    return {
      median,
      kind: "inverted-boundaries",
      warning:
        `invert is set, but this looks like a boundary map already (high on membranes, mostly low): inverted, its sampled median is ${m} of the value range (0..${maxValue}); ` +
        `the segmentation will be meaningless. Unset the invert option (--no-invert, or "boundary": {"invert": false} in the config)`,
    };
  }
  return { median, kind: "inverted-image" };
}
