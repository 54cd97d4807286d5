/**
 * Option validation shared by the phantom generators: every bad option throws a `RangeError`
 * (or `TypeError` for a wrong type) that names the function, the option, what was expected and
 * what was found.
 */

/** Throw a RangeError naming the option, the expectation and the value found. */
export function optionError(fn: string, option: string, expected: string, found: unknown): RangeError {
  return new RangeError(`${fn}: option "${option}" must be ${expected}, found ${describe(found)}`);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(describe).join(", ")}]`;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "function") return "a function";
  return String(v);
}

/** Require a finite number within [min, max] (either bound optional); returns it. */
export function checkNumber(
  fn: string,
  option: string,
  value: unknown,
  { min = -Infinity, max = Infinity, integer = false, minExclusive = false } = {},
): number {
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (minExclusive ? value > min : value >= min) &&
    value <= max &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const kind = integer ? "an integer" : "a finite number";
    const lo = min === -Infinity ? "" : `${minExclusive ? ">" : "≥"} ${min}`;
    const hi = max === Infinity ? "" : `≤ ${max}`;
    const bounds = [lo, hi].filter(Boolean).join(" and ");
    throw optionError(fn, option, bounds ? `${kind} ${bounds}` : kind, value);
  }
  return value as number;
}

/** Require a tuple of `length` numbers each passing `checkNumber` with the given bounds. */
export function checkTuple(
  fn: string,
  option: string,
  value: unknown,
  length: number,
  bounds: { min?: number; max?: number; integer?: boolean; minExclusive?: boolean } = {},
): number[] {
  if (!Array.isArray(value) || value.length !== length) {
    throw optionError(fn, option, `an array of ${length} numbers`, value);
  }
  value.forEach((v, i) => {
    checkNumber(fn, `${option}[${i}]`, v, bounds);
  });
  return value as number[];
}

/** Require an integer seed (any safe integer). */
export function checkSeed(fn: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw optionError(fn, "seed", "a safe integer", value);
  }
  return value;
}
