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

/**
 * Inverse 2-D FFT of the spectrum of a real image (Hermitian: S(−k) = S*(k)), returning the real
 * rows × cols image: columns 0…cols/2 transformed along the rows axis, then each row by a complex-to-
 * real transform of half length (even and odd samples packed as real and imaginary parts). About half
 * the work of {@link fft2d}'s inverse. `spectrum` is interleaved complex, rows × cols; it is not changed.
 */
export function inverseReal2d(spectrum: Float64Array, rows: number, cols: number): Float64Array {
  const half = cols / 2;
  const width = half + 1;
  // columns 0…half of the spectrum, transformed along y: s[y][v]
  const s = new Float64Array(2 * rows * width);
  const colPlan = plan(rows);
  const line = new Float64Array(2 * rows);
  const out = new Float64Array(2 * rows);
  for (let v = 0; v < width; v++) {
    for (let y = 0; y < rows; y++) {
      line[2 * y] = spectrum[2 * (y * cols + v)];
      line[2 * y + 1] = spectrum[2 * (y * cols + v) + 1];
    }
    colPlan.inverseTransform(out, line);
    for (let y = 0; y < rows; y++) {
      s[2 * (y * width + v)] = out[2 * y];
      s[2 * (y * width + v) + 1] = out[2 * y + 1];
    }
  }
  // each row: x[2m] + i x[2m+1] = ½ IFFT_half(E + iO), E[k] = X[k] + X[k+half],
  // O[k] = (X[k] − X[k+half]) e^{2πik/cols}, with X[k+half] = X*[half − k]
  const rowPlan = plan(half);
  const z = new Float64Array(2 * half);
  const zOut = new Float64Array(2 * half);
  const result = new Float64Array(rows * cols);
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / cols);
    sin[k] = Math.sin((2 * Math.PI * k) / cols);
  }
  for (let y = 0; y < rows; y++) {
    const o = 2 * y * width;
    for (let k = 0; k < half; k++) {
      const xr = s[o + 2 * k];
      const xi = s[o + 2 * k + 1];
      const yr = s[o + 2 * (half - k)];
      const yi = -s[o + 2 * (half - k) + 1];
      const er = xr + yr;
      const ei = xi + yi;
      const dr = xr - yr;
      const di = xi - yi;
      const or = dr * cos[k] - di * sin[k];
      const oi = dr * sin[k] + di * cos[k];
      // E + iO
      z[2 * k] = er - oi;
      z[2 * k + 1] = ei + or;
    }
    rowPlan.inverseTransform(zOut, z);
    const r = y * cols;
    for (let m = 0; m < half; m++) {
      result[r + 2 * m] = 0.5 * zOut[2 * m];
      result[r + 2 * m + 1] = 0.5 * zOut[2 * m + 1];
    }
  }
  return result;
}
