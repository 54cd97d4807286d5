import { HaloError } from "../errors.js";
import type { FofHalos } from "../fof/fof.js";
import type { CoordinateView, ParticlePositions } from "../fof/positions.js";
import { checkPositive, coordinateViewsOf } from "./checks.js";

/** Bad input to {@link haloProperties}; `field`, `expected` and `found` say what was wrong. */
export class HaloPropertyError extends HaloError {}

/** Halos at most this large get the exact potential minimum (direct sum over all members). */
export const POTENTIAL_DIRECT_MAX = 2000;

/** Options of {@link haloProperties}. */
export interface HaloPropertiesOptions {
  /** Side L of the periodic box (box units). */
  boxSize: number;
  /** Mass of one particle (> 0). */
  particleMass: number;
  /**
   * Particle ids (one per particle). `fof_halo_tag` is then the smallest id among the halo's
   * members (HACC's convention); without ids it is the smallest particle index.
   */
  ids?: BigInt64Array | BigUint64Array | ArrayLike<number>;
  /**
   * Plummer softening ε of the potential (box units, ≥ 0). Default: 0.1 × `fof.linkingLength`
   * (required when `fof` carries no linking length).
   */
  softening?: number;
  /** Seed (integer in [0, 2³²)) of the source subsets of halos above 2,000 members. Default 0. */
  seed?: number;
  /**
   * Index of each particle in the whole particle set, when these arrays hold a subset (a block of a
   * blockwise run): the seed then uses the halo's first member's index in the whole set, so a halo
   * gets the same centre from a subset as from the whole set. Default: the position in these arrays.
   */
  indices?: ArrayLike<number>;
}

/** The FOF output the properties need: the halos (and, for the default softening, ℓ). */
export interface HaloPropertiesInput {
  halos: FofHalos;
  linkingLength?: number;
}

/** One row per halo, HACC `haloproperties` column names. Float32Array unless stated. */
export interface HaloPropertiesColumns {
  /** Smallest member id (with `ids`) or smallest member particle index. */
  fof_halo_tag: BigInt64Array;
  fof_halo_count: Int32Array;
  /** count × particleMass. */
  fof_halo_mass: Float32Array;
  /** Position of the member at the minimum of the (softened) potential, see {@link haloProperties}. */
  fof_halo_center_x: Float32Array;
  fof_halo_center_y: Float32Array;
  fof_halo_center_z: Float32Array;
  /** Centre of mass, periodic-unwrapped about the first member, wrapped into [0, L). */
  fof_halo_com_x: Float32Array;
  fof_halo_com_y: Float32Array;
  fof_halo_com_z: Float32Array;
  fof_halo_mean_vx: Float32Array;
  fof_halo_mean_vy: Float32Array;
  fof_halo_mean_vz: Float32Array;
  /** 1-D velocity dispersion: sqrt((σx² + σy² + σz²) / 3), population variances (÷ n). */
  fof_halo_vel_disp: Float32Array;
  /** Σ m (r − com) × (v − mean v), r unwrapped about the first member. */
  fof_halo_angmom_x: Float32Array;
  fof_halo_angmom_y: Float32Array;
  fof_halo_angmom_z: Float32Array;
}

/**
 * Properties of FOF halos with HACC's `haloproperties` column names. All sums run in float64.
 *
 * - Periodic unwrapping: each member's position is taken relative to the halo's first member
 *   (`members[offsets[h]]`, its smallest particle index) as `d − L·floor(d/L + ½)` per axis.
 * - `fof_halo_com_*`: mean of the unwrapped positions (equal masses), wrapped into [0, L).
 * - `fof_halo_vel_disp`: HACC's 1-D dispersion sqrt of the mean over the 3 axes of the per-axis
 *   population variance of the velocities.
 * - `fof_halo_angmom_*`: Σ m (r − com) × (v − mean v) with the unwrapped r.
 * - `fof_halo_center_*`: the position of the member with the lowest potential
 *   φ_i = −Σ_{j ∈ S, j ≠ i} m / sqrt(|r_i − r_j|² + ε²) (G = 1, unwrapped separations; ties go to
 *   the earlier member). For halos of n ≤ 2,000 members S is every member (exact, O(n²)). Above,
 *   S is a seeded random subset of 2,000 members and φ_i is evaluated for every member (O(2,000·n)):
 *   a partial Fisher–Yates shuffle of the member slots 0..n−1, k = 0..1,999, swapping slot k with
 *   slot k + floor(u·(n − k)), u = x / 2³² from the xorshift32 generator (x ^= x << 13;
 *   x ^= x >>> 17; x ^= x << 5, output after each step) started at
 *   `(seed ^ imul(first + 1, 0x9E3779B1)) >>> 0` (1 if that is 0), `first` the halo's first member index.
 *
 * Positions and velocities: interleaved Float32Array/Float64Array or `{ x, y, z }` (each layout
 * chosen independently), same particle count.
 *
 * @throws HaloPropertyError for a bad box size, particle mass, softening, seed, ids, velocities
 *   whose particle count differs from the positions', or member indices out of range.
 */
export function haloProperties(
  positions: ParticlePositions,
  velocities: ParticlePositions,
  fof: HaloPropertiesInput,
  options: HaloPropertiesOptions,
): HaloPropertiesColumns {
  if (options === null || typeof options !== "object") {
    throw new HaloPropertyError("options must be an object", {
      field: "options",
      expected: "{ boxSize, particleMass }",
      found: String(options),
    });
  }
  const L = options.boxSize;
  checkPositive(HaloPropertyError, "boxSize", L);
  const m = options.particleMass;
  checkPositive(HaloPropertyError, "particleMass", m);
  const { n, views: pv } = coordinateViewsOf(HaloPropertyError, "positions", positions);
  const { n: nv, views: vv } = coordinateViewsOf(HaloPropertyError, "velocities", velocities);
  if (nv !== n) {
    throw new HaloPropertyError("velocities must have one vector per particle", {
      field: "velocities",
      expected: `${n} particles (${3 * n} numbers)`,
      found: `${nv} particles`,
    });
  }
  const halos = fof?.halos;
  if (!halos || !(halos.offsets instanceof Int32Array) || !(halos.members instanceof Int32Array)) {
    throw new HaloPropertyError("fof must hold halos { count, offsets, members }", {
      field: "fof.halos",
      expected: "FofHalos",
      found: String(halos),
    });
  }
  let eps: number;
  if (options.softening !== undefined) {
    eps = options.softening;
    if (typeof eps !== "number" || !Number.isFinite(eps) || eps < 0) {
      throw new HaloPropertyError("the softening must be a finite number ≥ 0", {
        field: "softening",
        expected: "a finite number ≥ 0",
        found: String(eps),
      });
    }
  } else {
    const ell = fof.linkingLength;
    if (typeof ell !== "number" || !Number.isFinite(ell) || ell <= 0) {
      throw new HaloPropertyError("give a softening when fof has no linking length", {
        field: "softening",
        expected: "a softening ≥ 0 or fof.linkingLength > 0",
        found: String(ell),
      });
    }
    eps = 0.1 * ell;
  }
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new HaloPropertyError("the seed must be an integer in [0, 2^32)", {
      field: "seed",
      expected: "an integer in [0, 2^32)",
      found: String(seed),
    });
  }
  const ids = options.ids;
  if (ids !== undefined && (ids === null || typeof ids !== "object" || ids.length !== n)) {
    throw new HaloPropertyError("ids must hold one id per particle", {
      field: "ids",
      expected: `${n} ids`,
      found: ids === null || typeof ids !== "object" ? String(ids) : `${ids.length} ids`,
    });
  }
  const indices = options.indices;
  if (indices !== undefined && (indices === null || typeof indices !== "object" || indices.length !== n)) {
    throw new HaloPropertyError("indices must hold one index per particle", {
      field: "indices",
      expected: `${n} indices`,
      found: indices === null || typeof indices !== "object" ? String(indices) : `${indices.length} indices`,
    });
  }

  const H = halos.count;
  const { offsets, members } = halos;
  if (offsets.length !== H + 1 || offsets[0] !== 0 || offsets[H] > members.length) {
    throw new HaloPropertyError("fof.halos.offsets must hold count + 1 offsets into members", {
      field: "fof.halos.offsets",
      expected: `${H + 1} non-decreasing offsets from 0 to ≤ ${members.length}`,
      found: `${offsets.length} offsets`,
    });
  }
  const f32 = () => new Float32Array(H);
  const out: HaloPropertiesColumns = {
    fof_halo_tag: new BigInt64Array(H),
    fof_halo_count: new Int32Array(H),
    fof_halo_mass: f32(),
    fof_halo_center_x: f32(),
    fof_halo_center_y: f32(),
    fof_halo_center_z: f32(),
    fof_halo_com_x: f32(),
    fof_halo_com_y: f32(),
    fof_halo_com_z: f32(),
    fof_halo_mean_vx: f32(),
    fof_halo_mean_vy: f32(),
    fof_halo_mean_vz: f32(),
    fof_halo_vel_disp: f32(),
    fof_halo_angmom_x: f32(),
    fof_halo_angmom_y: f32(),
    fof_halo_angmom_z: f32(),
  };
  const [px, py, pz] = pv;
  const [vx, vy, vz] = vv;
  const at = (v: CoordinateView, i: number) => v.array[v.offset + v.stride * i];
  const eps2 = eps * eps;

  for (let h = 0; h < H; h++) {
    const start = offsets[h];
    const end = offsets[h + 1];
    const c = end - start;
    if (!(c > 0)) {
      throw new HaloPropertyError("every halo must have at least one member", {
        field: `fof.halos.offsets[${h}]`,
        expected: "increasing offsets",
        found: `${start} .. ${end}`,
      });
    }
    // unwrapped positions and velocities of the members
    const ux = new Float64Array(c);
    const uy = new Float64Array(c);
    const uz = new Float64Array(c);
    const wx = new Float64Array(c);
    const wy = new Float64Array(c);
    const wz = new Float64Array(c);
    const first = members[start];
    let minIndex = first;
    for (let k = 0; k < c; k++) {
      const i = members[start + k];
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new HaloPropertyError("a halo member is not a particle index", {
          field: `fof.halos.members[${start + k}]`,
          expected: `an index in [0, ${n})`,
          found: String(i),
        });
      }
      if (i < minIndex) minIndex = i;
      ux[k] = at(px, i);
      uy[k] = at(py, i);
      uz[k] = at(pz, i);
      wx[k] = at(vx, i);
      wy[k] = at(vy, i);
      wz[k] = at(vz, i);
    }
    const rx = ux[0];
    const ry = uy[0];
    const rz = uz[0];
    for (let k = 1; k < c; k++) {
      ux[k] = unwrap(ux[k], rx, L);
      uy[k] = unwrap(uy[k], ry, L);
      uz[k] = unwrap(uz[k], rz, L);
    }

    // tag
    if (ids === undefined) out.fof_halo_tag[h] = BigInt(minIndex);
    else {
      let best = BigInt(ids[members[start]]);
      for (let k = 1; k < c; k++) {
        const id = BigInt(ids[members[start + k]]);
        if (id < best) best = id;
      }
      out.fof_halo_tag[h] = best;
    }
    out.fof_halo_count[h] = c;
    out.fof_halo_mass[h] = c * m;

    // centre of mass, mean velocity
    let sx = 0;
    let sy = 0;
    let sz = 0;
    let svx = 0;
    let svy = 0;
    let svz = 0;
    for (let k = 0; k < c; k++) {
      sx += ux[k];
      sy += uy[k];
      sz += uz[k];
      svx += wx[k];
      svy += wy[k];
      svz += wz[k];
    }
    const cx = sx / c;
    const cy = sy / c;
    const cz = sz / c;
    const mvx = svx / c;
    const mvy = svy / c;
    const mvz = svz / c;
    out.fof_halo_com_x[h] = wrapF32(cx, L);
    out.fof_halo_com_y[h] = wrapF32(cy, L);
    out.fof_halo_com_z[h] = wrapF32(cz, L);
    out.fof_halo_mean_vx[h] = mvx;
    out.fof_halo_mean_vy[h] = mvy;
    out.fof_halo_mean_vz[h] = mvz;

    // dispersion, angular momentum
    let s2 = 0;
    let lx = 0;
    let ly = 0;
    let lz = 0;
    for (let k = 0; k < c; k++) {
      const dx = ux[k] - cx;
      const dy = uy[k] - cy;
      const dz = uz[k] - cz;
      const ex = wx[k] - mvx;
      const ey = wy[k] - mvy;
      const ez = wz[k] - mvz;
      s2 += ex * ex + ey * ey + ez * ez;
      lx += dy * ez - dz * ey;
      ly += dz * ex - dx * ez;
      lz += dx * ey - dy * ex;
    }
    out.fof_halo_vel_disp[h] = Math.sqrt(s2 / (3 * c));
    out.fof_halo_angmom_x[h] = m * lx;
    out.fof_halo_angmom_y[h] = m * ly;
    out.fof_halo_angmom_z[h] = m * lz;

    // potential minimum
    const seedIndex = indices === undefined ? first : indices[first];
    const best = potentialMinimum(ux, uy, uz, eps2, sourceSlots(c, seed, seedIndex));
    const bi = members[start + best];
    out.fof_halo_center_x[h] = wrapF32(at(px, bi), L);
    out.fof_halo_center_y[h] = wrapF32(at(py, bi), L);
    out.fof_halo_center_z[h] = wrapF32(at(pz, bi), L);
  }
  return out;
}

/**
 * Member slots used as potential sources: all of 0..n−1 for n ≤ 2,000, else the first 2,000 slots
 * of a partial Fisher–Yates shuffle driven by xorshift32 (see {@link haloProperties}).
 */
export function sourceSlots(n: number, seed: number, first: number): Int32Array {
  const slots = new Int32Array(n);
  for (let k = 0; k < n; k++) slots[k] = k;
  if (n <= POTENTIAL_DIRECT_MAX) return slots;
  let x = (seed ^ Math.imul(first + 1, 0x9e3779b1)) >>> 0 || 1;
  for (let k = 0; k < POTENTIAL_DIRECT_MAX; k++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const j = k + Math.floor((x / 4294967296) * (n - k));
    const t = slots[k];
    slots[k] = slots[j];
    slots[j] = t;
  }
  return slots.slice(0, POTENTIAL_DIRECT_MAX);
}

/** Slot of the member with the lowest softened potential of the sources (self excluded). */
function potentialMinimum(
  ux: Float64Array,
  uy: Float64Array,
  uz: Float64Array,
  eps2: number,
  sources: Int32Array,
): number {
  const c = ux.length;
  const s = sources.length;
  const sx = new Float64Array(s);
  const sy = new Float64Array(s);
  const sz = new Float64Array(s);
  for (let q = 0; q < s; q++) {
    sx[q] = ux[sources[q]];
    sy[q] = uy[sources[q]];
    sz[q] = uz[sources[q]];
  }
  let best = 0;
  let bestPhi = Number.POSITIVE_INFINITY;
  for (let k = 0; k < c; k++) {
    const x = ux[k];
    const y = uy[k];
    const z = uz[k];
    let phi = 0;
    for (let q = 0; q < s; q++) {
      if (sources[q] === k) continue;
      const dx = sx[q] - x;
      const dy = sy[q] - y;
      const dz = sz[q] - z;
      const r2 = dx * dx + dy * dy + dz * dz + eps2;
      if (r2 > 0) phi -= 1 / Math.sqrt(r2);
      else phi = Number.NEGATIVE_INFINITY;
    }
    if (phi < bestPhi) {
      bestPhi = phi;
      best = k;
    }
  }
  return best;
}

function unwrap(v: number, ref: number, L: number): number {
  const d = v - ref;
  return ref + (d - L * Math.floor(d / L + 0.5));
}

/** v wrapped into [0, L) and rounded to float32, staying below L. */
function wrapF32(v: number, L: number): number {
  const w = v - L * Math.floor(v / L);
  const f = Math.fround(w);
  return f >= L || f < 0 ? 0 : f;
}
