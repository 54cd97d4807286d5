/**
 * Seeded pseudo-random numbers for the learning code (never `Math.random`): a seed reproduces a
 * trained classifier bit for bit on any platform.
 */

/** Mix a 32-bit integer (splitmix32 finaliser): well-spread outputs for consecutive inputs. */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** Mulberry32 generator: 32-bit state, uniform floats in [0, 1) and integers in [0, n). */
export class SeededRandom {
  #state: number;

  /** @param seed any number; its low 32 bits are mixed into the state. */
  constructor(seed: number) {
    this.#state = mix32(seed >>> 0);
  }

  /** A uniform float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) | 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
