// Corrupt, truncated, foreign and unknown-filter files (copies of the reference samples, changed
// here byte by byte at offsets computed from the format's layout) raise the typed errors, naming
// the file, rank, variable and block.
import { copyFileSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sharedData, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { HaloError } from "../errors.js";
import { Crc64, crc64Trailer } from "./crc64.js";
import {
  CrcMismatchError,
  GenericIOFormatError,
  GenericIORequestError,
  MissingFileError,
  NotGenericIOError,
  TruncatedFileError,
  UnknownFilterError,
} from "./errors.js";
import { openGenericIO } from "./read.js";

const data = sharedData("cosmo/genericio");
const tmp = tempDir("tessera-gio-errors-");
afterAll(() => tmp.cleanup());

let copies = 0;
function copy(name: string): string {
  const path = join(tmp.path, `${copies++}-${name}`);
  copyFileSync(join(data.path, name), path);
  return path;
}

function patch(path: string, edit: (bytes: Uint8Array, view: DataView) => void): void {
  const bytes = new Uint8Array(readFileSync(path));
  edit(bytes, new DataView(bytes.buffer));
  writeFileSync(path, bytes);
}

const u64 = (v: DataView, at: number) => Number(v.getBigUint64(at, true));

/** Start of (rank index r, variable j) in a non-blocked little-endian file, from the layout. */
function plainBlock(bytes: Uint8Array, r: number, j: number): { start: number; size: number } {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  const [varsSize, varsStart, ranksStart] = [u64(v, 56), u64(v, 64), u64(v, 88)];
  const rows = u64(v, ranksStart + r * 48 + 24);
  let start = u64(v, ranksStart + r * 48 + 32);
  for (let k = 0; k < j; k++) start += rows * u64(v, varsStart + k * varsSize + 264) + 8;
  return { start, size: rows * u64(v, varsStart + j * varsSize + 264) };
}

/** Recompute the header CRC trailer after editing the header (to reach the data checks). */
function resealHeader(bytes: Uint8Array, view: DataView): void {
  const headerSize = u64(view, 8);
  bytes.set(crc64Trailer(new Crc64().update(bytes.subarray(0, headerSize))), headerSize);
}

describe.skipIf(!data.available)("GenericIO typed errors", () => {
  it("a flipped byte in a data block: CrcMismatchError naming file, rank, variable, block", async () => {
    const path = copy("plain2.gio");
    let at = 0;
    patch(path, (bytes) => {
      const b = plainBlock(bytes, 1, 4); // rank 1, variable vy
      at = b.start + 123;
      bytes[at] ^= 0x40;
    });
    const file = await openGenericIO(path);
    await file.readColumn("vy", { rank: 0 }); // other blocks stay readable
    const e = await file.readColumn("vy", { rank: 1 }).catch((x) => x);
    expect(e).toBeInstanceOf(CrcMismatchError);
    expect(e).toBeInstanceOf(HaloError);
    expect(e.path).toBe(path);
    expect(e.rank).toBe(1);
    expect(e.variable).toBe("vy");
    expect(e.block).toBe(1 * 9 + 4);
    expect(e.message).toContain('variable "vy" of rank 1');
    expect(e.location.offset).toBeLessThanOrEqual(at);
    await expect(file.readColumn("vy")).rejects.toThrow(CrcMismatchError);
    await file.close();
    // without verification the (corrupt) value is returned
    const unchecked = await openGenericIO(path, { verifyCrc: false });
    const clean = await openGenericIO(join(data.path, "plain2.gio"));
    const a = await unchecked.readColumn("vy", { rank: 1 });
    const b = await clean.readColumn("vy", { rank: 1 });
    expect(a).not.toEqual(b);
    await Promise.all([unchecked.close(), clean.close()]);
  });

  it("a flipped byte in the header: CrcMismatchError at open", async () => {
    const path = copy("blocks2.gio");
    patch(path, (bytes) => {
      bytes[140] ^= 1; // inside PhysScale
    });
    const e = await openGenericIO(path).catch((x) => x);
    expect(e).toBeInstanceOf(CrcMismatchError);
    expect(e.location.what).toBe("header");
    expect(e.path).toBe(path);
    expect(e.message).toContain("header");
  });

  it("BLOSC: a flipped compressed byte and a wrong OrigCRC are both caught", async () => {
    const path = copy("blosc2.gio");
    const bytes = new Uint8Array(readFileSync(path));
    const view = new DataView(bytes.buffer);
    const blocksStart = u64(view, 160);
    const k = 1 * 9 + 7; // rank 1, variable id
    const start = u64(view, blocksStart + k * 48 + 32);
    const size = u64(view, blocksStart + k * 48 + 40);
    patch(path, (b) => {
      b[start + 30] ^= 0x10;
    });
    const e1 = await openGenericIO(path)
      .then((f) => f.readColumn("id", { rank: 1 }).finally(() => f.close()))
      .catch((x) => x);
    expect(e1).toBeInstanceOf(CrcMismatchError);
    expect([e1.rank, e1.variable, e1.block, e1.location.what]).toEqual([1, "id", k, "block"]);
    // restore, then change OrigCRC and re-seal the block trailer: the decompressed check fires
    const path2 = copy("blosc2.gio");
    patch(path2, (b) => {
      b[start] ^= 0xff;
      b.set(crc64Trailer(new Crc64().update(b.subarray(start, start + size))), start + size);
    });
    const e2 = await openGenericIO(path2)
      .then((f) => f.readColumn("id", { rank: 1 }).finally(() => f.close()))
      .catch((x) => x);
    expect(e2).toBeInstanceOf(CrcMismatchError);
    expect([e2.rank, e2.variable, e2.location.what]).toEqual([1, "id", "decompressed"]);
  });

  it("truncated files: TruncatedFileError (inside the header, inside the data)", async () => {
    const full = readFileSync(join(data.path, "plain2.gio")).length;
    for (const length of [full - 1, full - 5000, 3000, 100]) {
      const path = copy("plain2.gio");
      truncateSync(path, length);
      const e = await openGenericIO(path).catch((x) => x);
      expect(e, `length ${length}`).toBeInstanceOf(TruncatedFileError);
      expect(e.path).toBe(path);
    }
    const path = copy("blocks2.gio");
    truncateSync(path, readFileSync(path).length - 10);
    const e = await openGenericIO(path).catch((x) => x);
    expect(e).toBeInstanceOf(TruncatedFileError);
    expect(e.field).toBe("rank 1 variable mask");
  });

  it("foreign files: NotGenericIOError", async () => {
    const cases: [string, Uint8Array][] = [
      ["empty", new Uint8Array(0)],
      ["text", new TextEncoder().encode("# x y z\n1 2 3\n".repeat(20))],
      ["png", Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Uint8Array(300)])],
      ["short magic", new TextEncoder().encode("HACC01")],
      ["other version", new TextEncoder().encode(`HACC02L\0${"\0".repeat(300)}`)],
    ];
    for (const [name, bytes] of cases) {
      const path = join(tmp.path, `foreign-${name}`);
      writeFileSync(path, bytes);
      const e = await openGenericIO(path).catch((x) => x);
      expect(e, name).toBeInstanceOf(NotGenericIOError);
      expect(e.field).toBe("magic");
    }
  });

  it("an unknown filter: UnknownFilterError when the block is read", async () => {
    const path = copy("blocks2.gio");
    patch(path, (bytes, view) => {
      const k = 0 * 9 + 2; // rank 0, variable z
      bytes.set(new TextEncoder().encode("ZSTD"), u64(view, 160) + k * 48);
      resealHeader(bytes, view);
    });
    const file = await openGenericIO(path);
    expect(file.compressed).toBe(true);
    await file.readColumn("x", { rank: 0 });
    const e = await file.readColumn("z", { rank: 0 }).catch((x) => x);
    expect(e).toBeInstanceOf(UnknownFilterError);
    expect(e).toBeInstanceOf(GenericIOFormatError);
    expect(e.found).toBe("ZSTD");
    expect(e.field).toBe("rank 0 variable z filters");
    expect(e.block).toBe(2);
    await file.close();
  });

  it("a variable type the format does not define: GenericIOFormatError at open", async () => {
    const path = copy("plain1.gio");
    patch(path, (bytes, view) => {
      view.setBigUint64(168 + 256 + 16, 2n, true); // x: float with ElementSize 2
      resealHeader(bytes, view);
    });
    await expect(openGenericIO(path)).rejects.toThrow(GenericIOFormatError);
  });

  it("unknown variables and ranks: GenericIORequestError", async () => {
    const file = await openGenericIO(join(data.path, "plain2.gio"));
    await expect(file.readColumn("nope")).rejects.toThrow(GenericIORequestError);
    await expect(file.readColumn("x", { rank: 7 })).rejects.toThrow(GenericIORequestError);
    await file.close();
  });

  it("split files: a missing partition file fails at open", async () => {
    const path = copy("part4.gio");
    copyFileSync(join(data.path, "part4.gio#227"), `${path}#227`);
    const missing = await openGenericIO(path).catch((x) => x);
    expect(missing).toBeInstanceOf(MissingFileError);
    expect(missing.path).toBe(`${path}#228`);
    await expect(openGenericIO(join(tmp.path, "absent.gio"))).rejects.toThrow(MissingFileError);
    copyFileSync(join(data.path, "part4.gio#228"), `${path}#228`);
    const file = await openGenericIO(path);
    expect(file.partitionFiles).toEqual([`${path}#227`, `${path}#228`]);
    expect(file.ranks.map((r) => [r.rank, r.path.slice(-4)])).toEqual([
      [0, "#227"],
      [1, "#228"],
      [2, "#227"],
      [3, "#228"],
    ]);
    await file.close();
  });
});
