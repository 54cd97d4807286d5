import { dlnEdlnA, e2OfA } from "./background.js";
import { OutOfDomainError } from "./errors.js";
import type { CosmologyParams } from "./params.js";

/** Scale factor where the growth ODE starts, with D = a and dD/da = 1 (CCL's convention). */
export const GROWTH_A_START = 1e-6;
/** RK4 steps from GROWTH_A_START to a = 1, equal in ln a (step ≈ 7e-4: error ≈ step⁴). */
const STEPS = 20_000;

/**
 * The linear growth factor from its ODE in ln a, for any w0–wa dark energy (smooth) and curvature:
 * D'' + (2 + d ln E/d ln a) D' − (3/2) Ωm(a) D = 0 (primes: d/d ln a), started at a = 1e-6 with
 * D = a, D' = a, integrated by classical RK4 onto a table, cubic Hermite in between.
 */
export class GrowthTable {
  private readonly lnA: Float64Array;
  private readonly d: Float64Array;
  private readonly dPrime: Float64Array;
  private readonly step: number;

  constructor(readonly p: CosmologyParams) {
    const ln0 = Math.log(GROWTH_A_START);
    this.step = -ln0 / STEPS;
    this.lnA = new Float64Array(STEPS + 1);
    this.d = new Float64Array(STEPS + 1);
    this.dPrime = new Float64Array(STEPS + 1);
    let D = GROWTH_A_START;
    let V = GROWTH_A_START;
    const h = this.step;
    const acc = (lnA: number, D: number, V: number) => {
      const a = Math.exp(lnA);
      const omegaMa = p.omegaM / (a * a * a) / e2OfA(p, a);
      return -(2 + dlnEdlnA(p, a)) * V + 1.5 * omegaMa * D;
    };
    for (let i = 0; i <= STEPS; i++) {
      const x = ln0 + i * h;
      this.lnA[i] = x;
      this.d[i] = D;
      this.dPrime[i] = V;
      if (i === STEPS) break;
      const k1d = V;
      const k1v = acc(x, D, V);
      const k2d = V + 0.5 * h * k1v;
      const k2v = acc(x + 0.5 * h, D + 0.5 * h * k1d, V + 0.5 * h * k1v);
      const k3d = V + 0.5 * h * k2v;
      const k3v = acc(x + 0.5 * h, D + 0.5 * h * k2d, V + 0.5 * h * k2v);
      const k4d = V + h * k3v;
      const k4v = acc(x + h, D + h * k3d, V + h * k3v);
      D += (h / 6) * (k1d + 2 * k2d + 2 * k3d + k4d);
      V += (h / 6) * (k1v + 2 * k2v + 2 * k3v + k4v);
    }
  }

  private at(a: number): { d: number; dPrime: number } {
    if (!(a > 0 && a <= 1 + 1e-12)) {
      throw new OutOfDomainError("growth is tabulated for 0 < a <= 1 (z >= 0)", {
        field: "z",
        expected: "z >= 0",
        found: String(1 / a - 1),
      });
    }
    if (a <= GROWTH_A_START) return { d: a, dPrime: a };
    const x = Math.log(Math.min(a, 1));
    let i = Math.floor((x - this.lnA[0]) / this.step);
    if (i >= STEPS) i = STEPS - 1;
    const h = this.step;
    const t = (x - this.lnA[i]) / h;
    const t2 = t * t;
    const t3 = t2 * t;
    // D'' from the ODE at both ends gives the derivative of D' for its Hermite interpolation
    const d =
      (2 * t3 - 3 * t2 + 1) * this.d[i] +
      (t3 - 2 * t2 + t) * h * this.dPrime[i] +
      (-2 * t3 + 3 * t2) * this.d[i + 1] +
      (t3 - t2) * h * this.dPrime[i + 1];
    const dPrime = this.dPrime[i] + t * (this.dPrime[i + 1] - this.dPrime[i]);
    return { d, dPrime };
  }

  /** Unnormalised growth D(a) (→ a at early times, as CCL's `growth_factor_unnorm`). */
  unnormalised(a: number): number {
    return this.at(a).d;
  }

  /** Growth rate f = d ln D / d ln a. */
  rate(a: number): number {
    const { d, dPrime } = this.at(a);
    return dPrime / d;
  }
}
