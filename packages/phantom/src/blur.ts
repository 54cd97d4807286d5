/**
 * Separable blurs of 2D float images (row-major, `[height, width]`), with edges extended by
 * clamping: an exact Gaussian for small sigmas and a triple box blur (cost independent of the
 * radius) for large ones.
 */

/**
 * Gaussian blur of a 2D image with standard deviation `sigmaPx` (pixels), kernel truncated at
 * 3σ, edges clamped. Returns a new array (or writes `out` when given; `out` may not alias `src`).
 * A sigma of 0 copies the input.
 */
export function gaussianBlur2d(
  src: Float32Array,
  height: number,
  width: number,
  sigmaPx: number,
  out: Float32Array = new Float32Array(height * width),
): Float32Array {
  if (sigmaPx <= 0) {
    out.set(src);
    return out;
  }
  const r = Math.max(1, Math.ceil(3 * sigmaPx));
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) {
    const v = Math.exp((-0.5 * i * i) / (sigmaPx * sigmaPx));
    k[i + r] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  const tmp = new Float32Array(height * width);
  // Along x.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let acc = 0;
      if (x >= r && x < width - r) {
        const base = row + x - r;
        for (let i = 0; i < k.length; i++) acc += k[i] * src[base + i];
      } else {
        for (let i = -r; i <= r; i++) {
          const xx = x + i < 0 ? 0 : x + i >= width ? width - 1 : x + i;
          acc += k[i + r] * src[row + xx];
        }
      }
      tmp[row + x] = acc;
    }
  }
  // Along y.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    if (y >= r && y < height - r) {
      for (let x = 0; x < width; x++) out[row + x] = 0;
      for (let i = 0; i < k.length; i++) {
        const kv = k[i];
        const srow = (y - r + i) * width;
        for (let x = 0; x < width; x++) out[row + x] += kv * tmp[srow + x];
      }
    } else {
      for (let x = 0; x < width; x++) {
        let acc = 0;
        for (let i = -r; i <= r; i++) {
          const yy = y + i < 0 ? 0 : y + i >= height ? height - 1 : y + i;
          acc += k[i + r] * tmp[yy * width + x];
        }
        out[row + x] = acc;
      }
    }
  }
  return out;
}

/**
 * Approximate Gaussian blur by three passes of a box filter along each axis (variance r(r+1) per
 * axis for box radius r, chosen so that it matches `sigmaPx`²). Cost is independent of sigma.
 * In place; edges clamped.
 */
export function boxBlur2d(data: Float32Array, height: number, width: number, sigmaPx: number): Float32Array {
  const r = Math.round((Math.sqrt(1 + 4 * sigmaPx * sigmaPx) - 1) / 2);
  if (r < 1) return data;
  const line = new Float32Array(Math.max(height, width));
  for (let pass = 0; pass < 3; pass++) {
    for (let y = 0; y < height; y++) boxLine(data, y * width, 1, width, r, line);
    for (let x = 0; x < width; x++) boxLine(data, x, width, height, r, line);
  }
  return data;
}

/** Box filter of radius r over one strided line, in place, edges clamped. */
function boxLine(
  data: Float32Array,
  start: number,
  stride: number,
  n: number,
  r: number,
  line: Float32Array,
) {
  for (let i = 0; i < n; i++) line[i] = data[start + i * stride];
  const last = n - 1;
  let sum = 0;
  for (let j = -r; j <= r; j++) sum += line[j < 0 ? 0 : Math.min(j, last)];
  const inv = 1 / (2 * r + 1);
  for (let i = 0; i < n; i++) {
    data[start + i * stride] = sum * inv;
    const add = i + r + 1;
    const sub = i - r;
    sum += line[Math.min(add, last)] - line[Math.max(sub, 0)];
  }
}
