// Test values spanning each dtype's whole range (not part of the package API).
import { createHash } from "node:crypto";
import { type DataType, isBigIntDtype, type TypedArray, typedArrayFor } from "../src/dtype.js";

/** A seeded xorshift32 generator of unsigned 32-bit integers. */
function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

/** The extreme and special values of a dtype, first in every {@link fullRange} array. */
export function specialValues(dtype: DataType): (number | bigint)[] {
  if (dtype === "float32" || dtype === "float64") {
    const f32 = dtype === "float32";
    const max = f32 ? 3.4028234663852886e38 : Number.MAX_VALUE;
    const tiny = f32 ? 1.1754943508222875e-38 : 2.2250738585072014e-308;
    const denormal = f32 ? 1.401298464324817e-45 : Number.MIN_VALUE;
    return [
      -max,
      max,
      -0,
      0,
      tiny,
      -tiny,
      denormal,
      -denormal,
      Infinity,
      -Infinity,
      Number.NaN,
      -1e-30,
      12345.678,
    ];
  }
  const bits = Number(dtype.replace(/\D/g, ""));
  const signed = dtype.startsWith("int");
  const min = signed ? -(2n ** BigInt(bits - 1)) : 0n;
  const max = signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n;
  const values = [min, max, min + 1n, max - 1n, 0n, 1n];
  if (signed) values.push(-1n);
  if (bits === 64) {
    // beyond 2^53: such values must never pass through a float64
    values.push(2n ** 53n + 1n, 2n ** 53n + 3n, 2n ** 62n + 12345n, max - 2n);
    if (signed) values.push(-(2n ** 53n) - 1n, min + 3n);
  }
  return isBigIntDtype(dtype) ? values : values.map(Number);
}

/**
 * `length` values of `dtype` covering its whole range: the {@link specialValues}, then seeded random
 * values (integers uniform over every bit pattern; floats of random sign and magnitude).
 */
export function fullRange(dtype: DataType, length: number, seed = 1): TypedArray {
  const Ctor = typedArrayFor(dtype);
  const out = new Ctor(length);
  const next = xorshift(seed);
  const target = out as unknown as (number | bigint)[];
  const specials = specialValues(dtype);
  for (let i = 0; i < length; i++) {
    if (i < specials.length) target[i] = specials[i];
    else if (isBigIntDtype(dtype)) {
      const word = (BigInt(next()) << 32n) | BigInt(next());
      target[i] = dtype === "int64" ? BigInt.asIntN(64, word) : BigInt.asUintN(64, word);
    } else if (dtype === "float32" || dtype === "float64") {
      const magnitude =
        10 ** ((next() / 2 ** 32) * (dtype === "float32" ? 76 : 600) - (dtype === "float32" ? 38 : 300));
      target[i] = (next() & 1 ? -1 : 1) * magnitude * (1 + next() / 2 ** 32);
    } else {
      target[i] = next(); // wraps to the dtype's width: every bit pattern equally likely
    }
  }
  return out;
}

/** SHA-256 of a typed array's bytes (little-endian, C order). */
export function sha256(data: TypedArray): string {
  return createHash("sha256")
    .update(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
    .digest("hex");
}

/** The values as exact decimal strings (bigints and numbers; floats as JSON would not be exact, so only for integers). */
export function exactIntegers(data: TypedArray, count: number): string[] {
  return Array.from(data.subarray(0, count) as ArrayLike<number | bigint>, (v) => String(v));
}
