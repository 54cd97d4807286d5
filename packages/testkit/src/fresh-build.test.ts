import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertFreshBuilds, staleBuilds, writeSourceDigest } from "./fresh-build.js";
import { tempDir } from "./temp-dir.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

/** A package folder with one nested source and one test; built (digest recorded) when `built`. */
function fakePackage(name: string, built: boolean): string {
  const dir = join(tmp.path, name);
  mkdirSync(join(dir, "src", "deep"), { recursive: true });
  writeFileSync(join(dir, "src", "deep", "a.ts"), "export const a = 1;");
  writeFileSync(join(dir, "src", "a.test.ts"), "// tests do not count");
  if (built) {
    mkdirSync(join(dir, "dist"));
    writeFileSync(join(dir, "dist", "index.js"), "");
    writeSourceDigest(dir);
  }
  return dir;
}

describe("staleBuilds", () => {
  it("names packages whose dist is missing or built from other (nested) sources, ignoring tests", () => {
    const fresh = fakePackage("fresh", true);
    const stale = fakePackage("stale", true);
    writeFileSync(join(stale, "src", "deep", "a.ts"), "export const a = 2;");
    const unbuilt = fakePackage("unbuilt", false);
    expect(staleBuilds([fresh, stale, unbuilt])).toEqual([stale, unbuilt]);
    expect(() => assertFreshBuilds([fresh])).not.toThrow();
    expect(() => assertFreshBuilds([fresh, stale])).toThrow(/stale.*npm run build/);
  });

  it("ignores modification times: a dist restored with an old mtime (as nx's cache does) is fresh", () => {
    const restored = fakePackage("restored", true);
    utimesSync(join(restored, "dist", "index.js"), 1000, 1000);
    writeFileSync(join(restored, "src", "a.test.ts"), "// a test edit does not make the build stale");
    expect(staleBuilds([restored])).toEqual([]);
  });
});
