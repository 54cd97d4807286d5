import { type Cosmology, HUBBLE_DISTANCE_MPC_H } from "@tessera/cosmology";
import { LightconeOptionError } from "./errors.js";

/** Default node spacing of {@link RedshiftOfDistance}, Mpc/h. */
export const REDSHIFT_TABLE_SPACING_MPC_H = 4;

/** Comoving radial distance χ(z) in Mpc/h (χ in Mpc × h; the cosmology's own table, 1e-6 of astropy). */
export function comovingDistanceMpcH(cosmology: Cosmology, z: number): number {
  return cosmology.comovingRadialDistanceMpcH(z) as number;
}

/**
 * The cosmological redshift z(χ) at comoving radial distance χ (Mpc/h), on [0, `chiMaxMpcH`]: a
 * dense table of nodes equal in χ (spacing ≤ 4 Mpc/h by default), each node's z found by the
 * cosmology's own inversion of χ(z) (safeguarded Newton, to round-off), with the exact slope
 * dz/dχ = E(z)/(c/H0) with c/H0 = 2997.92458 Mpc/h, interpolated by cubic Hermite.
 * The interpolation error is below 1e-11 in z up to z = 10 and below 1e-8 up to z = 100 (measured
 * against the exact inversion in `redshift-table.test.ts`); it is monotone between nodes. One
 * evaluation is a multiply, a floor and a cubic: no allocation, so it runs inside object loops.
 */
export class RedshiftOfDistance {
  /** Largest distance covered, Mpc/h. */
  readonly chiMaxMpcH: number;
  /** Node spacing, Mpc/h. */
  readonly spacingMpcH: number;
  private readonly z: Float64Array;
  private readonly dz: Float64Array;
  private readonly intervals: number;

  constructor(cosmology: Cosmology, chiMaxMpcH: number, options: { spacingMpcH?: number } = {}) {
    const spacing = options.spacingMpcH ?? REDSHIFT_TABLE_SPACING_MPC_H;
    if (!(chiMaxMpcH > 0 && Number.isFinite(chiMaxMpcH))) {
      throw new LightconeOptionError("the redshift table needs a positive finite distance", {
        field: "chiMaxMpcH",
        expected: "a finite distance > 0 Mpc/h",
        found: String(chiMaxMpcH),
      });
    }
    if (!(spacing > 0 && Number.isFinite(spacing))) {
      throw new LightconeOptionError("the redshift table needs a positive node spacing", {
        field: "spacingMpcH",
        expected: "a finite spacing > 0 Mpc/h",
        found: String(spacing),
      });
    }
    const n = Math.max(16, Math.ceil(chiMaxMpcH / spacing));
    this.intervals = n;
    this.chiMaxMpcH = chiMaxMpcH;
    this.spacingMpcH = chiMaxMpcH / n;
    this.z = new Float64Array(n + 1);
    this.dz = new Float64Array(n + 1);
    const h = cosmology.params.h;
    for (let i = 0; i <= n; i++) {
      const chi = i * this.spacingMpcH;
      const z = i === 0 ? 0 : (cosmology.redshiftAtComovingDistanceMpc(chi / h) as number);
      this.z[i] = z;
      this.dz[i] = ((cosmology.e(z) as number) / HUBBLE_DISTANCE_MPC_H) * this.spacingMpcH;
    }
  }

  /** z at comoving distance `chiMpcH` (0 ≤ χ ≤ `chiMaxMpcH`; values just outside are extrapolated). */
  redshiftAt(chiMpcH: number): number {
    const u = chiMpcH / this.spacingMpcH;
    let i = Math.floor(u);
    if (i < 0) i = 0;
    else if (i >= this.intervals) i = this.intervals - 1;
    const t = u - i;
    const t2 = t * t;
    const t3 = t2 * t;
    return (
      (2 * t3 - 3 * t2 + 1) * this.z[i] +
      (t3 - 2 * t2 + t) * this.dz[i] +
      (-2 * t3 + 3 * t2) * this.z[i + 1] +
      (t3 - t2) * this.dz[i + 1]
    );
  }
}
