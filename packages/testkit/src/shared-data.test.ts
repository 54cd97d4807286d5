import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { repoRoot, sharedData } from "./shared-data.js";

/** A fresh copy of the module evaluated under `env` (its root and strictness are read at import time). */
async function freshSharedData(env: Record<string, string>) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  vi.resetModules();
  try {
    return { module: await import("./shared-data.js") };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe("sharedData", () => {
  it("locates the repository root", () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    expect(pkg.name).toBe("tessera-monorepo");
    expect(fileURLToPath(import.meta.url).startsWith(repoRoot)).toBe(true);
  });

  const readme = sharedData("README.md");
  it.skipIf(!readme.available)("finds the shared data README by its content", () => {
    expect(readFileSync(readme.path, "utf8")).toMatch(/^# Shared test data/);
  });

  it("reports a missing dataset as unavailable, and throws for it under TESSERA_REQUIRE_DATA=1", async () => {
    const lenient = await freshSharedData({ TESSERA_REQUIRE_DATA: "0" });
    const warnings: string[] = [];
    const warn = vi.spyOn(console, "warn").mockImplementation((m: string) => void warnings.push(m));
    try {
      expect(lenient.module.sharedData("no/such/dataset").available).toBe(false);
    } finally {
      warn.mockRestore();
    }
    expect(warnings.join("\n")).toMatch(/SKIPPING: shared dataset missing: .*no\/such\/dataset/);

    const strict = await freshSharedData({ TESSERA_REQUIRE_DATA: "1" });
    expect(() => strict.module.sharedData("no/such/dataset")).toThrow(
      /TESSERA_REQUIRE_DATA=1 forbids skipping/,
    );
  });

  it("honours TESSERA_SHARED_DATA", async () => {
    const { module } = await freshSharedData({ TESSERA_SHARED_DATA: repoRoot });
    const found = module.sharedData("package.json");
    expect(found).toEqual({ path: join(repoRoot, "package.json"), available: true });
    expect(existsSync(found.path)).toBe(true);
  });
});
