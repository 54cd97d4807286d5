import FFT from "fft.js";

const plans = new Map<number, FFT>();
function plan(n: number): FFT {
  let p = plans.get(n);
  if (!p) {
    p = new FFT(n);
    plans.set(n, p);
  }
  return p;
}

/** The smallest power of two >= n (fft.js transforms powers of two, at least 2). */
export function nextPowerOfTwo(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/** The 1-D transform of each row of an interleaved complex array, in place. */
function transformRows(data: Float64Array, rows: number, cols: number, inverse: boolean): void {
  const f = plan(cols);
  const out = new Float64Array(2 * cols);
  for (let y = 0; y < rows; y++) {
    const line = data.subarray(2 * y * cols, 2 * (y + 1) * cols);
    if (inverse) f.inverseTransform(out, line);
    else f.transform(out, line);
    line.set(out);
  }
}

/** Columns transformed together: their values in one row are adjacent, so gathering them reads whole cache lines. */
const COLUMN_BATCH = 16;

/** The 1-D transform of each column, in place, gathered and scattered COLUMN_BATCH columns at a time. */
function transformColumns(data: Float64Array, rows: number, cols: number, inverse: boolean): void {
  const f = plan(rows);
  const batch = Math.min(COLUMN_BATCH, cols);
  const lines = new Float64Array(2 * rows * batch);
  const out = new Float64Array(2 * rows);
  for (let x0 = 0; x0 < cols; x0 += batch) {
    const width = Math.min(batch, cols - x0);
    for (let y = 0; y < rows; y++) {
      const o = 2 * (y * cols + x0);
      for (let k = 0; k < width; k++) {
        const l = 2 * (k * rows + y);
        lines[l] = data[o + 2 * k];
        lines[l + 1] = data[o + 2 * k + 1];
      }
    }
    for (let k = 0; k < width; k++) {
      const line = lines.subarray(2 * k * rows, 2 * (k + 1) * rows);
      if (inverse) f.inverseTransform(out, line);
      else f.transform(out, line);
      line.set(out);
    }
    for (let y = 0; y < rows; y++) {
      const o = 2 * (y * cols + x0);
      for (let k = 0; k < width; k++) {
        const l = 2 * (k * rows + y);
        data[o + 2 * k] = lines[l];
        data[o + 2 * k + 1] = lines[l + 1];
      }
    }
  }
}

/**
 * In-place 2-D FFT of an interleaved complex `rows × cols` image (both powers of two): rows, then
 * columns in batches. Forward: F(u,v) = Σ f(y,x) e^{−2πi(uy/rows + vx/cols)}; inverse divides by
 * rows·cols.
 */
export function fft2d(data: Float64Array, rows: number, cols: number, inverse = false): Float64Array {
  transformRows(data, rows, cols, inverse);
  transformColumns(data, rows, cols, inverse);
  return data;
}
