import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFolderAtomically, populateOrUndo, writeFileAtomic } from "./fs-atomic.js";

let tmp: { path: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir("tessera-atomic-");
});
afterEach(() => tmp.cleanup());

describe("all-or-nothing writes", () => {
  it("createFolderAtomically: a failure half-way leaves nothing at the folder, its missing parents or beside them", async () => {
    const target = join(tmp.path, "a", "b", "site");
    const attempt = createFolderAtomically(target, (staged) => {
      writeFileSync(join(staged, "site.json"), "{}");
      mkdirSync(join(staged, "data"));
      throw new Error("disk full");
    });
    await expect(attempt).rejects.toThrow("disk full");
    expect(readdirSync(tmp.path)).toEqual([]);
    await createFolderAtomically(target, (staged) => writeFileSync(join(staged, "site.json"), "{}"));
    expect(readdirSync(tmp.path)).toEqual(["a"]);
    expect(readdirSync(target)).toEqual(["site.json"]);
  });

  it("populateOrUndo removes only what it added", async () => {
    writeFileSync(join(tmp.path, "keep.txt"), "mine");
    const attempt = populateOrUndo(tmp.path, (dir) => {
      mkdirSync(join(dir, "logs"));
      writeFileSync(join(dir, "new.txt"), "x");
      throw new Error("failed");
    });
    await expect(attempt).rejects.toThrow("failed");
    expect(readdirSync(tmp.path)).toEqual(["keep.txt"]);
    expect(readFileSync(join(tmp.path, "keep.txt"), "utf8")).toBe("mine");
  });

  it("writeFileAtomic replaces a file whole and leaves no temporary file", () => {
    const path = join(tmp.path, "out.json");
    writeFileSync(path, "old");
    writeFileAtomic(path, "new");
    expect(readFileSync(path, "utf8")).toBe("new");
    expect(readdirSync(tmp.path)).toEqual(["out.json"]);
    expect(() => writeFileAtomic(join(tmp.path, "missing", "x.json"), "y")).toThrow(/ENOENT/);
    expect(existsSync(join(tmp.path, "missing"))).toBe(false);
  });
});
