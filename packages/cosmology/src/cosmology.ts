import { ageUnitless, BackgroundTables, e2OfA } from "./background.js";
import { HUBBLE_DISTANCE_MPC_H, HUBBLE_TIME_GYR_H, RHO_CRITICAL_MSUN_MPC3_H2 } from "./constants.js";
import { OutOfDomainError } from "./errors.js";
import { GrowthTable } from "./growth.js";
import { type CosmologyParams, type CosmologyParamsInput, cosmologyParams } from "./params.js";
import { type Vectorized, vectorize } from "./vectorize.js";

function checkZ(z: number): void {
  if (!(z >= 0) || !Number.isFinite(z)) {
    throw new OutOfDomainError("redshift out of range", {
      field: "z",
      expected: "a finite z >= 0",
      found: String(z),
    });
  }
}

/**
 * A cosmology: its parameters and the background quantities, each a function of redshift that also
 * maps arrays. Units are in the names (`Mpc`, `MpcH` for Mpc/h, `Gyr`). Distances and times come from
 * tables built on first use (about 30 k evaluations of E), growth from its ODE.
 */
export class Cosmology {
  readonly params: CosmologyParams;
  private tables?: BackgroundTables;
  private growthTable?: GrowthTable;

  constructor(input: CosmologyParamsInput | CosmologyParams) {
    this.params = "omegaDE" in input ? (input as CosmologyParams) : cosmologyParams(input);
  }

  private get bg(): BackgroundTables {
    this.tables ??= new BackgroundTables(this.params);
    return this.tables;
  }

  private get growth(): GrowthTable {
    this.growthTable ??= new GrowthTable(this.params);
    return this.growthTable;
  }

  /** c/H0 in Mpc. */
  get hubbleDistanceMpc(): number {
    return HUBBLE_DISTANCE_MPC_H / this.params.h;
  }

  /** 1/H0 in Gyr. */
  get hubbleTimeGyr(): number {
    return HUBBLE_TIME_GYR_H / this.params.h;
  }

  /** Mean comoving matter density ρ̄m, M☉/Mpc³. */
  get meanMatterDensityMsunMpc3(): number {
    return RHO_CRITICAL_MSUN_MPC3_H2 * this.params.omegaM * this.params.h ** 2;
  }

  /** E(z) = H(z)/H0. */
  readonly e: Vectorized = vectorize((z) => {
    checkZ(z);
    const e2 = e2OfA(this.params, 1 / (1 + z));
    if (!(e2 > 0)) throw new OutOfDomainError("H(z)² is not positive here", { field: "z", found: String(z) });
    return Math.sqrt(e2);
  });

  /** H(z) in km/s/Mpc. */
  readonly hubbleKmSMpc: Vectorized = vectorize((z) => 100 * this.params.h * (this.e(z) as number));

  /** Ωm(z) = Ωm (1 + z)³ / E²(z). */
  readonly omegaMatter: Vectorized = vectorize((z) => {
    const a = 1 / (1 + z);
    return this.params.omegaM / (a * a * a) / e2OfA(this.params, a);
  });

  /** Comoving radial (line-of-sight) distance χ, Mpc. */
  readonly comovingRadialDistanceMpc: Vectorized = vectorize((z) => {
    checkZ(z);
    return this.bg.chiUnitless(z) * this.hubbleDistanceMpc;
  });

  /** Comoving radial distance χ, Mpc/h. */
  readonly comovingRadialDistanceMpcH: Vectorized = vectorize((z) => {
    checkZ(z);
    return this.bg.chiUnitless(z) * HUBBLE_DISTANCE_MPC_H;
  });

  /** Transverse comoving distance D_M (= χ when flat; sinh/sin of √|Ωk| χ H0/c otherwise), Mpc. */
  readonly transverseComovingDistanceMpc: Vectorized = vectorize((z) => {
    checkZ(z);
    return this.transverseUnitless(z, this.bg.chiUnitless(z)) * this.hubbleDistanceMpc;
  });

  private transverseUnitless(z: number, chi: number): number {
    const k = this.params.omegaK;
    if (Math.abs(k) < 1e-12) return chi;
    const s = Math.sqrt(Math.abs(k));
    if (k > 0) return Math.sinh(s * chi) / s;
    if (s * chi >= Math.PI) {
      throw new OutOfDomainError(
        "beyond the antipode of this closed universe the transverse distance is not defined",
        {
          field: "z",
          expected: `a redshift whose comoving distance is below π c/(H0 √|Ωk|) = ${((Math.PI / s) * this.hubbleDistanceMpc).toPrecision(6)} Mpc`,
          found: String(z),
        },
      );
    }
    return Math.sin(s * chi) / s;
  }

  /** Angular-diameter distance D_A = D_M/(1 + z), Mpc. */
  readonly angularDiameterDistanceMpc: Vectorized = vectorize(
    (z) => (this.transverseComovingDistanceMpc(z) as number) / (1 + z),
  );

  /** Luminosity distance D_L = D_M (1 + z), Mpc. */
  readonly luminosityDistanceMpc: Vectorized = vectorize(
    (z) => (this.transverseComovingDistanceMpc(z) as number) * (1 + z),
  );

  /** Distance modulus 5 log10(D_L / 10 pc), magnitudes (−∞ at z = 0). */
  readonly distanceModulus: Vectorized = vectorize(
    (z) => 5 * Math.log10(this.luminosityDistanceMpc(z) as number) + 25,
  );

  /** Comoving volume within redshift z over the full sky, Mpc³. */
  readonly comovingVolumeMpc3: Vectorized = vectorize((z) => {
    checkZ(z);
    const dh = this.hubbleDistanceMpc;
    const dm = this.transverseUnitless(z, this.bg.chiUnitless(z));
    const k = this.params.omegaK;
    if (Math.abs(k) < 1e-12) return ((4 * Math.PI) / 3) * (dm * dh) ** 3;
    const s = Math.sqrt(Math.abs(k));
    const arc = k > 0 ? Math.asinh(s * dm) / s : Math.asin(s * dm) / s;
    return ((4 * Math.PI * dh ** 3) / (2 * k)) * (dm * Math.sqrt(1 + k * dm * dm) - arc);
  });

  /** Comoving volume per unit redshift per steradian, dV/dz/dΩ, Mpc³/sr. */
  readonly differentialComovingVolumeMpc3: Vectorized = vectorize((z) => {
    const da = this.angularDiameterDistanceMpc(z) as number;
    return (this.hubbleDistanceMpc * (1 + z) ** 2 * da * da) / (this.e(z) as number);
  });

  /** Lookback time to redshift z, Gyr. */
  readonly lookbackTimeGyr: Vectorized = vectorize((z) => {
    checkZ(z);
    return this.bg.lookbackUnitless(z) * this.hubbleTimeGyr;
  });

  /** Age of the universe at redshift z, Gyr. */
  readonly ageGyr: Vectorized = vectorize((z) => {
    checkZ(z);
    return ageUnitless(this.params, 1 / (1 + z)) * this.hubbleTimeGyr;
  });

  /** The redshift at comoving radial distance `chi` Mpc (inverse of {@link comovingRadialDistanceMpc}). */
  readonly redshiftAtComovingDistanceMpc: Vectorized = vectorize((chi) =>
    this.bg.zOfChiUnitless(chi / this.hubbleDistanceMpc),
  );

  /** Unnormalised linear growth factor D(z) (D → a at early times: CCL's `growth_factor_unnorm`). */
  readonly growthFactorUnnormalised: Vectorized = vectorize((z) => {
    checkZ(z);
    return this.growth.unnormalised(1 / (1 + z));
  });

  /** Linear growth factor normalised to 1 today, D(z)/D(0). */
  readonly growthFactor: Vectorized = vectorize(
    (z) => (this.growthFactorUnnormalised(z) as number) / this.growth.unnormalised(1),
  );

  /** Linear growth rate f = d ln D / d ln a. */
  readonly growthRate: Vectorized = vectorize((z) => {
    checkZ(z);
    return this.growth.rate(1 / (1 + z));
  });
}

/** A {@link Cosmology} from parameters (validated; see {@link cosmologyParams}). */
export function cosmology(input: CosmologyParamsInput): Cosmology {
  return new Cosmology(input);
}
