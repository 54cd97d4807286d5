/** Provenance of a validation run: package versions and checksums (or sizes and times) of the inputs. */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** Files up to this size are hashed; larger ones (and folders above it) are recorded by size and mtime. */
export const HASH_LIMIT_BYTES = 64 * 1024 * 1024;

/** What is recorded about one input file or folder. */
export interface InputRecord {
  path: string;
  kind: "file" | "directory" | "missing";
  bytes?: number;
  /** Files in a folder. */
  files?: number;
  /** Latest modification time (ISO). */
  mtime?: string;
  /** sha256 of the file, or of a folder's sorted (relative path, sha256) list; absent above the limit. */
  sha256?: string;
}

/** sha256 of a file's bytes (streamed). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function walk(dir: string, out: string[] = []): Promise<string[]> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Describe an input: sha256 when small enough, else size and mtime; folders (zarr groups) as a whole. */
export async function describeInput(path: string, limit = HASH_LIMIT_BYTES): Promise<InputRecord> {
  const s = await stat(path).catch(() => undefined);
  if (!s) return { path, kind: "missing" };
  if (!s.isDirectory()) {
    const rec: InputRecord = { path, kind: "file", bytes: s.size, mtime: s.mtime.toISOString() };
    if (s.size <= limit) rec.sha256 = await sha256File(path);
    return rec;
  }
  const files = (await walk(path)).sort();
  let bytes = 0;
  let mtime = s.mtimeMs;
  const stats = await Promise.all(files.map((f) => stat(f)));
  for (const fs of stats) {
    bytes += fs.size;
    mtime = Math.max(mtime, fs.mtimeMs);
  }
  const rec: InputRecord = {
    path,
    kind: "directory",
    bytes,
    files: files.length,
    mtime: new Date(mtime).toISOString(),
  };
  if (bytes <= limit) {
    const hash = createHash("sha256");
    for (const f of files) hash.update(`${relative(path, f)}\0${await sha256File(f)}\n`);
    rec.sha256 = hash.digest("hex");
  }
  return rec;
}

/** Version of an installed package, found by walking up node_modules from this module; "unknown" if absent. */
export function packageVersion(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const own = join(dir, "package.json");
    if (existsSync(own)) {
      try {
        const p = JSON.parse(readFileSync(own, "utf8")) as { name?: string; version?: string };
        if (p.name === name) return p.version ?? "unknown";
      } catch {}
    }
    const dep = join(dir, "node_modules", name, "package.json");
    if (existsSync(dep)) {
      try {
        return (JSON.parse(readFileSync(dep, "utf8")) as { version?: string }).version ?? "unknown";
      } catch {}
    }
    const up = dirname(dir);
    if (up === dir) return "unknown";
    dir = up;
  }
}

/** Versions of the packages a run depends on. */
export function runVersions(): Record<string, string> {
  const names = [
    "@tessera/validate",
    "@tessera/cosmology",
    "@tessera/halo",
    "vega",
    "vega-lite",
    "zod",
    "yaml",
  ];
  return { node: process.version, ...Object.fromEntries(names.map((n) => [n, packageVersion(n)])) };
}
