/** A function of one number that also maps arrays (to a Float64Array of the same length). */
export interface Vectorized {
  (x: number): number;
  (xs: ArrayLike<number>): Float64Array;
}

/** Make `f` take a number or an array of numbers. */
export function vectorize(f: (x: number) => number): Vectorized {
  return ((x: number | ArrayLike<number>) => {
    if (typeof x === "number") return f(x);
    const out = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = f(x[i]);
    return out;
  }) as Vectorized;
}
