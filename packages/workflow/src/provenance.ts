import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { MissingFileError } from "./errors.js";

/** sha256 (hex) of a file's content, streamed. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/**
 * sha256 of declared files (relative to `workdir` unless absolute). Throws {@link MissingFileError}
 * for the first missing one.
 */
export async function hashDeclared(
  kind: "input" | "output",
  paths: readonly string[],
  workdir: string,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const p of paths) {
    const full = isAbsolute(p) ? p : join(workdir, p);
    if (!existsSync(full)) throw new MissingFileError(kind, full);
    out[p] = await sha256File(full);
  }
  return out;
}

/** sha256 of an environment: `KEY=value` lines sorted by key. */
export function envDigest(env: Record<string, string | undefined>): string {
  const hash = createHash("sha256");
  for (const key of Object.keys(env).sort()) {
    const v = env[key];
    if (v !== undefined) hash.update(`${key}=${v}\n`);
  }
  return hash.digest("hex");
}
