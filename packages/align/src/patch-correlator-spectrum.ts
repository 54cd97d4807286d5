// Spectral steps of PatchCorrelator on split-complex arrays, restricted to the band of frequencies
// |k| <= band where the Gaussian spectral weight is not negligible: the band's rows of the first
// transform transposed, the weighted normalised cross-power spectrum of two real patches transformed
// together, and the packing of a Hermitian half spectrum for a half-length complex-to-real inverse
// (as in fft2d.ts's inverseReal2d). The band's B = 2·band + 1 frequencies (all n when
// 2·band + 1 >= n) are stored in the order 0 … band, n − band … n − 1.

/** Number of stored frequencies of a band of half-width `band` out of n. */
export const bandWidth = (n: number, band: number): number => Math.min(n, 2 * band + 1);

/** dst[x·B + j] = src[u_j·n + x]: the band's rows u_j of the n × n array src, transposed into n × B. */
export function transposeBand(
  srcRe: Float64Array,
  srcIm: Float64Array,
  dstRe: Float64Array,
  dstIm: Float64Array,
  n: number,
  band: number,
): void {
  const b = bandWidth(n, band);
  const T = 8;
  for (let j0 = 0; j0 < b; j0 += T) {
    const j1 = Math.min(b, j0 + T);
    for (let x0 = 0; x0 < n; x0 += T) {
      const x1 = Math.min(n, x0 + T);
      for (let j = j0; j < j1; j++) {
        const o = (j <= band ? j : j - b + n) * n;
        for (let x = x0; x < x1; x++) {
          dstRe[x * b + j] = srcRe[o + x];
          dstIm[x * b + j] = srcIm[o + x];
        }
      }
    }
  }
}

/**
 * From Z = FFT(f + i·g) (n rows × the band's B columns) the half-plane u = 0 … band of
 * R = wRow[v]·wCol[u]·F·G* / |F·G*| into (hr, hi) as an n × (band + 1) array, zero in the rows outside
 * the band, using F(k) = (Z(k) + Z*(−k))/2 and G(k) = (Z(k) − Z*(−k))/2i (the factor 1/4 cancels).
 */
export function crossPower(
  zr: Float64Array,
  zi: Float64Array,
  hr: Float64Array,
  hi: Float64Array,
  n: number,
  band: number,
  wRow: Float64Array,
  wCol: Float64Array,
): void {
  const b = bandWidth(n, band);
  const w = band + 1;
  for (let v = 0; v < n; v++) {
    const out = v * w;
    if (v > band && v < n - band) {
      hr.fill(0, out, out + w);
      hi.fill(0, out, out + w);
      continue;
    }
    const wv = wRow[v];
    const row = v * b;
    const mirror = (v === 0 ? 0 : n - v) * b;
    for (let u = 0; u < w; u++) {
      const i = row + u;
      const j = mirror + (u === 0 ? 0 : b - u);
      const ar = zr[i] + zr[j];
      const ai = zi[i] - zi[j];
      const br = zi[i] + zi[j];
      const bi = zr[i] - zr[j];
      const re = ar * br - ai * bi;
      const im = ai * br + ar * bi;
      const m = Math.sqrt(re * re + im * im);
      if (m > 1e-300) {
        const s = (wv * wCol[u]) / m;
        hr[out + u] = re * s;
        hi[out + u] = im * s;
      } else {
        hr[out + u] = 0;
        hi[out + u] = 0;
      }
    }
  }
}

/**
 * For each row x of the Hermitian spectra X (s: n × (band + 1), X_x[k] = s[x·(band + 1) + k], zero
 * for k > band) the half-length sequence E + iO with E[k] = X[k] + X*[n/2 − k],
 * O[k] = (X[k] − X*[n/2 − k])·e^{2πik/n}, transposed into (outR, outI) (n/2 × n): its inverse FFT
 * along the rows holds x[2m] + i·x[2m + 1] (times 2).
 */
export function packHalfSpectrum(
  sr: Float64Array,
  si: Float64Array,
  outR: Float64Array,
  outI: Float64Array,
  n: number,
  band: number,
  cos: Float64Array,
  sin: Float64Array,
): void {
  const half = n / 2;
  const w = band + 1;
  for (let k = 0; k < half; k++) {
    const o = k * n;
    const hasX = k <= band;
    const hasY = half - k <= band;
    if (!hasX && !hasY) {
      outR.fill(0, o, o + n);
      outI.fill(0, o, o + n);
      continue;
    }
    // a missing term is read from one that is there and multiplied by 0
    const a = hasX ? k : half - k;
    const b = hasY ? half - k : k;
    const fx = hasX ? 1 : 0;
    const fy = hasY ? 1 : 0;
    const c = cos[k];
    const s = sin[k];
    for (let x = 0; x < n; x++) {
      const xr = fx * sr[x * w + a];
      const xi = fx * si[x * w + a];
      const yr = fy * sr[x * w + b];
      const yi = -fy * si[x * w + b];
      const dr = xr - yr;
      const di = xi - yi;
      const or = dr * c - di * s;
      const oi = dr * s + di * c;
      outR[o + x] = xr + yr - oi;
      outI[o + x] = xi + yi + or;
    }
  }
}
