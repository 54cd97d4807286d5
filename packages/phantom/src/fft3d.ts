import FFT from "fft.js";
import { checkTuple, optionError } from "./options.js";

/** Direction of {@link fft3d}. */
export type FftDirection = "forward" | "inverse";

const plans = new Map<number, FFT>();
function plan(n: number): FFT {
  let p = plans.get(n);
  if (!p) {
    p = new FFT(n);
    plans.set(n, p);
  }
  return p;
}

function isPow2(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/**
 * In-place 3D discrete Fourier transform of a complex array, built from fft.js 1D radix-4
 * transforms along each axis.
 *
 * Layout: `data` is interleaved complex (re, im) in C order over `shape = [n0, n1, n2]`, so the
 * element (i, j, k) is at `2·((i·n1 + j)·n2 + k)`. Each extent must be a power of two (1 is
 * allowed and skips that axis).
 *
 * Conventions: forward `F(k) = Σ_x f(x) e^{−2πi k·x/n}` (no scaling); inverse
 * `f(x) = (1/(n0·n1·n2)) Σ_k F(k) e^{+2πi k·x/n}`, so inverse(forward(f)) = f.
 *
 * @returns `data` (transformed in place)
 * @throws RangeError when the shape is not powers of two or `data` has the wrong length.
 */
export function fft3d(
  data: Float64Array,
  shape: readonly [number, number, number],
  direction: FftDirection = "forward",
): Float64Array {
  const fn = "fft3d";
  const s = checkTuple(fn, "shape", shape, 3, { min: 1, integer: true });
  if (!s.every(isPow2)) throw optionError(fn, "shape", "powers of two", s);
  if (!(data instanceof Float64Array) || data.length !== 2 * s[0] * s[1] * s[2]) {
    throw optionError(
      fn,
      "data",
      `a Float64Array of ${2 * s[0] * s[1] * s[2]} elements (interleaved complex)`,
      data?.length,
    );
  }
  if (direction !== "forward" && direction !== "inverse") {
    throw optionError(fn, "direction", '"forward" or "inverse"', direction);
  }
  const [n0, n1, n2] = s;
  const inverse = direction === "inverse";
  // Element strides (in complex elements) of each axis and the number of lines along it.
  const axes: [number, number][] = [
    [n0, n1 * n2],
    [n1, n2],
    [n2, 1],
  ];
  for (let a = 0; a < 3; a++) {
    const [n, stride] = axes[a];
    if (n === 1) continue;
    const f = plan(n);
    const inp = new Float64Array(2 * n);
    const out = new Float64Array(2 * n);
    const total = n0 * n1 * n2;
    // Enumerate line starts: indices whose coordinate along axis a is 0.
    const outer = total / (n * stride); // product of extents before axis a
    for (let o = 0; o < outer; o++) {
      for (let inner = 0; inner < stride; inner++) {
        const start = o * n * stride + inner;
        for (let t = 0; t < n; t++) {
          const e = 2 * (start + t * stride);
          inp[2 * t] = data[e];
          inp[2 * t + 1] = data[e + 1];
        }
        if (inverse) f.inverseTransform(out, inp);
        else f.transform(out, inp);
        for (let t = 0; t < n; t++) {
          const e = 2 * (start + t * stride);
          data[e] = out[2 * t];
          data[e + 1] = out[2 * t + 1];
        }
      }
    }
  }
  return data;
}

/**
 * Reference O(N²) 3D DFT with the same layout and conventions as {@link fft3d}; for tests and
 * tiny grids only. Returns a new array.
 */
export function naiveDft3d(
  data: Float64Array,
  shape: readonly [number, number, number],
  direction: FftDirection = "forward",
): Float64Array {
  const [n0, n1, n2] = shape;
  const total = n0 * n1 * n2;
  const out = new Float64Array(2 * total);
  const sign = direction === "inverse" ? 1 : -1;
  for (let k0 = 0; k0 < n0; k0++)
    for (let k1 = 0; k1 < n1; k1++)
      for (let k2 = 0; k2 < n2; k2++) {
        let re = 0;
        let im = 0;
        for (let x0 = 0; x0 < n0; x0++)
          for (let x1 = 0; x1 < n1; x1++)
            for (let x2 = 0; x2 < n2; x2++) {
              const ph = sign * 2 * Math.PI * ((k0 * x0) / n0 + (k1 * x1) / n1 + (k2 * x2) / n2);
              const e = 2 * ((x0 * n1 + x1) * n2 + x2);
              const c = Math.cos(ph);
              const s = Math.sin(ph);
              re += data[e] * c - data[e + 1] * s;
              im += data[e] * s + data[e + 1] * c;
            }
        const o = 2 * ((k0 * n1 + k1) * n2 + k2);
        const scale = direction === "inverse" ? 1 / total : 1;
        out[o] = re * scale;
        out[o + 1] = im * scale;
      }
  return out;
}
