import { fft3d } from "./fft3d.js";
import { checkNumber, checkSeed, optionError } from "./options.js";
import { hash32, Rng } from "./prng.js";

/** A linear matter power spectrum P(k): k in radians per box unit, P in (box units)³. */
export type PowerSpectrum = (k: number) => number;

/** Options of {@link gaussianRandomField}. */
export interface GaussianRandomFieldOptions {
  /** Cells per side N, a power of two ≥ 4. */
  gridSize: number;
  /** Side of the periodic box L, in box units (e.g. Mpc/h). */
  boxSize: number;
  /** P(k) with k = |k| in radians per box unit and P in (box units)³; must be finite and ≥ 0. */
  powerSpectrum: PowerSpectrum;
  /** Seed (safe integer). Default 0. */
  seed?: number;
}

/** Wave number (radians per box unit) of FFT index `i` on an `n`-cell grid of side `boxSize`. */
export function waveNumber(i: number, n: number, boxSize: number): number {
  return ((2 * Math.PI) / boxSize) * (i < n / 2 ? i : i - n);
}

function checkField(fn: string, o: GaussianRandomFieldOptions) {
  if (o === null || typeof o !== "object") throw optionError(fn, "options", "an object", o);
  const N = checkNumber(fn, "gridSize", o.gridSize, { min: 4, max: 1024, integer: true });
  if ((N & (N - 1)) !== 0) throw optionError(fn, "gridSize", "a power of two ≥ 4", N);
  const L = checkNumber(fn, "boxSize", o.boxSize, { min: 0, minExclusive: true });
  if (typeof o.powerSpectrum !== "function")
    throw optionError(fn, "powerSpectrum", "a function (k) => P(k)", o.powerSpectrum);
  const seed = checkSeed(fn, o.seed ?? 0);
  return { N, L, seed };
}

/**
 * Fourier modes δ(k) of a Gaussian random density field on an N³ periodic grid of side L.
 *
 * Normalisation: with the unscaled forward DFT `δ_k = Σ_x δ(x) e^{−ik·x}` (see {@link fft3d}),
 * `⟨|δ_k|²⟩ = P(|k|) · N⁶ / L³`, the discrete form of `⟨δ(k)δ*(k')⟩ = (2π)³ δ_D(k−k') P(k)`;
 * equivalently the real-space field has variance `(1/L³) Σ_k P(k)`, and the estimator
 * `|δ_k|² L³ / N⁶` averaged in shells recovers P(k). The field is made by transforming real white
 * noise and scaling each mode by `sqrt(P(k) N³ / L³)`, so it is Hermitian (`δ_{−k} = δ_k*`) and its
 * inverse transform is real. The k = 0 mode (mean) and every mode with an index equal to N/2 on
 * any axis (Nyquist planes, whose gradient is not defined) are set to zero.
 *
 * Grid layout: C order over (i, j, l) ↔ (x, y, z), interleaved complex, as in {@link fft3d}.
 *
 * @returns interleaved complex Float64Array of 2·N³ numbers
 * @throws RangeError naming the option when an option is out of range or P(k) is negative / not finite.
 */
export function gaussianRandomField(options: GaussianRandomFieldOptions): Float64Array {
  const fn = "gaussianRandomField";
  const { N, L, seed } = checkField(fn, options);
  const P = options.powerSpectrum;
  const total = N * N * N;
  const field = new Float64Array(2 * total);
  const rng = new Rng(hash32(seed, 0x6a55));
  for (let i = 0; i < total; i++) field[2 * i] = rng.normal();
  fft3d(field, [N, N, N], "forward");
  const volCell = (L / N) ** 3;
  const h = N / 2;
  const cache = new Map<number, number>();
  for (let a = 0; a < N; a++) {
    const ka = waveNumber(a, N, L);
    for (let b = 0; b < N; b++) {
      const kb = waveNumber(b, N, L);
      for (let c = 0; c < N; c++) {
        const e = 2 * ((a * N + b) * N + c);
        if (a === h || b === h || c === h || (a === 0 && b === 0 && c === 0)) {
          field[e] = 0;
          field[e + 1] = 0;
          continue;
        }
        const kc = waveNumber(c, N, L);
        const q = ka * ka + kb * kb + kc * kc;
        let amp = cache.get(q);
        if (amp === undefined) {
          const k = Math.sqrt(q);
          const p = P(k);
          if (typeof p !== "number" || !Number.isFinite(p) || p < 0) {
            throw optionError(fn, "powerSpectrum", `to return a finite number ≥ 0 (at k = ${k})`, p);
          }
          amp = Math.sqrt(p / volCell);
          cache.set(q, amp);
        }
        field[e] *= amp;
        field[e + 1] *= amp;
      }
    }
  }
  return field;
}

/** Options of {@link zeldovich}. */
export interface ZeldovichOptions extends GaussianRandomFieldOptions {
  /** Linear growth factor D by which the field (and so the displacement) is scaled. Default 1. */
  growthFactor?: number;
  /**
   * Factor from displacement to velocity, v = velocityFactor · ψ (for peculiar velocities,
   * a·H(a)·f(a) in your velocity units per box unit). Default 1.
   */
  velocityFactor?: number;
}

/** Output of {@link zeldovich}. Particle p sits on lattice point (i, j, l) with p = (i·N + j)·N + l. */
export interface ZeldovichRealisation {
  /** N³ particles, (x, y, z) interleaved, wrapped into [0, boxSize). Lattice point q = (i, j, l)·L/N. */
  positions: Float32Array;
  /** v = velocityFactor · ψ(q), (vx, vy, vz) interleaved. */
  velocities: Float32Array;
  /** ψ(q), the Zel'dovich displacement of each particle (box units), interleaved (x, y, z). */
  displacements: Float32Array;
  /** The linear density contrast D·δ(x) on the grid (C order, N³), of which ∇·ψ = −δ. */
  density: Float32Array;
  /** N. */
  gridSize: number;
  /** L. */
  boxSize: number;
}

/**
 * Zel'dovich-approximation particle realisation of a Gaussian random field with power spectrum
 * P(k) (normalised as in {@link gaussianRandomField}).
 *
 * The displacement is `ψ(k) = i k / k² · D·δ(k)`, so `∇·ψ = −D·δ` (linear theory). Particles start
 * on the lattice `q = (i, j, l)·L/N` and move to `x = q + ψ(q)`, wrapped periodically into
 * [0, L); velocities are `velocityFactor · ψ`.
 *
 * @example
 * ```ts
 * const sim = zeldovich({ gridSize: 64, boxSize: 100, powerSpectrum: (k) => 200 * k ** -1.5, seed: 1 });
 * ```
 * @throws RangeError naming the option when an option is out of range.
 */
export function zeldovich(options: ZeldovichOptions): ZeldovichRealisation {
  const fn = "zeldovich";
  const { N, L } = checkField(fn, options);
  const D = checkNumber(fn, "growthFactor", options.growthFactor ?? 1, { min: 0 });
  const vf = checkNumber(fn, "velocityFactor", options.velocityFactor ?? 1);
  const delta = gaussianRandomField(options);
  const total = N * N * N;
  if (D !== 1) for (let i = 0; i < delta.length; i++) delta[i] *= D;
  const shape: [number, number, number] = [N, N, N];
  const tmp = new Float64Array(2 * total);
  const displacements = new Float32Array(3 * total);
  for (let axis = 0; axis < 3; axis++) {
    for (let a = 0; a < N; a++) {
      const ka = waveNumber(a, N, L);
      for (let b = 0; b < N; b++) {
        const kb = waveNumber(b, N, L);
        for (let c = 0; c < N; c++) {
          const kc = waveNumber(c, N, L);
          const e = 2 * ((a * N + b) * N + c);
          const q = ka * ka + kb * kb + kc * kc;
          const k = axis === 0 ? ka : axis === 1 ? kb : kc;
          const f = q > 0 ? k / q : 0;
          // i·f·(re + i·im) = −f·im + i·f·re
          tmp[e] = -f * delta[e + 1];
          tmp[e + 1] = f * delta[e];
        }
      }
    }
    fft3d(tmp, shape, "inverse");
    for (let p = 0; p < total; p++) displacements[3 * p + axis] = tmp[2 * p];
  }
  fft3d(delta, shape, "inverse");
  const density = new Float32Array(total);
  for (let p = 0; p < total; p++) density[p] = delta[2 * p];
  const positions = new Float32Array(3 * total);
  const velocities = new Float32Array(3 * total);
  const cell = L / N;
  for (let a = 0; a < N; a++)
    for (let b = 0; b < N; b++)
      for (let c = 0; c < N; c++) {
        const p = (a * N + b) * N + c;
        const q = [a * cell, b * cell, c * cell];
        for (let d = 0; d < 3; d++) {
          const psi = displacements[3 * p + d];
          positions[3 * p + d] = wrapPeriodic(q[d] + psi, L);
          velocities[3 * p + d] = vf * psi;
        }
      }
  return { positions, velocities, displacements, density, gridSize: N, boxSize: L };
}

/** Wrap x into [0, L) as a float32 (never returns L itself after rounding). */
export function wrapPeriodic(x: number, L: number): number {
  let v = x - Math.floor(x / L) * L;
  let f = Math.fround(v);
  if (f >= L) {
    v = 0;
    f = 0;
  }
  return f;
}
