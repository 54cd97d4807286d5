import { mkdirSync, readdirSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { parseRun } from "./block-run.js";
import { SegmentBlockError } from "./errors.js";
import { LookupWriter, lookupFile, openLookup, readLookup, readLookupRange } from "./lookup-file.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

/** A run whose graph folder (where the lookup lives) exists. */
function runIn(folder: string) {
  mkdirSync(folder, { recursive: true });
  return parseRun({
    boundaries: "b",
    fragments: "f",
    graph: folder,
    segmentation: "s",
    blockShape: [1, 1, 1],
  });
}

describe("agglomeration lookup file", () => {
  // ids in two clusters (like two blocks' id ranges), two tables
  const ids = Float64Array.from([3, 4, 5, 9, 2 ** 21 + 1, 2 ** 21 + 2, 2 ** 33 + 7]);
  const tables = [ids.map((_, k) => 1 + (k % 3)), ids.map((_, k) => 1 + k)];

  it("streams ids and tables to the file, readable whole or by id range", async () => {
    const run = runIn(join(tmp.path, "a"));
    const writer = new LookupWriter(lookupFile(run), ids, 2);
    for (const t of tables) for (const s of t) writer.push(s);
    writer.commit();
    const whole = await readLookup(run);
    expect([...whole.ids]).toEqual([...ids]);
    expect(whole.tables.map((t) => [...t])).toEqual(tables.map((t) => [...t]));
    for (const [min, max, k] of [
      [0, 100, 0],
      [4, 9, 1],
      [5, 5, 0],
      [6, 8, 1], // no id in range
      [2 ** 21, 2 ** 34, 1],
      [2 ** 40, 2 ** 41, 0],
    ]) {
      const part = await readLookupRange(run, k, min, max);
      const picked = [...ids.keys()].filter((i) => ids[i] >= min && ids[i] <= max);
      expect([...part.ids]).toEqual(picked.map((i) => ids[i]));
      expect([...part.segments]).toEqual(picked.map((i) => tables[k][i]));
    }
    await expect(readLookupRange(run, 2, 0, 10)).rejects.toThrow(/threshold index out of range/);
    // several tables at once (relabel --thresholds): the ids once, each table's part in the order asked
    const reader = await openLookup(run, [1, 0]);
    try {
      const part = await reader.ranges(4, 2 ** 21 + 1);
      expect([...part.ids]).toEqual([4, 5, 9, 2 ** 21 + 1]);
      expect(part.segments.map((t) => [...t])).toEqual([
        [...tables[1].slice(1, 5)],
        [...tables[0].slice(1, 5)],
      ]);
    } finally {
      await reader.close();
    }
    await expect(openLookup(run, [0, 2])).rejects.toThrow(/threshold index out of range/);
  });

  it("leaves the previous lookup in place when a write is aborted or incomplete", async () => {
    const run = runIn(join(tmp.path, "b"));
    const first = new LookupWriter(lookupFile(run), ids, 1);
    for (const s of tables[0]) first.push(s);
    first.commit();
    const aborted = new LookupWriter(lookupFile(run), Float64Array.of(1, 2), 1);
    aborted.push(7);
    aborted.abort();
    const incomplete = new LookupWriter(lookupFile(run), Float64Array.of(1, 2), 1);
    incomplete.push(7);
    expect(() => incomplete.commit()).toThrow(SegmentBlockError);
    expect([...(await readLookup(run)).tables[0]]).toEqual([...tables[0]]);
    expect(readdirSync(run.graph)).toEqual(["lookup.bin"]);
  });

  it("reports a missing or truncated lookup as a typed error naming the file", async () => {
    const run = runIn(join(tmp.path, "c"));
    await expect(readLookupRange(run, 0, 0, 1)).rejects.toThrow(/lookup is missing/);
    const writer = new LookupWriter(lookupFile(run), ids, 1);
    for (const s of tables[0]) writer.push(s);
    writer.commit();
    truncateSync(lookupFile(run), 8 + 8 * ids.length + 8);
    await expect(readLookup(run)).rejects.toThrow(SegmentBlockError);
    await expect(readLookupRange(run, 0, 0, 10)).rejects.toThrow(lookupFile(run));
    writeFileSync(lookupFile(run), "x");
    await expect(readLookupRange(run, 0, 0, 10)).rejects.toThrow(/truncated or corrupt/);
  });
});
