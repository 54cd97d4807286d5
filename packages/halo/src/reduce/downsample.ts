/**
 * Deterministic particle down-sampling by id hash: a particle is kept iff
 * hash64(id, seed) < fraction · 2⁶⁴, so the same id is kept (or dropped) in every file, rank or
 * block, whatever the order, and the kept set at a smaller fraction is a subset of the kept set at a
 * larger one (same seed).
 */
import { HOST_LITTLE_ENDIAN } from "../genericio/byteswap.js";
import { type Catalog, catalogColumn, catalogRows, ReduceError, takeRows } from "./catalog.js";

/** Particle ids: 64-bit (GenericIO int64) or 32-bit integers, or safe integers in a Float64Array. */
export type ParticleIds = BigInt64Array | BigUint64Array | Int32Array | Uint32Array | Float64Array;

/** Options of the down-sampling functions. */
export interface DownsampleOptions {
  /** Fraction kept, in [0, 1]. */
  fraction: number;
  /** Seed, an integer in [0, 2³²) (default 0): different seeds keep independent subsets. */
  seed?: number;
}

const TWO32 = 4294967296;
const GAMMA = 0x9e3779b97f4a7c15n;
const MASK64 = (1n << 64n) - 1n;

/**
 * The 64-bit hash of an id (two's-complement 64-bit value) and a seed: the splitmix64 output for the
 * state id + seed·γ, i.e. mix(id + (seed + 1)·γ mod 2⁶⁴) with γ = 0x9E3779B97F4A7C15 and mix the
 * splitmix64 finaliser z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27; z *= 0x94D049BB133111EB;
 * z ^= z >> 31. So hashId64(0n, 0) = 0xE220A8397B1DCDAF, splitmix64's first output from state 0.
 * A BigInt reference for single ids; the array functions compute the same on 32-bit halves.
 */
export function hashId64(id: bigint, seed = 0): bigint {
  checkSeed(seed);
  let z = (BigInt.asUintN(64, id) + BigInt(seed + 1) * GAMMA) & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/**
 * Keep-mask of `ids` (1 = kept): hashId64(id, seed) < floor(fraction · 2⁶⁴) (fraction 1 keeps all).
 * No allocation per id: the hash runs on 32-bit halves.
 * @throws ReduceError for a fraction outside [0, 1], a bad seed, or ids that are not integers.
 */
export function downsampleMask(ids: ParticleIds, options: DownsampleOptions): Uint8Array {
  const { fraction } = options ?? ({} as DownsampleOptions);
  if (typeof fraction !== "number" || !(fraction >= 0 && fraction <= 1)) {
    throw new ReduceError("the kept fraction must lie in [0, 1]", {
      field: "fraction",
      expected: "a number in [0, 1]",
      found: String(fraction),
    });
  }
  const seed = options.seed ?? 0;
  checkSeed(seed);
  const n = ids?.length;
  halves(ids); // checks the array type
  const mask = new Uint8Array(n);
  if (fraction === 1) return mask.fill(1);
  if (fraction === 0) return mask;
  // threshold floor(fraction · 2⁶⁴) split exactly into 32-bit halves (fraction · 2⁶⁴ is exact)
  const t = fraction * TWO32 * TWO32;
  const th = Math.floor(t / TWO32);
  const tl = Math.floor(t - th * TWO32);
  const off = BigInt.asUintN(64, BigInt(seed + 1) * GAMMA);
  const oh = Number(off >> 32n);
  const ol = Number(off & 0xffffffffn);
  if (ids instanceof BigInt64Array || ids instanceof BigUint64Array) {
    const w = new Uint32Array(ids.buffer, ids.byteOffset, ids.length * 2);
    const lo = HOST_LITTLE_ENDIAN ? 0 : 1;
    for (let i = 0; i < n; i++) mask[i] = below(w[2 * i + 1 - lo], w[2 * i + lo], oh, ol, th, tl);
  } else {
    const get = halves(ids);
    const h = new Uint32Array(2);
    for (let i = 0; i < n; i++) {
      get(i, h);
      mask[i] = below(h[0], h[1], oh, ol, th, tl);
    }
  }
  return mask;
}

/** Indices (ascending) of the ids {@link downsampleMask} keeps. */
export function downsampleIndices(ids: ParticleIds, options: DownsampleOptions): Int32Array {
  const mask = downsampleMask(ids, options);
  let k = 0;
  for (let i = 0; i < mask.length; i++) k += mask[i];
  const out = new Int32Array(k);
  k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) out[k++] = i;
  return out;
}

/**
 * The rows of a particle catalog whose id (column `idColumn`, default `id`) is kept, all columns
 * aligned, order preserved.
 * @throws UnknownColumnError for a missing id column; ReduceError as {@link downsampleMask}.
 */
export function downsample(catalog: Catalog, options: DownsampleOptions & { idColumn?: string }): Catalog {
  catalogRows(catalog);
  const ids = catalogColumn(catalog, options?.idColumn ?? "id", "idColumn");
  return takeRows(catalog, downsampleIndices(ids as ParticleIds, options));
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed >= TWO32) {
    throw new ReduceError("the seed must be an integer in [0, 2^32)", {
      field: "seed",
      expected: "an integer in [0, 2^32)",
      found: String(seed),
    });
  }
}

/** A reader of id i as [hi, lo] 32-bit halves of its two's-complement 64-bit value. */
function halves(ids: ParticleIds): (i: number, out: Uint32Array) => void {
  if (ids instanceof BigInt64Array || ids instanceof BigUint64Array) {
    const w = new Uint32Array(ids.buffer, ids.byteOffset, ids.length * 2);
    const lo = HOST_LITTLE_ENDIAN ? 0 : 1;
    return (i, out) => {
      out[0] = w[2 * i + 1 - lo];
      out[1] = w[2 * i + lo];
    };
  }
  if (ids instanceof Int32Array) {
    return (i, out) => {
      const v = ids[i];
      out[0] = v < 0 ? 0xffffffff : 0;
      out[1] = v;
    };
  }
  if (ids instanceof Uint32Array) {
    return (i, out) => {
      out[0] = 0;
      out[1] = ids[i];
    };
  }
  if (ids instanceof Float64Array) {
    return (i, out) => {
      const v = ids[i];
      if (!Number.isSafeInteger(v)) {
        throw new ReduceError("a particle id is not a safe integer", {
          field: `ids[${i}]`,
          expected: "an integer of magnitude < 2^53 (or give ids as BigInt64Array)",
          found: String(v),
        });
      }
      const hi = Math.floor(v / TWO32);
      out[0] = hi;
      out[1] = v - hi * TWO32;
    };
  }
  throw new ReduceError("particle ids must be an integer typed array", {
    field: "ids",
    expected: "BigInt64Array | BigUint64Array | Int32Array | Uint32Array | Float64Array",
    found: ids === null || ids === undefined ? String(ids) : Object.prototype.toString.call(ids),
  });
}

/**
 * 1 if splitmix64-finaliser((hi, lo) + (oh, ol) mod 2⁶⁴) < (th, tl), else 0; all on 32-bit halves
 * (64-bit products from 16-bit limbs, exact in float64).
 */
function below(hi: number, lo: number, oh: number, ol: number, th: number, tl: number): number {
  // add the seed offset
  let l = lo + ol;
  let h = (hi + oh + (l >= TWO32 ? 1 : 0)) >>> 0;
  l >>>= 0;
  // z ^= z >> 30; z *= 0xBF58476D1CE4E5B9
  l = (l ^ ((l >>> 30) | (h << 2))) >>> 0;
  h = (h ^ (h >>> 30)) >>> 0;
  let a0 = l & 0xffff;
  let a1 = l >>> 16;
  let mid = a0 * 0x1ce4 + a1 * 0xe5b9; // low word 0x1CE4E5B9 as 16-bit limbs
  let low = a0 * 0xe5b9 + (mid % 65536) * 65536;
  let high = a1 * 0x1ce4 + Math.floor(mid / 65536) + Math.floor(low / TWO32);
  h = (high + Math.imul(h, 0x1ce4e5b9) + Math.imul(l, 0xbf58476d)) >>> 0;
  l = low >>> 0;
  // z ^= z >> 27; z *= 0x94D049BB133111EB
  l = (l ^ ((l >>> 27) | (h << 5))) >>> 0;
  h = (h ^ (h >>> 27)) >>> 0;
  a0 = l & 0xffff;
  a1 = l >>> 16;
  mid = a0 * 0x1331 + a1 * 0x11eb;
  low = a0 * 0x11eb + (mid % 65536) * 65536;
  high = a1 * 0x1331 + Math.floor(mid / 65536) + Math.floor(low / TWO32);
  h = (high + Math.imul(h, 0x133111eb) + Math.imul(l, 0x94d049bb)) >>> 0;
  l = low >>> 0;
  // z ^= z >> 31
  const zl = (l ^ ((l >>> 31) | (h << 1))) >>> 0;
  const zh = (h ^ (h >>> 31)) >>> 0;
  return zh < th || (zh === th && zl < tl) ? 1 : 0;
}
