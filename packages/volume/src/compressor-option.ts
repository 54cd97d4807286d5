import { InvalidArgumentError } from "commander";
import type { CompressorConfig } from "./compressor.js";

/**
 * Parse a `--compressor` value: `none` (or `raw`), `zlib[:level]`, `gzip[:level]` or
 * `blosc[:level]` with a level from 0 to 9 (`zlib:5`). `none` gives the string `"none"` (raw chunks:
 * pass `null` to the API), since commander replaces a parser's `null` by `true`. A bad value throws
 * commander's `InvalidArgumentError`, which the CLI reports as a `UsageError`.
 */
export function compressorOption(value: string): CompressorConfig | "none" {
  const match = /^(none|raw|zlib|gzip|blosc)(?::(\d))?$/.exec(value.trim());
  if (!match || ((match[1] === "none" || match[1] === "raw") && match[2] !== undefined)) {
    throw new InvalidArgumentError(
      `expected none, zlib[:level], gzip[:level] or blosc[:level] with a level from 0 to 9, like zlib:5, got "${value}"`,
    );
  }
  const [, id, levelText] = match;
  const level = levelText === undefined ? undefined : Number(levelText);
  if (id === "none" || id === "raw") return "none";
  if (id === "blosc") return { id, clevel: level };
  return { id: id as "zlib" | "gzip", level };
}
