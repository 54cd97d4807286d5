import { AlignInputError } from "./errors.js";
import { fft2d, inverseReal2d, nextPowerOfTwo } from "./fft2d.js";
import { PatchCorrelator } from "./patch-correlator.js";
import type { Section } from "./section.js";

/** Options of {@link phaseCorrelate}. */
export interface PhaseCorrelationOptions {
  /** Sub-pixel precision: the peak is refined on a grid of 1/upsample px (default 100; 1: integer). */
  upsample?: number;
  /** Taper both sections with a separable Hann window against edge effects (default true). */
  window?: boolean;
  /** Largest shift considered along each axis, px (default: half the padded size). */
  maxShift?: number;
  /**
   * Width σ of a Gaussian weight on the normalised cross-power spectrum, cycles/px (default 0.12; 0:
   * none). Aliased high frequencies of EM sections do not move with the image and pull sub-pixel
   * estimates towards whole pixels ("pixel locking": 0.25 px shifts came out 0.19–0.20 without it);
   * the weight keeps the bands that shift coherently.
   */
  spectralWidth?: number;
}

/** The translation found by {@link phaseCorrelate}, with measures of how much to trust it. */
export interface Translation {
  /** Shift (rows) to apply to `moving` to register it onto `fixed`, px. */
  dy: number;
  /** Shift (columns) to apply to `moving`, px. */
  dx: number;
  /** Height of the phase-correlation peak (1: identical up to the shift; near 0: no match). */
  peak: number;
  /** The peak over the highest value outside its 5 × 5 neighbourhood (≥ ~3: a clear match). */
  peakRatio: number;
}

function checkSection(name: string, s: Section): void {
  if (!(Number.isInteger(s.width) && Number.isInteger(s.height) && s.width >= 2 && s.height >= 2)) {
    throw new AlignInputError(`section "${name}" needs integer width and height >= 2`, {
      field: name,
      expected: "width, height >= 2",
      found: `${s.width} × ${s.height}`,
    });
  }
  if (s.data.length !== s.width * s.height) {
    throw new AlignInputError(`section "${name}" has the wrong number of values`, {
      field: name,
      expected: `${s.width * s.height} values (${s.height} rows × ${s.width} columns)`,
      found: String(s.data.length),
    });
  }
}

/** Hann taper of length n (ends near 0, 1 in the middle). */
function hann(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
  return w;
}

/**
 * The section, mean removed and tapered, written zero-padded into the real (`part` 0) or imaginary
 * (`part` 1) slots of an interleaved complex rows × cols array.
 */
function place(s: Section, out: Float64Array, part: 0 | 1, cols: number, taper: boolean): void {
  const { width, height, data } = s;
  let mean = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) {
      throw new AlignInputError("a section holds a value that is not a finite number", {
        field: `value ${i} (row ${Math.floor(i / width)}, column ${i % width})`,
        expected: "finite numbers",
        found: String(v),
      });
    }
    mean += v;
  }
  mean /= data.length;
  const wy = taper ? hann(height) : null;
  const wx = taper ? hann(width) : null;
  for (let y = 0; y < height; y++) {
    const fy = wy ? wy[y] : 1;
    const o = y * width;
    const e = 2 * y * cols + part;
    for (let x = 0; x < width; x++) out[e + 2 * x] = (data[o + x] - mean) * fy * (wx ? wx[x] : 1);
  }
}

/** Gaussian weights exp(−f²/2σ²) of the n FFT bins (1 everywhere when σ = 0). */
function spectralWeights(n: number, sigma: number): Float64Array {
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const f = freq(k, n);
    w[k] = sigma > 0 ? Math.exp(-(f * f) / (2 * sigma * sigma)) : 1;
  }
  return w;
}

/** Offset of the vertex of the parabola through ln(a), ln(b), ln(c) at −1, 0, 1 (plain values if any is <= 0). */
function vertex(a: number, b: number, c: number): number {
  const [l, m, r] = a > 0 && b > 0 && c > 0 ? [Math.log(a), Math.log(b), Math.log(c)] : [a, b, c];
  const d = l - 2 * m + r;
  if (!(d < 0)) return 0;
  return Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / d));
}

/** Signed frequency of FFT bin k of n, in cycles per sample. */
const freq = (k: number, n: number) => (k < n / 2 ? k : k - n) / n;

/**
 * Band-limited interpolation kernel of n periodic samples (the Dirichlet kernel, with the Nyquist
 * term as a cosine): sample values at integer offsets t interpolate to Σ c[m] D(t − m).
 */
function dirichlet(t: number, n: number): number {
  const a = Math.PI * t;
  // at t = k·n the limit is cos(πt) (1 for even n)
  if (Math.abs(Math.sin(a / n)) < 1e-12) return Math.cos(a);
  return Math.sin(a) / (n * Math.tan(a / n));
}

/**
 * The correlation c (real, rows × cols) interpolated between
 * its samples on the grid y = y0 + (j − h)/up, x = x0 + (i − h)/up (j, i ≤ 2h): the upsampled
 * cross-correlation of Guizar-Sicairos et al. (2008) computed from the samples with separable
 * Dirichlet kernels, in real arithmetic. Returns the best (y, x) and its value.
 */
function refinePeak(
  c: Float64Array,
  rows: number,
  cols: number,
  y0: number,
  x0: number,
  up: number,
  h: number,
): { y: number; x: number; value: number } {
  const n = 2 * h + 1;
  // kx[i][x] = D(x_i − x) over the columns, ky[j][y] likewise over the rows
  const kx = new Float64Array(n * cols);
  for (let i = 0; i < n; i++) {
    const xi = x0 + (i - h) / up;
    for (let x = 0; x < cols; x++) kx[i * cols + x] = dirichlet(xi - x, cols);
  }
  const ky = new Float64Array(n * rows);
  for (let j = 0; j < n; j++) {
    const yj = y0 + (j - h) / up;
    for (let y = 0; y < rows; y++) ky[j * rows + y] = dirichlet(yj - y, rows);
  }
  // b[y][i] = Σ_x c[y][x] kx[i][x]
  const b = new Float64Array(rows * n);
  for (let y = 0; y < rows; y++) {
    const o = y * cols;
    for (let i = 0; i < n; i++) {
      const k = i * cols;
      let s = 0;
      for (let x = 0; x < cols; x++) s += c[o + x] * kx[k + x];
      b[y * n + i] = s;
    }
  }
  let best = { y: y0, x: x0, value: Number.NEGATIVE_INFINITY };
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let y = 0; y < rows; y++) s += ky[j * rows + y] * b[y * n + i];
      if (s > best.value) best = { y: y0 + (j - h) / up, x: x0 + (i - h) / up, value: s };
    }
  }
  return best;
}

/** Correlators of square sections by size and options, kept for reuse (their FFT plans and buffers). */
const correlators = new Map<string, PatchCorrelator>();
const MAX_CORRELATORS = 8;

function squareCorrelator(size: number, options: PhaseCorrelationOptions): PatchCorrelator {
  const key = `${size}:${options.upsample}:${options.window}:${options.maxShift}:${options.spectralWidth}`;
  let c = correlators.get(key);
  if (!c) {
    c = new PatchCorrelator(size, options);
    if (correlators.size >= MAX_CORRELATORS) correlators.delete(correlators.keys().next().value as string);
    correlators.set(key, c);
  }
  return c;
}

/**
 * Translation between two sections of the same size by phase correlation: both mean-removed and
 * Hann-tapered, zero-padded to powers of two, the normalised cross-power spectrum weighted by a
 * Gaussian in frequency (`spectralWidth`) and inverted, its peak
 * found, a first sub-pixel guess made by a log-parabola through it and its neighbours, and refined
 * to 1/upsample px by an upsampled DFT (Guizar-Sicairos et al. 2008) over ±0.03 px around the guess
 * (moved on while the best value lies on the window's edge). The result is the shift to apply to `moving` to register it onto
 * `fixed` (skimage's `phase_cross_correlation(fixed, moving)` convention).
 *
 * Square sections go to a cached {@link PatchCorrelator} of their size, which does the same steps
 * without the padding (circular correlation of the tapered sections, a mixed-radix FFT at the section
 * size, frequencies of negligible weight left out): 6–7× faster at 512² and 2048² in one timing run, estimates differing by at most 0.018 px over 180 sampled ISBI patch pairs.
 */
export function phaseCorrelate(
  fixed: Section,
  moving: Section,
  options: PhaseCorrelationOptions = {},
): Translation {
  checkSection("fixed", fixed);
  checkSection("moving", moving);
  if (fixed.width !== moving.width || fixed.height !== moving.height) {
    throw new AlignInputError("the two sections differ in size", {
      field: "moving",
      expected: `${fixed.height} × ${fixed.width} (the fixed section's size)`,
      found: `${moving.height} × ${moving.width}`,
    });
  }
  if (fixed.width === fixed.height)
    return squareCorrelator(fixed.width, options).correlate(fixed.data, moving.data);
  const upsample = options.upsample ?? 100;
  if (!(Number.isInteger(upsample) && upsample >= 1 && upsample <= 1000)) {
    throw new AlignInputError("upsample must be an integer from 1 to 1000", {
      field: "upsample",
      expected: "an integer from 1 to 1000",
      found: String(upsample),
    });
  }
  const rows = nextPowerOfTwo(fixed.height);
  const cols = nextPowerOfTwo(fixed.width);
  const taper = options.window ?? true;
  const weight = options.spectralWidth ?? 0.12;
  if (!(weight >= 0)) {
    throw new AlignInputError("spectralWidth must be >= 0", {
      field: "spectralWidth",
      expected: ">= 0 cycles/px",
      found: String(weight),
    });
  }
  // both real sections in one complex FFT: z = f + i g, so F(k) = (Z(k) + Z*(−k))/2 and
  // G(k) = (Z(k) − Z*(−k))/2i; then R = F G* / |F G*|, weighted (the factor 1/4 cancels)
  const z = new Float64Array(2 * rows * cols);
  place(fixed, z, 0, cols, taper);
  place(moving, z, 1, cols, taper);
  fft2d(z, rows, cols);
  const wu = spectralWeights(rows, weight);
  const wv = spectralWeights(cols, weight);
  // R(−k) = R*(k) (both sections are real): compute columns v <= cols/2, mirror the rest
  const r = new Float64Array(2 * rows * cols);
  const half = cols / 2;
  for (let u = 0; u < rows; u++) {
    const nu = u === 0 ? 0 : rows - u;
    const wuU = wu[u];
    for (let v = 0; v <= half; v++) {
      const nv = v === 0 ? 0 : cols - v;
      const i = 2 * (u * cols + v);
      const j = 2 * (nu * cols + nv);
      const zr = z[i];
      const zi = z[i + 1];
      const cr = z[j];
      const ci = -z[j + 1];
      // F = (a_r + i a_i)/2 and G* = (b_r + i b_i)/2 with a = Z + Z*(−k), b = (z_i − c_i, z_r − c_r)
      const ar = zr + cr;
      const ai = zi + ci;
      const br = zi - ci;
      const bi = zr - cr;
      const re = ar * br - ai * bi;
      const im = ai * br + ar * bi;
      const m = Math.sqrt(re * re + im * im);
      if (m > 1e-300) {
        const w = (wuU * wv[v]) / m;
        r[i] = re * w;
        r[i + 1] = im * w;
        r[j] = re * w;
        r[j + 1] = -im * w;
      }
    }
  }
  const cc = inverseReal2d(r, rows, cols);
  const maxShift = options.maxShift ?? Math.min(rows, cols) / 2;
  let peak = Number.NEGATIVE_INFINITY;
  let py = 0;
  let px = 0;
  for (let y = 0; y < rows; y++) {
    const sy = y < rows / 2 ? y : y - rows;
    if (Math.abs(sy) > maxShift) continue;
    for (let x = 0; x < cols; x++) {
      const sx = x < cols / 2 ? x : x - cols;
      if (Math.abs(sx) > maxShift) continue;
      const v = cc[y * cols + x];
      if (v > peak) {
        peak = v;
        py = sy;
        px = sx;
      }
    }
  }
  // the best value outside the peak's 5 × 5 neighbourhood
  let second = 0;
  for (let y = 0; y < rows; y++) {
    const sy = y < rows / 2 ? y : y - rows;
    const near = Math.abs(sy - py) <= 2;
    for (let x = 0; x < cols; x++) {
      const v = cc[y * cols + x];
      if (v <= second) continue;
      if (near && Math.abs((x < cols / 2 ? x : x - cols) - px) <= 2) continue;
      second = v;
    }
  }
  let dy = py;
  let dx = px;
  let height = peak;
  if (upsample > 1) {
    // first guess: a log-parabola through the peak and its neighbours along each axis (the weighted
    // peak is close to a Gaussian), then the upsampled DFT over ±0.03 px around it, moved on while
    // its best value lies on the window's edge
    const at = (y: number, x: number) =>
      cc[(((y % rows) + rows) % rows) * cols + (((x % cols) + cols) % cols)];
    let y = py + vertex(at(py - 1, px), peak, at(py + 1, px));
    let x = px + vertex(at(py, px - 1), peak, at(py, px + 1));
    const half = Math.max(1, Math.ceil(0.03 * upsample));
    for (let pass = 0; pass < 8; pass++) {
      const best = refinePeak(cc, rows, cols, y, x, upsample, half);
      const onEdge =
        Math.abs(best.y - y) >= half / upsample - 1e-9 || Math.abs(best.x - x) >= half / upsample - 1e-9;
      y = best.y;
      x = best.x;
      height = best.value;
      if (!onEdge) break;
    }
    dy = y;
    dx = x;
  }
  return { dy, dx, peak: height, peakRatio: second > 0 ? peak / second : Number.POSITIVE_INFINITY };
}
