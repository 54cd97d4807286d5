import { ValidateError } from "../errors.js";

/** χ² = Σ (d − m)²/σ² over entries with σ² > 0. */
export function chi2Diagonal(
  data: ArrayLike<number>,
  model: ArrayLike<number>,
  variance: ArrayLike<number>,
): number {
  let c = 0;
  for (let i = 0; i < data.length; i++) c += (data[i] - model[i]) ** 2 / variance[i];
  return c;
}

/**
 * χ² = rᵀ C⁻¹ r by Cholesky (C symmetric positive definite, row-major n×n).
 * @throws ValidateError when C is not positive definite (e.g. a jackknife with fewer regions than bins).
 */
export function chi2Covariance(residual: ArrayLike<number>, cov: Float64Array): number {
  const n = residual.length;
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = cov[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 0)) {
          throw new ValidateError("covariance matrix is not positive definite", {
            field: "covariance",
            expected: "a positive definite covariance (more jackknife regions than bins, no empty bins)",
            found: `pivot ${s} at bin ${i}`,
          });
        }
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j];
    }
  }
  // solve L y = r; χ² = |y|²
  const y = new Float64Array(n);
  let c = 0;
  for (let i = 0; i < n; i++) {
    let s = residual[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
    c += y[i] * y[i];
  }
  return c;
}

/**
 * Jackknife covariance of an estimate from `samples` leave-one-out estimates (each length n):
 * C = (N − 1)/N Σ_k (x_k − x̄)(x_k − x̄)ᵀ.
 */
export function jackknifeCovariance(samples: Float64Array[]): Float64Array {
  const N = samples.length;
  const n = samples[0].length;
  const mean = new Float64Array(n);
  for (const s of samples) for (let i = 0; i < n; i++) mean[i] += s[i] / N;
  const cov = new Float64Array(n * n);
  for (const s of samples) {
    for (let i = 0; i < n; i++) {
      const di = s[i] - mean[i];
      for (let j = 0; j < n; j++) cov[i * n + j] += di * (s[j] - mean[j]);
    }
  }
  for (let i = 0; i < n * n; i++) cov[i] *= (N - 1) / N;
  return cov;
}

/**
 * Hartlap et al. (2007) factor (N − p − 2)/(N − 1) that makes the inverse of a covariance estimated
 * from N samples an unbiased estimate of the true inverse for p bins (without it a jackknife χ² is
 * inflated by about (N − 1)/(N − p − 2): 1.37 for 27 sub-boxes and 6 bins).
 * @throws ValidateError when N ≤ p + 2 (too few samples for the bins).
 */
export function hartlapFactor(samples: number, bins: number): number {
  const f = (samples - bins - 2) / (samples - 1);
  if (!(f > 0)) {
    throw new ValidateError("too few jackknife regions for the bins in the χ²", {
      field: "jackknifeDivisions",
      expected: `more than ${bins + 2} regions for ${bins} bins (N³ regions)`,
      found: `${samples} regions`,
    });
  }
  return f;
}
