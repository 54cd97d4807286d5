/**
 * Counter-free, per-id random streams: splitmix64 seeded by a hash of (id, seed, stream), computed
 * on 32-bit halves (no BigInt, no allocation per draw). The same id, seed and stream give the same
 * numbers whatever the order or subset of the catalog the id sits in.
 */

const TWO32 = 4294967296;
/** splitmix64's increment γ = 0x9E3779B97F4A7C15, as 32-bit halves. */
const GAMMA_HI = 0x9e3779b9;
const GAMMA_LO = 0x7f4a7c15;

/** High 32 bits of the unsigned 64-bit product of two unsigned 32-bit integers. */
function mulHiU32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (p11 + (p01 >>> 16) + (p10 >>> 16) + Math.floor(mid / 65536)) >>> 0;
}

/**
 * A splitmix64 generator whose state is set from an id (two's-complement 64-bit, as 32-bit halves),
 * a seed and a stream number. Reuse one instance and call {@link IdRandom.reset} per id.
 */
export class IdRandom {
  private sHi = 0;
  private sLo = 0;
  /** Last 64-bit output, high and low halves (read after {@link IdRandom.next64}). */
  outHi = 0;
  outLo = 0;

  /** z ← mix64(z) (the splitmix64 finaliser) on (hi, lo); the result goes to outHi/outLo. */
  private mix(hi: number, lo: number): void {
    // z ^= z >> 30
    lo = (lo ^ ((lo >>> 30) | (hi << 2))) >>> 0;
    hi = (hi ^ (hi >>> 30)) >>> 0;
    // z *= 0xBF58476D1CE4E5B9
    let nl = Math.imul(lo, 0x1ce4e5b9) >>> 0;
    let nh = (mulHiU32(lo, 0x1ce4e5b9) + Math.imul(hi, 0x1ce4e5b9) + Math.imul(lo, 0xbf58476d)) >>> 0;
    lo = nl;
    hi = nh;
    // z ^= z >> 27
    lo = (lo ^ ((lo >>> 27) | (hi << 5))) >>> 0;
    hi = (hi ^ (hi >>> 27)) >>> 0;
    // z *= 0x94D049BB133111EB
    nl = Math.imul(lo, 0x133111eb) >>> 0;
    nh = (mulHiU32(lo, 0x133111eb) + Math.imul(hi, 0x133111eb) + Math.imul(lo, 0x94d049bb)) >>> 0;
    lo = nl;
    hi = nh;
    // z ^= z >> 31
    this.outLo = (lo ^ ((lo >>> 31) | (hi << 1))) >>> 0;
    this.outHi = (hi ^ (hi >>> 31)) >>> 0;
  }

  /**
   * Start the stream of an id: key = mix64(id + (seed + 1)·γ) (the hash of `hashId64` in
   * `@tessera/halo`), state = mix64(key ^ (stream · 2³² + 0x632BE5AB)). `seed` and `stream` are
   * integers in [0, 2³²).
   */
  reset(idHi: number, idLo: number, seed: number, stream: number): this {
    const s1 = seed + 1; // up to 2^32: split into halves
    const sHi = Math.floor(s1 / TWO32);
    const sLo = s1 - sHi * TWO32;
    // (seed + 1)·γ mod 2^64
    const mLo = Math.imul(sLo, GAMMA_LO) >>> 0;
    const mHi = (mulHiU32(sLo, GAMMA_LO) + Math.imul(sLo, GAMMA_HI) + Math.imul(sHi, GAMMA_LO)) >>> 0;
    const lo = (idLo >>> 0) + mLo;
    const hi = ((idHi >>> 0) + mHi + (lo >= TWO32 ? 1 : 0)) >>> 0;
    this.mix(hi, lo >>> 0);
    this.mix((this.outHi ^ stream) >>> 0, (this.outLo ^ 0x632be5ab) >>> 0);
    this.sHi = this.outHi;
    this.sLo = this.outLo;
    return this;
  }

  /** Next 64-bit output (state += γ; out = mix64(state)) into outHi/outLo. */
  next64(): void {
    const lo = this.sLo + GAMMA_LO;
    this.sHi = (this.sHi + GAMMA_HI + (lo >= TWO32 ? 1 : 0)) >>> 0;
    this.sLo = lo >>> 0;
    this.mix(this.sHi, this.sLo);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    this.next64();
    return ((this.outHi >>> 5) * 67108864 + (this.outLo >>> 6)) / 9007199254740992;
  }

  /** Standard normal (Box–Muller, one value per two uniforms). */
  normal(): number {
    const u1 = 1 - this.uniform(); // (0, 1]
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Poisson deviate of mean `mean` ≥ 0 (Knuth's product method, in pieces of mean ≤ 500). */
  poisson(mean: number): number {
    let count = 0;
    let left = mean;
    while (left > 0) {
      const piece = Math.min(left, 500);
      left -= piece;
      const limit = Math.exp(-piece);
      let p = this.uniform();
      while (p > limit) {
        count++;
        p *= this.uniform();
      }
    }
    return count;
  }
}

/** The id columns {@link idHalves} reads: 64-bit integers or integers stored in number arrays. */
export type IdColumn =
  | BigInt64Array
  | BigUint64Array
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/**
 * A reader of an id column as two's-complement 64-bit halves: `read(i)` sets `hi` and `lo` (both
 * unsigned 32-bit). BigInt arrays are read through a Uint32Array view (no BigInt per row); number
 * arrays must hold integers (|v| < 2⁵³), checked by the caller.
 */
export class IdHalves {
  hi = 0;
  lo = 0;
  private readonly words?: Uint32Array;
  private readonly loIndex: number;

  constructor(private readonly ids: IdColumn) {
    const little = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
    this.loIndex = little ? 0 : 1;
    if (ids instanceof BigInt64Array || ids instanceof BigUint64Array) {
      this.words = new Uint32Array(ids.buffer, ids.byteOffset, ids.length * 2);
    }
  }

  read(i: number): void {
    if (this.words) {
      this.lo = this.words[2 * i + this.loIndex];
      this.hi = this.words[2 * i + 1 - this.loIndex];
      return;
    }
    const v = this.ids[i] as number;
    const hi = Math.floor(v / TWO32);
    this.lo = (v - hi * TWO32) >>> 0;
    this.hi = hi >>> 0;
  }
}

/** Stream numbers of the mock-galaxy step (one per kind of draw, so adding one never shifts another). */
export const STREAM = {
  centralScatter: 1,
  abundanceScatter: 2,
  satelliteCount: 3,
  satellitePhaseSpace: 4,
  galaxyId: 5,
} as const;
