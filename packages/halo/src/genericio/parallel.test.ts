// readColumns on worker threads: the same values as the single-thread readColumn (reference samples,
// including a split data set, and big-endian/blocked files written here), and the same typed errors
// for a corrupt block and for a file truncated after it was opened.
import { readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sharedData, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { CrcMismatchError, TruncatedFileError } from "./errors.js";
import { openGenericIO } from "./read.js";
import { writeGenericIO } from "./write.js";

const data = sharedData("cosmo/genericio");
const tmp = tempDir("tessera-gio-parallel-");
afterAll(() => tmp.cleanup());

const PARALLEL = { threads: 2, minParallelBytes: 0 };

async function written(name: string, byteOrder: "little" | "big", blocked: boolean): Promise<string> {
  const path = join(tmp.path, name);
  await writeGenericIO(path, {
    variables: [
      { name: "x", type: "f32" },
      { name: "id", type: "i64" },
      { name: "v", type: "f64", elementCount: 3 },
      { name: "m", type: "u16" },
    ],
    ranks: [3000, 0, 4500, 10].map((n, r) => ({
      columns: {
        x: Float32Array.from({ length: n }, (_, i) => i / 7 + r * 1000),
        id: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 1_000_000_007n - BigInt(r)),
        v: Float64Array.from({ length: 3 * n }, (_, i) => Math.sin(i + r)),
        m: Uint16Array.from({ length: n }, (_, i) => (i * 13 + r) & 0xffff),
      },
    })),
    byteOrder,
    blocked,
  });
  return path;
}

describe("GenericIOFile.readColumns on worker threads", () => {
  it("equals readColumn on files written here (big-endian, blocked)", async () => {
    for (const [byteOrder, blocked] of [
      ["big", false],
      ["little", true],
    ] as const) {
      const file = await openGenericIO(await written(`w-${byteOrder}-${blocked}.gio`, byteOrder, blocked));
      const cols = await file.readColumns(undefined, PARALLEL);
      for (const v of file.variables) {
        expect(cols[v.name].buffer).toBeInstanceOf(SharedArrayBuffer);
        expect([...cols[v.name]]).toEqual([...(await file.readColumn(v.name))]);
      }
      await file.close();
    }
  });

  it.skipIf(!data.available)("equals readColumn on the reference samples (plain2, part4 split)", async () => {
    for (const name of ["plain2.gio", "part4.gio", "aos1.gio"]) {
      const file = await openGenericIO(join(data.path, name));
      const cols = await file.readColumns(
        ["x", "id", "mask"].filter((n) => file.variables.some((v) => v.name === n)),
        PARALLEL,
      );
      expect(Object.keys(cols).length).toBeGreaterThan(1);
      for (const [n, col] of Object.entries(cols)) expect([...col]).toEqual([...(await file.readColumn(n))]);
      await file.close();
    }
  });

  it("a corrupt block and a file truncated after opening raise the typed errors", async () => {
    const path = await written("corrupt.gio", "little", false);
    const file = await openGenericIO(path);
    const b = await file.readColumns(["id"], PARALLEL); // clean first
    expect(b.id.length).toBe(7510);
    // flip one byte inside rank 2's x block (rank 2 holds rows 3000…7499 of x, after ranks 0 and 1)
    const bytes = new Uint8Array(readFileSync(path));
    const x = await file.readColumn("x", { rank: 2 });
    const needle = new Uint8Array(x.buffer, x.byteOffset + 400, 16);
    const at = Buffer.from(bytes).indexOf(Buffer.from(needle));
    expect(at).toBeGreaterThan(0);
    bytes[at + 3] ^= 0x80;
    writeFileSync(path, bytes);
    const e = await file.readColumns(["m", "x"], PARALLEL).catch((err) => err);
    expect(e).toBeInstanceOf(CrcMismatchError);
    expect([e.rank, e.variable, e.path]).toEqual([2, "x", path]);
    truncateSync(path, bytes.length - 20);
    const t = await file.readColumns(["m"], PARALLEL).catch((err) => err);
    expect(t).toBeInstanceOf(TruncatedFileError);
    expect(t.field).toBe("rank 3 variable m");
    await file.close();
  });
});
