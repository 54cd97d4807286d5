import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import { ExecutableNotFoundError } from "../errors.js";

/**
 * Resolve an executable like the OS would (a path with a slash relative to `cwd`, else on `PATH`).
 * Throws {@link ExecutableNotFoundError}.
 */
export function resolveExecutable(name: string, cwd: string, pathVar: string | undefined): string {
  const ok = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (name.includes("/")) {
    const full = isAbsolute(name) ? name : join(cwd, name);
    if (ok(full)) return full;
    throw new ExecutableNotFoundError(name);
  }
  for (const dir of (pathVar ?? "").split(delimiter)) {
    if (dir && ok(join(dir, name))) return join(dir, name);
  }
  throw new ExecutableNotFoundError(name);
}
