/**
 * Mock galaxies painted onto a halo catalog: one central per halo with a stellar mass from a
 * stellar-to-halo-mass relation (or abundance matching), optional HOD satellites on NFW orbits
 * around the halo centre, and a provenance record.
 */
import { createRequire } from "node:module";
import { Cosmology, type CosmologyParamsInput } from "@tessera/cosmology";
import { abundanceMatch, type StellarMassFunctionTable } from "./abundance-matching.js";
import { centralStellarMasses } from "./central-masses.js";
import {
  checkNumber,
  checkSeed,
  type HaloColumns,
  idColumn,
  type NumericColumn,
  numericColumn,
} from "./columns.js";
import { MockGalaxyError } from "./errors.js";
import { checkZheng07, type Zheng07Parameters, zheng07MeanSatellites } from "./hod.js";
import {
  type Duffy08Definition,
  duffy08Concentration,
  nfwRadiusAtFraction,
  r200cComovingMpcH,
} from "./nfw.js";
import { type IdColumn, IdHalves, IdRandom, STREAM } from "./random.js";
import { BEHROOZI13, MOSTER13, type ShmrName, type ShmrParameters } from "./shmr.js";

/** Version of `@tessera/validate`, for provenance. */
const VERSION: string = (() => {
  const require = createRequire(import.meta.url);
  for (const rel of ["../package.json", "../../package.json"]) {
    try {
      const pkg = require(rel) as { name?: string; version?: string };
      if (pkg.name === "@tessera/validate" && pkg.version) return pkg.version;
    } catch {
      // next location
    }
  }
  return "unknown";
})();

/** HOD satellites: Zheng 2007 occupations plus the concentration–mass relation that places them. */
export interface MockHodOptions extends Zheng07Parameters {
  /** Duffy 2008 relation used for the NFW concentration (default `200c`). */
  concentration?: Duffy08Definition;
}

/** Column names read from the halo catalog (HACC's names by default). */
export interface MockHaloColumnNames {
  /** Halo id (default `fof_halo_tag`). */
  id?: string;
  /** Halo mass in M☉/h (default `fof_halo_mass`; e.g. `sod_halo_M200c`). */
  mass?: string;
  /** Centre, comoving Mpc/h (default `fof_halo_center_{x,y,z}`). */
  center?: [string, string, string];
  /** Mean velocity (default `fof_halo_mean_{vx,vy,vz}`, used when present). */
  velocity?: [string, string, string];
  /** 1-D velocity dispersion for satellites (default `fof_halo_vel_disp`, used when present). */
  velocityDispersion?: string;
  /** Satellite truncation radius, comoving Mpc/h (default `sod_halo_R200c` when present, else R200c from the mass). */
  radius?: string;
}

/** Options of {@link mockGalaxies}. */
export interface MockGalaxiesOptions {
  /** Stellar masses from `moster13`, `behroozi13`, or `abundance-matching` (needs `smf`, `boxSize`). */
  relation: ShmrName | "abundance-matching";
  /** Redshift of the halo catalog. */
  redshift: number;
  /** The simulation's cosmology (h converts M☉/h → M☉; E(z) gives R200c). */
  cosmology: Cosmology | CosmologyParamsInput;
  /** Log-normal scatter, dex (default 0.15): of log M* at fixed halo mass (SHMR), of the ranking proxy (abundance matching). */
  scatterDex?: number;
  /** Seed, an integer in [0, 2³²) (default 0). */
  seed?: number;
  /** Overrides of the SHMR's published parameters. */
  parameters?: ShmrParameters;
  /** Target SMF for abundance matching (M☉, Mpc⁻³ dex⁻¹). */
  smf?: StellarMassFunctionTable;
  /** Periodic box side, comoving Mpc/h: wraps satellites; gives the volume for abundance matching. */
  boxSize?: number;
  /** Satellites from a Zheng 2007 HOD (none when absent). */
  hod?: MockHodOptions;
  /** Column names, when not HACC's. */
  columns?: MockHaloColumnNames;
  /** Input files or data sets, recorded in the provenance. */
  inputs?: string[];
}

/** The galaxy catalog's columns (one row per galaxy; centrals first in halo order, each followed by its satellites). */
export interface MockGalaxyColumns {
  /** 64-bit id: splitmix64 hash of (halo id, satellite_index); stable across subsets and seeds. */
  galaxy_id: BigInt64Array;
  /** Host halo id (the input id column's type; number ids as Float64Array). */
  halo_id: IdColumn;
  /** 1 for the central, 0 for satellites. */
  is_central: Uint8Array;
  /** 0 for the central, 1… for satellites. */
  satellite_index: Int32Array;
  /** Stellar mass in M☉ (no h); NaN for satellites (not modelled) and unmatched halos. */
  stellar_mass: Float64Array;
  /** Host halo mass, M☉/h (the mass column used). */
  halo_mass: Float64Array;
  /** Position, comoving Mpc/h. */
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  /** Velocities (the input's units), when the halo catalog has them. */
  vx?: Float64Array;
  vy?: Float64Array;
  vz?: Float64Array;
  [name: string]: IdColumn | Uint8Array | Int32Array | Float64Array | BigInt64Array | undefined;
}

/** What made a mock galaxy catalog. */
export interface MockGalaxyProvenance {
  tool: "@tessera/validate";
  version: string;
  operation: "mockGalaxies";
  inputs: string[];
  created: string;
  parameters: Record<string, unknown>;
  units: Record<string, string>;
  counts: {
    halos: number;
    skippedHalos: number;
    centrals: number;
    satellites: number;
    unmatchedCentrals: number;
  };
  references: string[];
  notes: string[];
}

/** Result of {@link mockGalaxies}. */
export interface MockGalaxyCatalog {
  galaxies: MockGalaxyColumns;
  provenance: MockGalaxyProvenance;
}

function optionalColumns(halos: HaloColumns, names: string[], rows: number): NumericColumn[] | undefined {
  if (!names.every((n) => halos[n] !== undefined)) return undefined;
  return names.map((n) => numericColumn(halos, n, rows));
}

/**
 * Paint galaxies onto halos. Halo masses are M☉/h (HACC) and are divided by the cosmology's h
 * before the SHMR (whose fits are in M☉); stellar masses come out in M☉. Each halo with a positive
 * mass gets one central at its centre (the SHMR is a relation for centrals); with `hod`, a Poisson
 * number of satellites of mean ⟨N_sat⟩(M) (Zheng 2007; M in M☉/h) placed on an NFW profile
 * truncated at R (R200c), isotropic, wrapped into the box. Every random draw comes from the halo's
 * own stream (hash of id and seed), so a halo's galaxies do not depend on the rest of the catalog
 * (except with abundance matching, whose ranks do).
 * @throws MockGalaxyError naming the missing column or bad option.
 */
export function mockGalaxies(halos: HaloColumns, options: MockGalaxiesOptions): MockGalaxyCatalog {
  if (options === null || typeof options !== "object") {
    throw new MockGalaxyError("mockGalaxies needs options", {
      field: "options",
      expected: "an object",
      found: String(options),
    });
  }
  const names = options.columns ?? {};
  const idName = names.id ?? "fof_halo_tag";
  const massName = names.mass ?? "fof_halo_mass";
  const centerNames = names.center ?? ["fof_halo_center_x", "fof_halo_center_y", "fof_halo_center_z"];
  const velNames = names.velocity ?? ["fof_halo_mean_vx", "fof_halo_mean_vy", "fof_halo_mean_vz"];
  const dispName = names.velocityDispersion ?? "fof_halo_vel_disp";
  const radiusName = names.radius ?? "sod_halo_R200c";

  const ids = idColumn(halos, idName);
  const rows = ids.length;
  const mass = numericColumn(halos, massName, rows);
  const [cx, cy, cz] = centerNames.map((n) => numericColumn(halos, n, rows));
  const vel = names.velocity
    ? velNames.map((n) => numericColumn(halos, n, rows))
    : optionalColumns(halos, velNames, rows);
  const disp = halos[dispName] !== undefined ? numericColumn(halos, dispName, rows) : undefined;
  const radius = halos[radiusName] !== undefined ? numericColumn(halos, radiusName, rows) : undefined;

  const cosmo = options.cosmology instanceof Cosmology ? options.cosmology : new Cosmology(options.cosmology);
  const h = cosmo.params.h;
  const z = checkNumber(options.redshift, "redshift", 0, 1000);
  const scatterDex = checkNumber(options.scatterDex ?? 0.15, "scatterDex", 0, 5);
  const seed = checkSeed(options.seed ?? 0);
  const box =
    options.boxSize === undefined
      ? undefined
      : checkNumber(options.boxSize, "boxSize", 1e-9, 1e9, "a box side > 0 (Mpc/h)");
  const hod = options.hod === undefined ? undefined : (checkZheng07(options.hod) as MockHodOptions);
  if (hod && box === undefined) {
    throw new MockGalaxyError("HOD satellites need the periodic box to wrap into", {
      field: "boxSize",
      expected: "the box side in comoving Mpc/h",
      found: "undefined",
    });
  }
  const cDef = hod?.concentration ?? "200c";
  if (hod && !["200c", "vir", "200m"].includes(cDef)) {
    throw new MockGalaxyError("unknown Duffy 2008 mass definition", {
      field: "hod.concentration",
      expected: "200c, vir or 200m",
      found: String(cDef),
    });
  }

  // central stellar masses
  let stellar: Float64Array;
  let relationParameters: unknown;
  if (options.relation === "abundance-matching") {
    if (box === undefined || options.smf === undefined) {
      throw new MockGalaxyError("abundance matching needs a target SMF and the box volume", {
        field: box === undefined ? "boxSize" : "smf",
        expected: box === undefined ? "the box side in comoving Mpc/h" : "a StellarMassFunctionTable",
        found: "undefined",
      });
    }
    const volumeMpc3 = (box / h) ** 3;
    stellar = abundanceMatch(ids, mass, { smf: options.smf, volumeMpc3, scatterDex, seed });
    relationParameters = { smfRows: options.smf.log10Mass.length, volumeMpc3 };
  } else {
    stellar = centralStellarMasses(ids, mass, {
      relation: options.relation,
      redshift: z,
      h,
      scatterDex,
      seed,
      parameters: options.parameters,
    });
    relationParameters = {
      ...(options.relation === "moster13" ? MOSTER13 : BEHROOZI13),
      ...options.parameters,
    };
  }

  // pass 1: satellite counts
  const idh = new IdHalves(ids);
  const rng = new IdRandom();
  const nSat = new Int32Array(rows);
  let total = 0;
  let skipped = 0;
  let satellites = 0;
  for (let i = 0; i < rows; i++) {
    const m = mass[i];
    if (!(m > 0 && Number.isFinite(m))) {
      nSat[i] = -1;
      skipped++;
      continue;
    }
    if (hod) {
      const mean = zheng07MeanSatellites(m, hod);
      if (mean > 0) {
        idh.read(i);
        nSat[i] = rng.reset(idh.hi, idh.lo, seed, STREAM.satelliteCount).poisson(mean);
      }
    }
    total += 1 + nSat[i];
    satellites += nSat[i];
  }

  // pass 2: fill the columns
  const IdArray = ids.constructor as new (n: number) => IdColumn;
  const bigIds = ids instanceof BigInt64Array || ids instanceof BigUint64Array;
  const haloId = bigIds ? new IdArray(total) : new Float64Array(total);
  const haloIdWords = bigIds ? new Uint32Array(haloId.buffer, 0, total * 2) : undefined;
  const galaxyId = new BigInt64Array(total);
  const galaxyWords = new Uint32Array(galaxyId.buffer);
  const little = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  const loW = little ? 0 : 1;
  const isCentral = new Uint8Array(total);
  const satIndex = new Int32Array(total);
  const stellarOut = new Float64Array(total);
  const haloMass = new Float64Array(total);
  const x = new Float64Array(total);
  const y = new Float64Array(total);
  const zc = new Float64Array(total);
  const vx = vel ? new Float64Array(total) : undefined;
  const vy = vel ? new Float64Array(total) : undefined;
  const vz = vel ? new Float64Array(total) : undefined;
  const eZ = hod ? (cosmo.e(z) as number) : 1;
  const wrap = (p: number): number => (box === undefined ? p : p - box * Math.floor(p / box));
  const idRng = new IdRandom();
  let unmatched = 0;
  let radiusFromColumn = 0;
  let row = 0;
  for (let i = 0; i < rows; i++) {
    if (nSat[i] < 0) continue;
    idh.read(i);
    const m = mass[i];
    const x0 = cx[i];
    const y0 = cy[i];
    const z0 = cz[i];
    const count = 1 + nSat[i];
    let rVir = 0;
    let conc = 0;
    if (nSat[i] > 0) {
      rng.reset(idh.hi, idh.lo, seed, STREAM.satellitePhaseSpace);
      const rCol = radius ? radius[i] : 0;
      if (rCol > 0) radiusFromColumn++;
      rVir = rCol > 0 ? rCol : r200cComovingMpcH(m, z, eZ);
      conc = duffy08Concentration(m, z, cDef);
    }
    const sigmaV = disp ? disp[i] : 0;
    for (let k = 0; k < count; k++) {
      idRng.reset(idh.hi, idh.lo, k, STREAM.galaxyId).next64();
      galaxyWords[2 * row + loW] = idRng.outLo;
      galaxyWords[2 * row + 1 - loW] = idRng.outHi;
      if (haloIdWords) {
        haloIdWords[2 * row + loW] = idh.lo;
        haloIdWords[2 * row + 1 - loW] = idh.hi;
      } else {
        haloId[row] = ids[i] as number;
      }
      satIndex[row] = k;
      haloMass[row] = m;
      if (k === 0) {
        isCentral[row] = 1;
        stellarOut[row] = stellar[i];
        if (Number.isNaN(stellar[i])) unmatched++;
        x[row] = x0;
        y[row] = y0;
        zc[row] = z0;
        if (vel && vx && vy && vz) {
          vx[row] = vel[0][i];
          vy[row] = vel[1][i];
          vz[row] = vel[2][i];
        }
      } else {
        stellarOut[row] = Number.NaN;
        const r = rVir * nfwRadiusAtFraction(rng.uniform(), conc);
        const cosT = 2 * rng.uniform() - 1;
        const sinT = Math.sqrt(Math.max(0, 1 - cosT * cosT));
        const phi = 2 * Math.PI * rng.uniform();
        x[row] = wrap(x0 + r * sinT * Math.cos(phi));
        y[row] = wrap(y0 + r * sinT * Math.sin(phi));
        zc[row] = wrap(z0 + r * cosT);
        if (vel && vx && vy && vz) {
          vx[row] = vel[0][i] + (sigmaV > 0 ? sigmaV * rng.normal() : 0);
          vy[row] = vel[1][i] + (sigmaV > 0 ? sigmaV * rng.normal() : 0);
          vz[row] = vel[2][i] + (sigmaV > 0 ? sigmaV * rng.normal() : 0);
        }
      }
      row++;
    }
  }

  const galaxies: MockGalaxyColumns = {
    galaxy_id: galaxyId,
    halo_id: haloId,
    is_central: isCentral,
    satellite_index: satIndex,
    stellar_mass: stellarOut,
    halo_mass: haloMass,
    x,
    y,
    z: zc,
  };
  if (vx && vy && vz) Object.assign(galaxies, { vx, vy, vz });

  const references = [
    options.relation === "moster13"
      ? "Moster, Naab & White 2013, MNRAS 428, 3121: eq. 2, eqs. 11-14, Table 1"
      : options.relation === "behroozi13"
        ? "Behroozi, Wechsler & Conroy 2013, ApJ 770, 57: eqs. 3-4, section 5 best fit"
        : "abundance matching, scatter then rank",
  ];
  if (hod) {
    references.push(
      "Zheng, Coil & Zehavi 2007, ApJ 667, 760 (HOD)",
      "Duffy et al. 2008, MNRAS 390, L64, Table 1 (c-M)",
    );
  }
  const notes = [
    `halo masses (${massName}) are M_sun/h; the SHMR is evaluated at M/h with h = ${h} and gives M_sun; the halo mass definition of the fit (Moster: M200c, Behroozi: Mvir) is not converted`,
    "satellite stellar masses are not modelled (NaN)",
  ];
  if (hod) {
    notes.push(
      `satellite radius: ${radiusFromColumn} halos from ${radiusName}, the rest R200c from ${massName}; NFW truncated there, c from Duffy 2008 (${cDef})`,
      vel
        ? disp
          ? `satellite velocities: host + Gaussian of ${dispName}`
          : "satellite velocities: the host's"
        : "no velocities",
    );
  }
  return {
    galaxies,
    provenance: {
      tool: "@tessera/validate",
      version: VERSION,
      operation: "mockGalaxies",
      inputs: options.inputs ?? [],
      created: new Date().toISOString(),
      parameters: {
        relation: options.relation,
        relationParameters,
        redshift: z,
        h,
        scatterDex,
        seed,
        boxSize: box,
        hod: hod ? { ...hod, concentration: cDef } : null,
        columns: { id: idName, mass: massName, center: centerNames, velocity: vel ? velNames : null },
      },
      units: {
        stellar_mass: "M_sun (no h)",
        halo_mass: "M_sun/h",
        "x,y,z": "comoving Mpc/h",
        "vx,vy,vz": "as the halo catalog (HACC: km/s)",
      },
      counts: {
        halos: rows,
        skippedHalos: skipped,
        centrals: rows - skipped,
        satellites,
        unmatchedCentrals: unmatched,
      },
      references,
      notes,
    },
  };
}
