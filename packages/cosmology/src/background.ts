import { HUBBLE_DISTANCE_MPC_H, HUBBLE_TIME_GYR_H } from "./constants.js";
import { OutOfDomainError } from "./errors.js";
import type { CosmologyParams } from "./params.js";
import { gaussLegendre } from "./quadrature.js";

/** Highest redshift of the distance tables; beyond it distances are integrated directly. */
const Z_TABLE_MAX = 1e4;
/** Intervals of the tables, equal in ln(1 + z). */
const TABLE_INTERVALS = 4096;
const GL = gaussLegendre(8);

/** E(a) = H(a)/H0 squared, for scale factor a (CPL dark energy, curvature, radiation). */
export function e2OfA(p: CosmologyParams, a: number): number {
  const de = p.omegaDE * a ** (-3 * (1 + p.w0 + p.wa)) * Math.exp(-3 * p.wa * (1 - a));
  return p.omegaM / (a * a * a) + (p.omegaG + p.omegaNuRel) / (a * a * a * a) + p.omegaK / (a * a) + de;
}

/** d ln E / d ln a. */
export function dlnEdlnA(p: CosmologyParams, a: number): number {
  const de = p.omegaDE * a ** (-3 * (1 + p.w0 + p.wa)) * Math.exp(-3 * p.wa * (1 - a));
  const w = p.w0 + p.wa * (1 - a);
  const r = (p.omegaG + p.omegaNuRel) / (a * a * a * a);
  const d = -3 * (p.omegaM / (a * a * a)) - 4 * r - 2 * (p.omegaK / (a * a)) - 3 * (1 + w) * de;
  return d / (2 * e2OfA(p, a));
}

/**
 * Tables of the background: comoving radial distance (in units of c/H0) and lookback time (in units
 * of 1/H0) at nodes equal in x = ln(1 + z), each node integrated from the previous by 8-point
 * Gauss–Legendre, and interpolated between nodes by cubic Hermite with the exact derivatives.
 */
export class BackgroundTables {
  /** Node positions x = ln(1 + z). */
  readonly x: Float64Array;
  /** χ H0/c at the nodes. */
  readonly chi: Float64Array;
  /** d(χ H0/c)/dx = (1 + z)/E at the nodes. */
  readonly dChi: Float64Array;
  /** Lookback time × H0 at the nodes. */
  readonly lookback: Float64Array;
  /** Its derivative 1/E. */
  readonly dLookback: Float64Array;
  readonly step: number;

  constructor(readonly p: CosmologyParams) {
    const n = TABLE_INTERVALS;
    const xMax = Math.log1p(Z_TABLE_MAX);
    this.step = xMax / n;
    this.x = new Float64Array(n + 1);
    this.chi = new Float64Array(n + 1);
    this.dChi = new Float64Array(n + 1);
    this.lookback = new Float64Array(n + 1);
    this.dLookback = new Float64Array(n + 1);
    for (let i = 0; i <= n; i++) {
      const x = i * this.step;
      this.x[i] = x;
      const e = eOfX(p, x);
      this.dChi[i] = Math.exp(x) / e;
      this.dLookback[i] = 1 / e;
      if (i === 0) continue;
      const mid = x - 0.5 * this.step;
      let sChi = 0;
      let sLook = 0;
      for (let k = 0; k < 8; k++) {
        const xk = mid + 0.5 * this.step * GL.nodes[k];
        const ek = eOfX(p, xk);
        sChi += GL.weights[k] * (Math.exp(xk) / ek);
        sLook += GL.weights[k] / ek;
      }
      this.chi[i] = this.chi[i - 1] + 0.5 * this.step * sChi;
      this.lookback[i] = this.lookback[i - 1] + 0.5 * this.step * sLook;
    }
  }

  /** Cubic Hermite on the tables (values v, derivatives dv) at x. */
  private hermite(v: Float64Array, dv: Float64Array, x: number): number {
    let i = Math.floor(x / this.step);
    if (i >= TABLE_INTERVALS) i = TABLE_INTERVALS - 1;
    const h = this.step;
    const t = (x - this.x[i]) / h;
    const t2 = t * t;
    const t3 = t2 * t;
    return (
      (2 * t3 - 3 * t2 + 1) * v[i] +
      (t3 - 2 * t2 + t) * h * dv[i] +
      (-2 * t3 + 3 * t2) * v[i + 1] +
      (t3 - t2) * h * dv[i + 1]
    );
  }

  /** χ H0/c at redshift z. */
  chiUnitless(z: number): number {
    const x = Math.log1p(z);
    if (x <= this.x[TABLE_INTERVALS]) return this.hermite(this.chi, this.dChi, x);
    return (
      this.chi[TABLE_INTERVALS] + integrateX(this.p, this.x[TABLE_INTERVALS], x, (xx, e) => Math.exp(xx) / e)
    );
  }

  /** Lookback time × H0 at redshift z. */
  lookbackUnitless(z: number): number {
    const x = Math.log1p(z);
    if (x <= this.x[TABLE_INTERVALS]) return this.hermite(this.lookback, this.dLookback, x);
    return this.lookback[TABLE_INTERVALS] + integrateX(this.p, this.x[TABLE_INTERVALS], x, (_xx, e) => 1 / e);
  }

  /** The redshift whose χ H0/c is `chi` (inverse of the interpolant, by safeguarded Newton). */
  zOfChiUnitless(chi: number): number {
    const last = this.chi[TABLE_INTERVALS];
    if (!(chi >= 0) || chi > last) {
      throw new OutOfDomainError("comoving distance out of the tabulated range", {
        field: "distance",
        expected: `0 to ${(last * HUBBLE_DISTANCE_MPC_H).toPrecision(6)} Mpc/h (z <= ${Z_TABLE_MAX})`,
        found: String(chi * HUBBLE_DISTANCE_MPC_H),
      });
    }
    // the interval holding chi (the table is increasing)
    let lo = 0;
    let hi = TABLE_INTERVALS;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.chi[mid] <= chi) lo = mid;
      else hi = mid;
    }
    let a = this.x[lo];
    let b = this.x[hi];
    let x = a + ((chi - this.chi[lo]) / (this.chi[hi] - this.chi[lo])) * (b - a);
    for (let iter = 0; iter < 60; iter++) {
      const f = this.hermite(this.chi, this.dChi, x) - chi;
      if (f > 0) b = x;
      else a = x;
      const d = Math.exp(x) / eOfX(this.p, x);
      let next = x - f / d;
      if (!(next > a && next < b)) next = 0.5 * (a + b);
      if (Math.abs(next - x) < 1e-15 * (1 + x)) {
        x = next;
        break;
      }
      x = next;
    }
    return Math.expm1(x);
  }
}

function eOfX(p: CosmologyParams, x: number): number {
  const a = Math.exp(-x);
  const e2 = e2OfA(p, a);
  if (!(e2 > 0)) {
    throw new OutOfDomainError("H(z)² is not positive: this cosmology has no real expansion history there", {
      field: "z",
      expected: "a redshift where H² > 0 (a closed, Λ-dominated model may bounce)",
      found: String(Math.expm1(x)),
    });
  }
  return Math.sqrt(e2);
}

/** ∫ g(x, E(x)) dx from x0 to x1, panels of 8-point Gauss–Legendre about 0.01 wide in x. */
function integrateX(p: CosmologyParams, x0: number, x1: number, g: (x: number, e: number) => number): number {
  const panels = Math.max(1, Math.ceil((x1 - x0) / 0.01));
  const h = (x1 - x0) / panels;
  let sum = 0;
  for (let i = 0; i < panels; i++) {
    const mid = x0 + (i + 0.5) * h;
    for (let k = 0; k < 8; k++) {
      const xk = mid + 0.5 * h * GL.nodes[k];
      sum += 0.5 * h * GL.weights[k] * g(xk, eOfX(p, xk));
    }
  }
  return sum;
}

/** Age of the universe × H0 at scale factor a: ∫₀^a da'/(a' E(a')), in ln a from a = 1e-12. */
export function ageUnitless(p: CosmologyParams, a: number): number {
  const lnA0 = Math.log(1e-12);
  const lnA = Math.log(a);
  // below a = 1e-12 radiation (or matter) dominates: ∫ a/√(Ωr) da or the matter form
  const a0 = 1e-12;
  const r = p.omegaG + p.omegaNuRel;
  const start = r > 0 ? (a0 * a0) / (2 * Math.sqrt(r)) : ((2 / 3) * a0 ** 1.5) / Math.sqrt(p.omegaM);
  const panels = Math.max(1, Math.ceil((lnA - lnA0) / 0.02));
  const h = (lnA - lnA0) / panels;
  let sum = start;
  for (let i = 0; i < panels; i++) {
    const mid = lnA0 + (i + 0.5) * h;
    for (let k = 0; k < 8; k++) {
      const x = mid + 0.5 * h * GL.nodes[k];
      sum += (0.5 * h * GL.weights[k]) / Math.sqrt(e2OfA(p, Math.exp(x)));
    }
  }
  return sum;
}

export { HUBBLE_DISTANCE_MPC_H, HUBBLE_TIME_GYR_H };
