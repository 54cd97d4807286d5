import { InvalidArgumentError } from "commander";

const POWERS: Record<string, number> = { "": 0, k: 1, m: 2, g: 3, t: 4 };

/**
 * Parse a byte count for an option: a number with an optional unit K, M, G or T (powers of 1024;
 * `B`, `iB` after it are allowed), e.g. `500M`, `1.5G`, `2GiB`, `1048576`. Refuses anything else
 * with commander's `InvalidArgumentError` (a usage error) naming an example.
 */
export function byteSize(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(value);
  const bytes = match ? Number(match[1]) * 1024 ** (POWERS[match[2].toLowerCase()] ?? 0) : Number.NaN;
  if (!match || !Number.isFinite(bytes) || bytes < 1) {
    throw new InvalidArgumentError(`expected a size in bytes ≥ 1 like 500M, 2G or 1048576, got "${value}"`);
  }
  return Math.floor(bytes);
}
