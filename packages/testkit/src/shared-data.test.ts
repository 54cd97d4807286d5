import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, sharedData } from "./shared-data.js";

describe("sharedData", () => {
  it("locates the repository root", () => {
    expect(existsSync(join(repoRoot, "nx.json"))).toBe(true);
  });
  const readme = sharedData("README.md");
  it.skipIf(!readme.available)("finds the shared data README", () => {
    expect(readme.path.endsWith(join("data", "README.md"))).toBe(true);
  });
});
