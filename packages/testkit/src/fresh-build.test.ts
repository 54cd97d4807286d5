import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertFreshBuilds, staleBuilds } from "./fresh-build.js";
import { tempDir } from "./temp-dir.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

/** A package folder whose newest source and whose dist/index.js have the given mtimes (seconds). */
function fakePackage(name: string, sourceTime: number, distTime?: number): string {
  const dir = join(tmp.path, name);
  mkdirSync(join(dir, "src", "deep"), { recursive: true });
  writeFileSync(join(dir, "src", "deep", "a.ts"), "export const a = 1;");
  utimesSync(join(dir, "src", "deep", "a.ts"), sourceTime, sourceTime);
  writeFileSync(join(dir, "src", "a.test.ts"), "// tests do not count");
  utimesSync(join(dir, "src", "a.test.ts"), sourceTime + 100, sourceTime + 100);
  if (distTime !== undefined) {
    mkdirSync(join(dir, "dist"));
    writeFileSync(join(dir, "dist", "index.js"), "");
    utimesSync(join(dir, "dist", "index.js"), distTime, distTime);
  }
  return dir;
}

describe("staleBuilds", () => {
  it("names packages whose dist is missing or older than a (nested) source, ignoring tests", () => {
    const fresh = fakePackage("fresh", 1000, 2000);
    const stale = fakePackage("stale", 3000, 2000);
    const unbuilt = fakePackage("unbuilt", 1000);
    expect(staleBuilds([fresh, stale, unbuilt])).toEqual([stale, unbuilt]);
    expect(() => assertFreshBuilds([fresh])).not.toThrow();
    expect(() => assertFreshBuilds([fresh, stale])).toThrow(/stale.*npm run build/);
  });
});
