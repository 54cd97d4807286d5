// The reading API around readColumn: reading into caller arrays, per-rank reads and block
// streaming, checked against whole-column reads of the reference samples.
import { join } from "node:path";
import { sharedData } from "@tessera/testkit";
import { describe, expect, it } from "vitest";
import { GenericIORequestError } from "./errors.js";
import { openGenericIO } from "./read.js";

const data = sharedData("cosmo/genericio");

describe.skipIf(!data.available)("GenericIOFile reading API", () => {
  it("readColumn into a caller's array fills a view of it; wrong arrays are refused", async () => {
    const file = await openGenericIO(join(data.path, "plain2.gio"));
    const whole = await file.readColumn("id");
    const into = new BigInt64Array(whole.length + 10).fill(-1n);
    const got = await file.readColumn("id", { into });
    expect(got.buffer).toBe(into.buffer);
    expect([...got]).toEqual([...whole]);
    expect(into[whole.length]).toBe(-1n);
    const rank1 = await file.readColumn("id", { rank: 1, into });
    expect([...rank1]).toEqual([...whole.subarray(file.ranks[0].rows)]);
    await expect(file.readColumn("id", { into: new Float64Array(5000) })).rejects.toThrow(
      GenericIORequestError,
    );
    await expect(file.readColumn("id", { into: new BigInt64Array(10) })).rejects.toThrow(
      GenericIORequestError,
    );
    await file.close();
  });

  it("readRank and blocks() give each rank's slice of the whole columns", async () => {
    const file = await openGenericIO(join(data.path, "m000-499.haloproperties.blosc"));
    const names = ["fof_halo_tag", "fof_halo_center_x"];
    const whole = await file.readColumns(names);
    let row = 0;
    const seen: string[] = [];
    for await (const block of file.blocks({ variables: names })) {
      seen.push(`${block.rank}:${block.variable.name}`);
      const info = file.ranks.find((r) => r.rank === block.rank)!;
      expect([...block.data]).toEqual([...whole[block.variable.name].slice(row, row + info.rows)]);
      if (block.variable.name === names[names.length - 1]) row += info.rows;
    }
    expect(seen).toEqual(file.ranks.flatMap((r) => names.map((n) => `${r.rank}:${n}`)));
    const rank2 = await file.readRank(2);
    expect(Object.keys(rank2)).toEqual(file.variables.map((v) => v.name));
    expect(rank2.fof_halo_count.length).toBe(file.ranks[2].rows);
    await file.close();
  });
});
