import { InvalidArgumentError } from "commander";

/**
 * Option parsers shared by every `tessera` command. Each refuses a bad value with a message that
 * says what was expected, with an example that fits the option, and what was given.
 */

/** Comma-separated integers ≥ `min`, exactly `count` of them when given: `integers("16,256,256")`. */
export function integers(example: string, opts: { count?: number; min?: number } = {}) {
  const min = opts.min ?? 1;
  const what = `${opts.count === undefined ? "" : `${opts.count} `}integers ≥ ${min}`;
  return (value: string): number[] => {
    const numbers = value.split(",").map((part) => (part.trim() === "" ? Number.NaN : Number(part)));
    const countOk = opts.count === undefined || numbers.length === opts.count;
    if (!countOk || numbers.some((n) => !Number.isSafeInteger(n) || n < min)) {
      throw new InvalidArgumentError(`expected ${what} like ${example}, got "${value}"`);
    }
    return numbers;
  };
}

/** Comma-separated finite numbers, all > 0 when `positive`: `numbers("40,4,4", { positive: true })`. */
export function numbers(example: string, opts: { count?: number; positive?: boolean } = {}) {
  const what = `${opts.count === undefined ? "" : `${opts.count} `}${opts.positive ? "positive " : ""}numbers`;
  return (value: string): number[] => {
    const parsed = value.split(",").map((part) => (part.trim() === "" ? Number.NaN : Number(part)));
    const countOk = opts.count === undefined || parsed.length === opts.count;
    if (!countOk || parsed.some((n) => !Number.isFinite(n) || (opts.positive === true && n <= 0))) {
      throw new InvalidArgumentError(`expected ${what} like ${example}, got "${value}"`);
    }
    return parsed;
  };
}

/** One integer in `[min, max]`: `integer(0, 65535, "8080")`. */
export function integer(min: number, max: number, example: string) {
  return (value: string): number => {
    const n = value.trim() === "" ? Number.NaN : Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `expected an integer from ${min} to ${max} like ${example}, got "${value}"`,
      );
    }
    return n;
  };
}

/** One finite number in `[min, max]`: `number(0, 1, "0.5")`. */
export function number(min: number, max: number, example: string) {
  return (value: string): number => {
    const n = value.trim() === "" ? Number.NaN : Number(value);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `expected a number from ${min} to ${max} like ${example}, got "${value}"`,
      );
    }
    return n;
  };
}

/** A TCP port, 0 (any free port) to 65535. */
export const port = integer(0, 65535, "8080");

/** A half-open range of non-negative integers `start:stop` with start < stop: `range("0:16")`. */
export function range(example: string) {
  return (value: string): [number, number] => {
    const match = /^(\d+):(\d+)$/.exec(value.trim());
    const start = match ? Number(match[1]) : Number.NaN;
    const stop = match ? Number(match[2]) : Number.NaN;
    if (!match || !(start < stop)) {
      throw new InvalidArgumentError(
        `expected a range start:stop with start < stop like ${example}, got "${value}"`,
      );
    }
    return [start, stop];
  };
}
