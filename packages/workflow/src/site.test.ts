import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { freshSite } from "../test/helpers.js";
import { InvalidFieldError, SiteCorruptError, SiteNotFoundError } from "./errors.js";
import { closeSite, createSite, openSite, registerApp } from "./site.js";
import { SCHEMA_VERSION } from "./sqlite/schema.js";

describe("sites", () => {
  it("creates a WAL database at the current schema version, idempotently", async () => {
    const site = await freshSite();
    const db = new Database(join(site.dir, "tessera.db"), { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
    const again = await createSite(site.dir);
    await closeSite(again);
  });

  it("reports a missing site and a corrupt database with typed errors", async () => {
    const dir = tempDir();
    try {
      await expect(openSite(join(dir.path, "none"))).rejects.toBeInstanceOf(SiteNotFoundError);
      writeFileSync(join(dir.path, "tessera.db"), "this is not a database, just text ".repeat(200));
      const err = await openSite(dir.path).catch((e) => e);
      expect(err).toBeInstanceOf(SiteCorruptError);
      expect(err.message).toContain(join(dir.path, "tessera.db"));
    } finally {
      dir.cleanup();
    }
  });

  it("refuses a database written by a newer schema", async () => {
    const site = await freshSite();
    await closeSite(site);
    const db = new Database(join(site.dir, "tessera.db"));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    await expect(openSite(site.dir)).rejects.toThrow(/newer than this build/);
  });

  it("loads apps with schema and hooks from site.json appModules in another opening", async () => {
    const dir = tempDir();
    try {
      const mod = join(dir.path, "apps.mjs");
      writeFileSync(
        mod,
        `export const hello = { name: "hello", argv: ["echo", "{who}"], hooks: { preprocess() {} } };\n`,
      );
      const site = await createSite(join(dir.path, "site"), { appModules: [mod] });
      expect(site.apps.get("hello")?.hooks?.preprocess).toBeTypeOf("function");
      await registerApp(site, { name: "stored", argv: ["true"], walltimeMs: 1000 });
      await closeSite(site);
      const again = await openSite(join(dir.path, "site"));
      expect([...again.apps.keys()].sort()).toEqual(["hello", "stored"]);
      expect(again.apps.get("stored")?.walltimeMs).toBe(1000);
      await closeSite(again);
    } finally {
      dir.cleanup();
    }
  });

  it("rejects a bad app definition naming the field", async () => {
    const site = await freshSite();
    const err = await registerApp(site, { name: "x", argv: ["true"], walltimeMs: -5 }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidFieldError);
    expect(err.field).toBe("app.walltimeMs");
    expect(err.found).toBe("-5");
    await expect(registerApp(site, { name: "y" })).rejects.toBeInstanceOf(InvalidFieldError);
  });
});
