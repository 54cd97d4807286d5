/**
 * Spherical-overdensity (SOD) masses and radii around given halo centres, over the full particle set
 * of a periodic box (not only FOF members), with a uniform cell grid for the neighbour search.
 */
import { type Cosmology, RHO_CRITICAL_MSUN_MPC3_H2 } from "@tessera/cosmology";
import { HaloError } from "../errors.js";
import type { CoordinateView, ParticlePositions } from "../fof/positions.js";
import { checkPositive, coordinateViewsOf } from "./checks.js";

/** Bad input to {@link sodProperties}; `field`, `expected` and `found` say what was wrong. */
export class SodError extends HaloError {}

/** Reference densities of the SOD thresholds, comoving, in (M☉/h) / (Mpc/h)³. */
export interface SodReferenceDensities {
  /** ρ_crit(z) in comoving units: ρ_crit,0 · E(z)² / (1 + z)³. */
  critical: number;
  /** ρ̄_m(z) in comoving units: Ω_m · ρ_crit,0 (constant in comoving coordinates). */
  mean: number;
}

/**
 * Comoving reference densities at redshift `z` in (M☉/h)/(Mpc/h)³, from `@tessera/cosmology`'s
 * `RHO_CRITICAL_MSUN_MPC3_H2` (ρ_crit,0 = 2.77536627e11 h² M☉/Mpc³ = 2.77536627e11 (M☉/h)/(Mpc/h)³)
 * and `Cosmology.e(z)` = H(z)/H0: critical = ρ_crit,0 E(z)²/(1+z)³, mean = Ω_m ρ_crit,0.
 */
export function sodReferenceDensities(cosmology: Cosmology, redshift: number): SodReferenceDensities {
  if (typeof redshift !== "number" || !Number.isFinite(redshift) || redshift < 0) {
    throw new SodError("the redshift must be a finite number >= 0", {
      field: "redshift",
      expected: "a finite number >= 0",
      found: String(redshift),
    });
  }
  const e = cosmology.e(redshift) as number;
  const a3 = (1 + redshift) ** 3;
  return {
    critical: (RHO_CRITICAL_MSUN_MPC3_H2 * e * e) / a3,
    mean: cosmology.params.omegaM * RHO_CRITICAL_MSUN_MPC3_H2,
  };
}

/** Options of {@link sodProperties}. */
export interface SodOptions {
  /** Side L of the periodic box, Mpc/h comoving. */
  boxSize: number;
  /** Mass of one particle, M☉/h (> 0). */
  particleMass: number;
  /**
   * Radius (Mpc/h, 0 < r < L/2) within which particles are gathered around each centre. Crossings
   * beyond it are not seen; `saturated200c/m` flags halos whose mean density within it is still above
   * the threshold (choose it above the largest R200m expected).
   */
  searchRadius: number;
  /** Reference densities (comoving (M☉/h)/(Mpc/h)³); else from `cosmology` and `redshift`. */
  densities?: SodReferenceDensities;
  /** Cosmology for the reference densities (with `redshift`), see {@link sodReferenceDensities}. */
  cosmology?: Cosmology;
  /** Redshift of the snapshot (with `cosmology`). */
  redshift?: number;
  /** Overdensity Δ (default 200). */
  overdensity?: number;
}

/** SOD columns, one row per centre (HACC names). */
export interface SodColumns {
  /** count × particle mass within R200c, M☉/h. */
  sod_halo_M200c: Float32Array;
  /** R200c, Mpc/h comoving (0 when no particle radius satisfies the threshold). */
  sod_halo_R200c: Float32Array;
  /** Particles within R200c (inclusive). */
  sod_halo_count_200c: Int32Array;
  sod_halo_M200m: Float32Array;
  sod_halo_R200m: Float32Array;
  sod_halo_count_200m: Int32Array;
}

/** What {@link sodProperties} returns. */
export interface SodResult {
  columns: SodColumns;
  /** 1 where the mean density within `searchRadius` is ≥ Δ ρ_crit: R200c may lie beyond it. */
  saturated200c: Uint8Array;
  /** 1 where the mean density within `searchRadius` is ≥ Δ ρ̄_m: R200m may lie beyond it. */
  saturated200m: Uint8Array;
  /** The reference densities used. */
  densities: SodReferenceDensities;
}

/**
 * The SOD radius index of one centre, particle-count definition, scanning from outside in.
 *
 * `r2` holds the squared distances of the `n` gathered particles, sorted ascending. With
 * k(r) = number of particles at distance ≤ r, the result is the largest index j with r_j > 0 such
 * that k(r_j)·m ≥ threshold · (4/3)π r_j³ (r_j = sqrt(r2[j]); tied distances count together, so j is
 * always the last of its ties). Returns −1 when there is none. R = r_j, count = j + 1, M = count·m.
 * No interpolation between particles: R is always the distance of a particle.
 */
export function sodCrossing(r2: Float64Array, n: number, particleMass: number, threshold: number): number {
  const c = threshold * ((4 / 3) * Math.PI);
  for (let j = n - 1; j >= 0; j--) {
    const q = r2[j];
    if (!(q > 0)) return -1;
    if (j + 1 < n && r2[j + 1] === q) continue;
    const r = Math.sqrt(q);
    if ((j + 1) * particleMass >= c * (r * r * r)) return j;
  }
  return -1;
}

/**
 * SOD masses and radii (Δ = 200 by default) about each centre, HACC names `sod_halo_M200c`,
 * `sod_halo_R200c`, `sod_halo_count_200c` and the `200m` counterparts.
 *
 * Definition (particle count, no interpolation, see {@link sodCrossing}): over all particles within
 * `searchRadius` of the centre (minimum-image distances in the periodic box), sorted by distance,
 * R is the distance of the outermost particle j such that (j + 1)·m_p / ((4/3)π r_j³) ≥ Δ ρ_ref,
 * found by scanning from the outside in; count = j + 1, M = count·m_p. ρ_ref is ρ_crit(z) (c) or
 * ρ̄_m(z) (m), comoving (see {@link sodReferenceDensities}). Particles at distance 0 count in the
 * enclosed mass but are never a radius; with no crossing R = M = count = 0.
 *
 * Positions and centres: Mpc/h comoving in [0, L), interleaved or `{ x, y, z }` (Float32Array or
 * Float64Array). The box is binned once into a uniform grid of cells of side ≥ searchRadius/2;
 * each centre visits the cells overlapping its search cube. Memory: 28 bytes per particle plus the
 * cells; one thread.
 *
 * @throws SodError naming the field: non-positive box size, particle mass, overdensity or
 *   densities; searchRadius outside (0, L/2); a particle or centre outside [0, L) or not finite.
 */
export function sodProperties(
  positions: ParticlePositions,
  centers: ParticlePositions,
  options: SodOptions,
): SodResult {
  if (options === null || typeof options !== "object") {
    throw new SodError("options must be an object", {
      field: "options",
      expected: "{ boxSize, particleMass, searchRadius, densities | cosmology + redshift }",
      found: String(options),
    });
  }
  const L = options.boxSize;
  checkPositive(SodError, "boxSize", L);
  const m = options.particleMass;
  checkPositive(SodError, "particleMass", m);
  const Rs = options.searchRadius;
  if (typeof Rs !== "number" || !(Rs > 0) || !(Rs < L / 2)) {
    throw new SodError("the search radius must lie in (0, L/2)", {
      field: "searchRadius",
      expected: `a number in (0, ${L / 2})`,
      found: String(Rs),
    });
  }
  const delta = options.overdensity ?? 200;
  checkPositive(SodError, "overdensity", delta);
  let densities: SodReferenceDensities;
  if (options.densities !== undefined) {
    densities = options.densities;
    checkPositive(SodError, "densities.critical", densities?.critical);
    checkPositive(SodError, "densities.mean", densities.mean);
  } else {
    if (options.cosmology === undefined || options.redshift === undefined) {
      throw new SodError("give densities, or a cosmology and a redshift", {
        field: "densities",
        expected: "{ critical, mean } or cosmology + redshift",
        found: options.cosmology === undefined ? "no cosmology" : "no redshift",
      });
    }
    densities = sodReferenceDensities(options.cosmology, options.redshift);
  }
  const { n, views: pv } = coordinateViewsOf(SodError, "positions", positions);
  const { n: H, views: cv } = coordinateViewsOf(SodError, "centers", centers);

  const grid = buildGrid(pv, n, L, Rs);
  const cx = readCoordinates(cv, H, L, "centers");

  const cols: SodColumns = {
    sod_halo_M200c: new Float32Array(H),
    sod_halo_R200c: new Float32Array(H),
    sod_halo_count_200c: new Int32Array(H),
    sod_halo_M200m: new Float32Array(H),
    sod_halo_R200m: new Float32Array(H),
    sod_halo_count_200m: new Int32Array(H),
  };
  const saturated200c = new Uint8Array(H);
  const saturated200m = new Uint8Array(H);
  const thrC = delta * densities.critical;
  const thrM = delta * densities.mean;
  const searchVolume = (4 / 3) * Math.PI * Rs * Rs * Rs;
  let buffer = new Float64Array(1024);
  for (let h = 0; h < H; h++) {
    const count = gather(grid, cx[0][h], cx[1][h], cx[2][h], Rs, buffer);
    if (count > buffer.length) {
      buffer = new Float64Array(Math.max(count, 2 * buffer.length));
      gather(grid, cx[0][h], cx[1][h], cx[2][h], Rs, buffer);
    }
    const r2 = buffer.subarray(0, count).sort();
    const withinMass = count * m;
    const jc = sodCrossing(r2, count, m, thrC);
    if (jc >= 0) {
      cols.sod_halo_count_200c[h] = jc + 1;
      cols.sod_halo_M200c[h] = (jc + 1) * m;
      cols.sod_halo_R200c[h] = Math.sqrt(r2[jc]);
    }
    const jm = sodCrossing(r2, count, m, thrM);
    if (jm >= 0) {
      cols.sod_halo_count_200m[h] = jm + 1;
      cols.sod_halo_M200m[h] = (jm + 1) * m;
      cols.sod_halo_R200m[h] = Math.sqrt(r2[jm]);
    }
    if (withinMass >= thrC * searchVolume) saturated200c[h] = 1;
    if (withinMass >= thrM * searchVolume) saturated200m[h] = 1;
  }
  return { columns: cols, saturated200c, saturated200m, densities };
}

/** Particles binned into nc³ cells (counting sort), coordinates copied in cell order. */
interface CellGrid {
  L: number;
  nc: number;
  side: number;
  start: Int32Array;
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
}

function buildGrid(v: readonly CoordinateView[], n: number, L: number, Rs: number): CellGrid {
  const [px, py, pz] = v;
  const nc = Math.max(1, Math.min(128, Math.floor(L / (Rs / 2)), Math.floor(Math.cbrt(8 * n))));
  const side = L / nc;
  const cells = nc * nc * nc;
  const cellOf = new Int32Array(n);
  const start = new Int32Array(cells + 1);
  for (let i = 0; i < n; i++) {
    const x = checkedCoordinate(px, i, L, "positions", "x");
    const y = checkedCoordinate(py, i, L, "positions", "y");
    const z = checkedCoordinate(pz, i, L, "positions", "z");
    const c = (cellIndex(x, side, nc) * nc + cellIndex(y, side, nc)) * nc + cellIndex(z, side, nc);
    cellOf[i] = c;
    start[c + 1]++;
  }
  for (let c = 0; c < cells; c++) start[c + 1] += start[c];
  const fill = start.slice(0, cells);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = fill[cellOf[i]]++;
    x[s] = px.array[px.offset + px.stride * i];
    y[s] = py.array[py.offset + py.stride * i];
    z[s] = pz.array[pz.offset + pz.stride * i];
  }
  return { L, nc, side, start, x, y, z };
}

function cellIndex(v: number, side: number, nc: number): number {
  const c = Math.floor(v / side);
  return c >= nc ? nc - 1 : c;
}

/**
 * Squared minimum-image distances ≤ Rs² of the particles around (cx, cy, cz) into `out` (as many
 * as fit); returns how many there are.
 */
function gather(g: CellGrid, cx: number, cy: number, cz: number, Rs: number, out: Float64Array): number {
  const { L, nc, side, start, x, y, z } = g;
  const half = L / 2;
  const R2 = Rs * Rs;
  const cap = out.length;
  const [x0, x1] = cellRange(cx, Rs, side, nc);
  const [y0, y1] = cellRange(cy, Rs, side, nc);
  const [z0, z1] = cellRange(cz, Rs, side, nc);
  let count = 0;
  for (let a = x0; a <= x1; a++) {
    const ia = (a + nc) % nc;
    for (let b = y0; b <= y1; b++) {
      const ib = (b + nc) % nc;
      const row = (ia * nc + ib) * nc;
      for (let c = z0; c <= z1; c++) {
        const cell = row + ((c + nc) % nc);
        const end = start[cell + 1];
        for (let s = start[cell]; s < end; s++) {
          let dx = x[s] - cx;
          if (dx > half) dx -= L;
          else if (dx < -half) dx += L;
          let dy = y[s] - cy;
          if (dy > half) dy -= L;
          else if (dy < -half) dy += L;
          let dz = z[s] - cz;
          if (dz > half) dz -= L;
          else if (dz < -half) dz += L;
          const d2 = dx * dx + dy * dy + dz * dz;
          if (d2 <= R2) {
            if (count < cap) out[count] = d2;
            count++;
          }
        }
      }
    }
  }
  return count;
}

/** Cell indices (unwrapped, iterate lo..hi then wrap) covering [c − R, c + R] on one axis. */
function cellRange(c: number, R: number, side: number, nc: number): [number, number] {
  const lo = Math.floor((c - R) / side);
  const hi = Math.floor((c + R) / side);
  if (hi - lo + 1 >= nc) return [0, nc - 1];
  return [lo, hi];
}

function readCoordinates(v: readonly CoordinateView[], n: number, L: number, field: string): Float64Array[] {
  const out = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const names = ["x", "y", "z"] as const;
  for (let a = 0; a < 3; a++) {
    for (let i = 0; i < n; i++) out[a][i] = checkedCoordinate(v[a], i, L, field, names[a]);
  }
  return out;
}

function checkedCoordinate(v: CoordinateView, i: number, L: number, field: string, axis: string): number {
  const x = v.array[v.offset + v.stride * i];
  if (!(x >= 0 && x <= L)) {
    throw new SodError(`a ${field === "centers" ? "centre" : "particle"} lies outside the box`, {
      field: `${field}[${i}].${axis}`,
      expected: `a finite coordinate in [0, ${L}] (${L} is the point at 0)`,
      found: String(x),
    });
  }
  return x === L ? 0 : x;
}
