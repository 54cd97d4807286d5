import type { Affine } from "./fit.js";
import type { Section } from "./section.js";

/**
 * Resample `moving` into the frame of a `height × width` section through the map `m` (fixed →
 * moving): out(q) = moving(m(q)), bilinear; points that fall outside get `fill` (default NaN).
 */
export function warpAffine(
  moving: Section,
  m: Affine,
  width = moving.width,
  height = moving.height,
  fill = Number.NaN,
): Float64Array {
  const out = new Float64Array(width * height);
  const { data, width: W, height: H } = moving;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sy = m[0] * y + m[1] * x + m[2];
      const sx = m[3] * y + m[4] * x + m[5];
      if (!(sy >= 0 && sx >= 0 && sy <= H - 1 && sx <= W - 1)) {
        out[y * width + x] = fill;
        continue;
      }
      // the last row and column are reached with a weight of 1 on them
      const y0 = Math.min(Math.floor(sy), H - 2);
      const x0 = Math.min(Math.floor(sx), W - 2);
      const fy = sy - y0;
      const fx = sx - x0;
      const i = y0 * W + x0;
      out[y * width + x] =
        (1 - fy) * ((1 - fx) * data[i] + fx * data[i + 1]) +
        fy * ((1 - fx) * data[i + W] + fx * data[i + W + 1]);
    }
  }
  return out;
}
