/**
 * Seeded pseudo-random numbers: xoshiro128** seeded through splitmix32, Gaussian deviates by the
 * Box–Muller transform. Every phantom draws from this generator only, never from `Math.random`,
 * so a seed reproduces a data set bit for bit on any platform.
 */

/** One step of splitmix32: returns the next state's output for a 32-bit state `x`. */
export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/**
 * Hash any number of 32-bit integers into one well-mixed unsigned 32-bit integer. Used to derive
 * independent streams (e.g. per section) from one seed.
 */
export function hash32(...values: number[]): number {
  let h = 0x811c9dc5;
  for (const v of values) h = splitmix32((h ^ (v | 0)) >>> 0);
  return h;
}

/**
 * xoshiro128** generator (Blackman & Vigna) with 128 bits of state, seeded from a 32-bit integer
 * through splitmix32. Period 2^128 − 1; passes BigCrush apart from linear-complexity tests of its
 * lowest bits, which `uniform()` discards.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = 0;
  private hasSpare = false;

  /** Create a generator from an integer seed (any finite number; the low 32 bits are used with the high ones mixed in). */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng: seed must be a finite number, found ${seed}`);
    const lo = seed | 0;
    const hi = Math.floor(seed / 4294967296) | 0;
    let s = splitmix32(lo ^ splitmix32(hi));
    this.a = s;
    s = splitmix32(s);
    this.b = s;
    s = splitmix32(s);
    this.c = s;
    s = splitmix32(s);
    this.d = s;
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Next raw output: an unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform deviate in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform deviate in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [0, n) for 1 ≤ n ≤ 2^32 (multiply-shift; bias below 2^-32·n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal deviate (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * v;
    this.spare = r * Math.sin(th);
    this.hasSpare = true;
    return r * Math.cos(th);
  }

  /** A new generator whose stream is independent of this one (seeded from this one's next outputs). */
  fork(): Rng {
    return new Rng(hash32(this.nextUint32(), this.nextUint32()));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
