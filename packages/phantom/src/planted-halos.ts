import { checkNumber, checkSeed, checkTuple, optionError } from "./options.js";
import { hash32, Rng } from "./prng.js";
import { wrapPeriodic } from "./zeldovich.js";

/** Options of {@link plantedHalos}. Lengths are in box units (e.g. Mpc/h). */
export interface PlantedHalosOptions {
  /** Side of the periodic box. Default 100. */
  boxSize?: number;
  /** Seed (safe integer). Default 0. */
  seed?: number;
  /** Number of halos. Default 20. */
  haloCount?: number;
  /** Explicit particle count of each halo (overrides `haloCount`, `particlesPerHalo` and `massFunctionSlope`). */
  haloParticleCounts?: readonly number[];
  /** `[min, max]` particles per halo (min ≥ 2). Default `[100, 1000]`. */
  particlesPerHalo?: readonly [number, number];
  /** Slope α of the halo multiplicity function dN/dn ∝ n^α between min and max. Default −2. */
  massFunctionSlope?: number;
  /** Uniform background particles (each isolated: farther than 1.6·linkingLength from any other particle). Default 10 000. */
  backgroundParticles?: number;
  /** The friends-of-friends linking length b the catalogue is built for (see {@link plantedHalos}). Default boxSize / 100. */
  linkingLength?: number;
  /** Radius of the most massive halo; others scale as (n / n_max)^(1/3). Default 5·linkingLength. */
  haloRadius?: number;
  /** NFW concentration c = R / r_s of the radial profile. Default 5. */
  concentration?: number;
  /** Mass per particle. Default 1. */
  particleMass?: number;
  /** Velocity dispersion per component of the most massive halo; others scale as (n / n_max)^(1/3). Default 300. */
  velocityDispersion?: number;
  /** Standard deviation per component of halo bulk velocities. Default 200. */
  bulkVelocitySigma?: number;
  /** Standard deviation per component of background velocities. Default 100. */
  backgroundVelocitySigma?: number;
  /** Shuffle the particle order (otherwise halo 0's particles come first, background last). Default true. */
  shuffle?: boolean;
}

/** One planted halo: the truth a halo finder should recover. */
export interface PlantedHalo {
  /** Index of the halo (0-based); `haloIndex` of its particles. */
  id: number;
  /** Centre (x, y, z) in [0, boxSize). Particles are distributed around it with an NFW profile. */
  center: [number, number, number];
  /** Number of member particles. */
  particleCount: number;
  /** particleCount · particleMass. */
  mass: number;
  /** Truncation radius: every member lies within it (periodic distance from the centre). */
  radius: number;
  /** Bulk velocity (vx, vy, vz). */
  bulkVelocity: [number, number, number];
}

/** Output of {@link plantedHalos}. */
export interface PlantedHalos {
  /** n particles, (x, y, z) interleaved, wrapped into [0, boxSize). */
  positions: Float32Array;
  /** (vx, vy, vz) interleaved. */
  velocities: Float32Array;
  /** Halo id of each particle, −1 for background. */
  haloIndex: Int32Array;
  /** The planted halos, by id. */
  halos: PlantedHalo[];
  /** Mass per particle. */
  particleMass: number;
  /** Side of the periodic box. */
  boxSize: number;
  /** The linking length b of the guarantee: FOF with any ℓ in [b, 1.5·b] recovers the halos exactly. */
  linkingLength: number;
}

const FN = "plantedHalos";

/**
 * Particles in a periodic box with planted halos of known membership and mass over a uniform,
 * sparse background.
 *
 * Guarantee (the truth for a friends-of-friends halo finder): every halo is connected by links
 * shorter than 0.9·b (each member was placed within 0.9·b of an earlier member), and any two
 * particles that are not members of the same halo are more than 1.6·b apart (periodic distance;
 * background particles are isolated). Hence FOF with any linking length ℓ in [b, 1.5·b] (b =
 * `linkingLength`, default boxSize/100) finds exactly the planted halos and leaves every
 * background particle as a group of one; ℓ = 1.2·b is the recommended middle. Halo members
 * follow an NFW profile of concentration `concentration` truncated at the halo radius, with a
 * Gaussian velocity dispersion about the halo's bulk velocity.
 *
 * @example
 * ```ts
 * const { positions, haloIndex, halos, linkingLength } = plantedHalos({ seed: 1, haloCount: 10 });
 * ```
 * @throws RangeError naming the option when an option is out of range, or when the halos or
 *   background do not fit in the box with the required separations.
 */
export function plantedHalos(options: PlantedHalosOptions = {}): PlantedHalos {
  if (options === null || typeof options !== "object") throw optionError(FN, "options", "an object", options);
  const L = checkNumber(FN, "boxSize", options.boxSize ?? 100, { min: 0, minExclusive: true });
  const seed = checkSeed(FN, options.seed ?? 0);
  const b = checkNumber(FN, "linkingLength", options.linkingLength ?? L / 100, {
    min: 0,
    minExclusive: true,
    max: L / 4,
  });
  let counts: number[];
  if (options.haloParticleCounts !== undefined) {
    if (!Array.isArray(options.haloParticleCounts)) {
      throw optionError(FN, "haloParticleCounts", "an array of integers ≥ 2", options.haloParticleCounts);
    }
    counts = options.haloParticleCounts.map((c, i) =>
      checkNumber(FN, `haloParticleCounts[${i}]`, c, { min: 2, integer: true }),
    );
  } else {
    const nh = checkNumber(FN, "haloCount", options.haloCount ?? 20, { min: 0, integer: true });
    const [lo, hi] = checkTuple(FN, "particlesPerHalo", options.particlesPerHalo ?? [100, 1000], 2, {
      min: 2,
      integer: true,
    });
    if (hi < lo) throw optionError(FN, "particlesPerHalo", "[min, max] with min ≤ max", [lo, hi]);
    const alpha = checkNumber(FN, "massFunctionSlope", options.massFunctionSlope ?? -2, {
      min: -10,
      max: 10,
    });
    const crng = new Rng(hash32(seed, 0xc0));
    counts = [];
    for (let h = 0; h < nh; h++) counts.push(drawPowerLaw(crng, lo, hi, alpha));
    counts.sort((a, c) => c - a);
  }
  const nBg = checkNumber(FN, "backgroundParticles", options.backgroundParticles ?? 10_000, {
    min: 0,
    integer: true,
  });
  const rMax = checkNumber(FN, "haloRadius", options.haloRadius ?? 5 * b, {
    min: 0,
    minExclusive: true,
    max: L / 4,
  });
  const conc = checkNumber(FN, "concentration", options.concentration ?? 5, {
    min: 0,
    minExclusive: true,
    max: 100,
  });
  const particleMass = checkNumber(FN, "particleMass", options.particleMass ?? 1, {
    min: 0,
    minExclusive: true,
  });
  const sigmaV = checkNumber(FN, "velocityDispersion", options.velocityDispersion ?? 300, { min: 0 });
  const sigmaBulk = checkNumber(FN, "bulkVelocitySigma", options.bulkVelocitySigma ?? 200, { min: 0 });
  const sigmaBg = checkNumber(FN, "backgroundVelocitySigma", options.backgroundVelocitySigma ?? 100, {
    min: 0,
  });
  const shuffle = options.shuffle ?? true;

  const rng = new Rng(hash32(seed, 0x4a10));
  const sep = 1.6 * b * 1.0001; // separation between particles of different groups (margin for float32)
  const link = 0.9 * b;
  const nMax = counts.length ? Math.max(...counts) : 1;
  const radii = counts.map((n) => rMax * Math.cbrt(n / nMax));

  // ---- halo centres, far enough apart that members of different halos are > sep apart
  const centers: [number, number, number][] = [];
  for (let h = 0; h < counts.length; h++) {
    let placed = false;
    for (let a = 0; a < 10_000 && !placed; a++) {
      const c: [number, number, number] = [rng.range(0, L), rng.range(0, L), rng.range(0, L)];
      placed = centers.every((o, j) => periodicDistance(c, o, L) > radii[h] + radii[j] + sep);
      if (placed) centers.push(c);
    }
    if (!placed) {
      throw optionError(
        FN,
        "haloCount",
        `few enough halos of radius ≤ ${rMax} to fit apart in a box of ${L}`,
        counts.length,
      );
    }
  }

  const total = counts.reduce((s, n) => s + n, 0) + nBg;
  const pos = new Float64Array(3 * total);
  const haloIndex = new Int32Array(total).fill(-1);
  const velocities = new Float32Array(3 * total);
  const halos: PlantedHalo[] = [];
  let p = 0;
  const mNorm = (x: number) => Math.log(1 + x) - x / (1 + x);
  for (let h = 0; h < counts.length; h++) {
    const n = counts[h];
    const R = radii[h];
    const [cx, cy, cz] = centers[h];
    const local = new Float64Array(3 * n);
    const grid = new Map<string, number[]>();
    const key = (x: number, y: number, z: number) =>
      `${Math.floor(x / link)},${Math.floor(y / link)},${Math.floor(z / link)}`;
    const add = (i: number) => {
      const k = key(local[3 * i], local[3 * i + 1], local[3 * i + 2]);
      const list = grid.get(k);
      if (list) list.push(i);
      else grid.set(k, [i]);
    };
    const linked = (x: number, y: number, z: number) => {
      const gx = Math.floor(x / link);
      const gy = Math.floor(y / link);
      const gz = Math.floor(z / link);
      for (let dx = -1; dx <= 1; dx++)
        for (let dy = -1; dy <= 1; dy++)
          for (let dz = -1; dz <= 1; dz++) {
            const list = grid.get(`${gx + dx},${gy + dy},${gz + dz}`);
            if (!list) continue;
            for (const j of list) {
              const ex = local[3 * j] - x;
              const ey = local[3 * j + 1] - y;
              const ez = local[3 * j + 2] - z;
              if (ex * ex + ey * ey + ez * ez < link * link) return true;
            }
          }
      return false;
    };
    add(0); // the first member sits at the centre
    const mTot = mNorm(conc);
    for (let i = 1; i < n; i++) {
      let ok = false;
      for (let a = 0; a < 50 && !ok; a++) {
        // NFW radius by inverting the enclosed-mass profile m(c·r/R) = u·m(c).
        const u = rng.uniform() * mTot;
        let lo = 0;
        let hi = 1;
        for (let it = 0; it < 40; it++) {
          const mid = 0.5 * (lo + hi);
          if (mNorm(conc * mid) < u) lo = mid;
          else hi = mid;
        }
        const r = 0.5 * (lo + hi) * R * 0.999;
        const [ux, uy, uz] = isotropic(rng);
        if (linked(r * ux, r * uy, r * uz)) {
          local[3 * i] = r * ux;
          local[3 * i + 1] = r * uy;
          local[3 * i + 2] = r * uz;
          ok = true;
        }
      }
      while (!ok) {
        // Fallback: next to a random earlier member, inside the halo radius.
        const j = rng.int(i);
        const d = rng.range(0.3, 0.95) * link;
        const [ux, uy, uz] = isotropic(rng);
        const x = local[3 * j] + d * ux;
        const y = local[3 * j + 1] + d * uy;
        const z = local[3 * j + 2] + d * uz;
        if (x * x + y * y + z * z < R * R * 0.998) {
          local[3 * i] = x;
          local[3 * i + 1] = y;
          local[3 * i + 2] = z;
          ok = true;
        }
      }
      add(i);
    }
    const bulk: [number, number, number] = [
      sigmaBulk * rng.normal(),
      sigmaBulk * rng.normal(),
      sigmaBulk * rng.normal(),
    ];
    const sig = sigmaV * Math.cbrt(n / nMax);
    for (let i = 0; i < n; i++, p++) {
      pos[3 * p] = cx + local[3 * i];
      pos[3 * p + 1] = cy + local[3 * i + 1];
      pos[3 * p + 2] = cz + local[3 * i + 2];
      haloIndex[p] = h;
      for (let d = 0; d < 3; d++) velocities[3 * p + d] = bulk[d] + sig * rng.normal();
    }
    halos.push({
      id: h,
      center: [cx, cy, cz],
      particleCount: n,
      mass: n * particleMass,
      radius: R,
      bulkVelocity: bulk,
    });
  }

  // ---- isolated background particles (dart throwing on a periodic grid of cell ≥ sep)
  const G = Math.floor(L / sep) >= 3 ? Math.floor(L / sep) : 1;
  const cells = new Map<number, number[]>();
  const cellOf = (v: number) => Math.min(G - 1, Math.floor((v / L) * G));
  let attempts = 0;
  const maxAttempts = 50 * nBg + 1000;
  while (p < total) {
    if (++attempts > maxAttempts) {
      throw optionError(
        FN,
        "backgroundParticles",
        `few enough to keep ${sep.toPrecision(3)} apart in a box of ${L}`,
        nBg,
      );
    }
    const c: [number, number, number] = [rng.range(0, L), rng.range(0, L), rng.range(0, L)];
    let free = true;
    for (let h = 0; h < centers.length && free; h++) {
      if (periodicDistance(c, centers[h], L) <= radii[h] + sep) free = false;
    }
    if (!free) continue;
    const gx = cellOf(c[0]);
    const gy = cellOf(c[1]);
    const gz = cellOf(c[2]);
    const span = G === 1 ? 0 : 1;
    for (let dx = -span; dx <= span && free; dx++)
      for (let dy = -span; dy <= span && free; dy++)
        for (let dz = -span; dz <= span && free; dz++) {
          const k = (((gx + dx + G) % G) * G + ((gy + dy + G) % G)) * G + ((gz + dz + G) % G);
          const list = cells.get(k);
          if (!list) continue;
          for (const j of list) {
            if (periodicDistance(c, [pos[3 * j], pos[3 * j + 1], pos[3 * j + 2]], L) <= sep) {
              free = false;
              break;
            }
          }
        }
    if (!free) continue;
    const k = (gx * G + gy) * G + gz;
    const list = cells.get(k);
    if (list) list.push(p);
    else cells.set(k, [p]);
    pos[3 * p] = c[0];
    pos[3 * p + 1] = c[1];
    pos[3 * p + 2] = c[2];
    for (let d = 0; d < 3; d++) velocities[3 * p + d] = sigmaBg * rng.normal();
    p++;
  }

  const positions = new Float32Array(3 * total);
  for (let i = 0; i < 3 * total; i++) positions[i] = wrapPeriodic(pos[i], L);
  for (const h of halos)
    h.center = [wrapPeriodic(h.center[0], L), wrapPeriodic(h.center[1], L), wrapPeriodic(h.center[2], L)];

  if (shuffle && total > 1) {
    const srng = new Rng(hash32(seed, 0x5f1e));
    for (let i = total - 1; i > 0; i--) {
      const j = srng.int(i + 1);
      swap3(positions, i, j);
      swap3(velocities, i, j);
      const t = haloIndex[i];
      haloIndex[i] = haloIndex[j];
      haloIndex[j] = t;
    }
  }
  return { positions, velocities, haloIndex, halos, particleMass, boxSize: L, linkingLength: b };
}

function swap3(a: Float32Array, i: number, j: number) {
  for (let d = 0; d < 3; d++) {
    const t = a[3 * i + d];
    a[3 * i + d] = a[3 * j + d];
    a[3 * j + d] = t;
  }
}

function isotropic(rng: Rng): [number, number, number] {
  const z = 2 * rng.uniform() - 1;
  const phi = 2 * Math.PI * rng.uniform();
  const s = Math.sqrt(1 - z * z);
  return [s * Math.cos(phi), s * Math.sin(phi), z];
}

/** Integer drawn from dN/dn ∝ n^alpha on [lo, hi] (continuous inverse CDF, floored). */
function drawPowerLaw(rng: Rng, lo: number, hi: number, alpha: number): number {
  if (lo === hi) return lo;
  const u = rng.uniform();
  const a1 = alpha + 1;
  const x0 = lo;
  const x1 = hi + 1;
  let x: number;
  if (Math.abs(a1) < 1e-9) x = x0 * (x1 / x0) ** u;
  else x = (x0 ** a1 + u * (x1 ** a1 - x0 ** a1)) ** (1 / a1);
  return Math.min(hi, Math.max(lo, Math.floor(x)));
}

/** Minimum-image distance between two points in a periodic box of side L. */
export function periodicDistance(
  a: readonly [number, number, number] | readonly number[],
  b: readonly [number, number, number] | readonly number[],
  L: number,
): number {
  let s = 0;
  for (let d = 0; d < 3; d++) {
    let v = Math.abs(a[d] - b[d]) % L;
    if (v > L / 2) v = L - v;
    s += v * v;
  }
  return Math.sqrt(s);
}
