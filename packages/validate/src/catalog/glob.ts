/** File patterns of catalog configs: `*`, `?`, `[…]` and `{a,b}` in any path segment (no `**`). */
import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, resolve, sep } from "node:path";
import { naturalCompare } from "@tessera/volume";

const MAGIC = /[*?[{]/;

/** A regular expression for one glob segment. */
export function segmentRegExp(segment: string): RegExp {
  let re = "";
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      const end = segment.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        const body = segment.slice(i + 1, end).replace(/\\/g, "\\\\");
        re += `[${body.startsWith("!") ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else if (ch === "{") {
      const end = segment.indexOf("}", i + 1);
      if (end < 0) re += "\\{";
      else {
        re += `(?:${segment
          .slice(i + 1, end)
          .split(",")
          .map((s) =>
            s
              .replace(/[.+^$()|\\]/g, "\\$&")
              .replace(/\*/g, "[^/]*")
              .replace(/\?/g, "[^/]"),
          )
          .join("|")})`;
        i = end;
      }
    } else re += ch.replace(/[.+^$()|\\\]}]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/**
 * Paths matching `pattern` (relative to `dir` unless absolute), in natural order (`step2` before
 * `step10`), files and folders alike (a zarr group is a folder). A pattern without wildcards is
 * returned as is when it exists. Hidden entries match only patterns that start with a dot.
 */
export async function expandPattern(dir: string, pattern: string): Promise<string[]> {
  const abs = isAbsolute(pattern) ? pattern : resolve(dir, pattern);
  const parts = abs.split(sep);
  let bases = [parts[0] === "" ? sep : parts[0]];
  for (const part of parts.slice(1)) {
    if (part === "") continue;
    const next: string[] = [];
    for (const base of bases) {
      if (!MAGIC.test(part)) {
        next.push(join(base, part));
        continue;
      }
      const re = segmentRegExp(part);
      const entries = await readdir(base).catch(() => [] as string[]);
      for (const e of entries)
        if (re.test(e) && (part.startsWith(".") || !e.startsWith("."))) next.push(join(base, e));
    }
    bases = next;
  }
  const exists = await Promise.all(
    bases.map((p) =>
      stat(p).then(
        () => true,
        () => false,
      ),
    ),
  );
  return bases.filter((_, i) => exists[i]).sort(naturalCompare);
}
