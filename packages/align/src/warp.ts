import { type Affine, applyAffine } from "./fit.js";
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
      const [sy, sx] = applyAffine(m, y, x);
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      if (y0 < 0 || x0 < 0 || y0 >= H - 1 || x0 >= W - 1) {
        // on the last row or column itself: nearest
        const ny = Math.round(sy);
        const nx = Math.round(sx);
        out[y * width + x] =
          ny >= 0 && nx >= 0 && ny < H && nx < W && Math.abs(sy - ny) < 1e-9 && Math.abs(sx - nx) < 1e-9
            ? data[ny * W + nx]
            : fill;
        continue;
      }
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
