// writeGenericIO: round trips through openGenericIO for every mode (plain, blocked, BLOSC; little
// and big endian; both header generations; all types and vectors; empty ranks), and an independent
// check of the bytes written: a walk of the header written here from the format's layout, every
// CRC-64 trailer recomputed with a bitwise CRC-64/XZ written here, BLOSC frames decoded by
// Python's C-Blosc binding and plain columns read back by numpy.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runPython, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { GenericIOWriteError } from "./errors.js";
import type { GenericIOArray, GenericIOType } from "./format.js";
import { openGenericIO } from "./read.js";
import {
  type GenericIORankInput,
  type GenericIOVariableSpec,
  type WriteGenericIOOptions,
  writeGenericIO,
} from "./write.js";

const MASK = (1n << 64n) - 1n;

/** Bitwise CRC-64/XZ (reflected 0xC96C5795D7870F42, init/xorout all ones); check value below. */
function bitwiseCrc64(bytes: Uint8Array): bigint {
  let crc = MASK;
  for (const b of bytes) {
    crc ^= BigInt(b);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ 0xc96c5795d7870f42n : crc >> 1n;
  }
  return crc ^ MASK;
}

/** Pseudo-random bytes (xorshift32): incompressible. */
function xorshiftBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed * 2654435761 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x >>> 24;
  }
  return out;
}

const tmp = tempDir("tessera-gio-write-");
afterAll(() => tmp.cleanup());

const TYPES: GenericIOType[] = ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64"];

function column(type: GenericIOType, n: number, seed: number): GenericIOArray {
  const values = Array.from({ length: n }, (_, i) => ((i * 7919 + seed * 104729) % 2001) - 1000);
  switch (type) {
    case "i8":
      return Int8Array.from(values, (v) => v % 128);
    case "i16":
      return Int16Array.from(values, (v) => v * 30);
    case "i32":
      return Int32Array.from(values, (v) => v * 2_000_000);
    case "i64":
      return BigInt64Array.from(values, (v) => BigInt(v) * 9_000_000_000_000_000n + 123n);
    case "u8":
      return Uint8Array.from(values, (v) => v & 0xff);
    case "u16":
      return Uint16Array.from(values, (v) => (v * 65) & 0xffff);
    case "u32":
      return Uint32Array.from(values, (v) => (v * 4_000_000) >>> 0);
    case "u64":
      return BigUint64Array.from(values, (v) => (BigInt(v + 1000) * 18_000_000_000_000_000n) & MASK);
    case "f32":
      return Float32Array.from(values, (v) => v / 3 + 0.1);
    case "f64":
      return Float64Array.from(values, (v) => v / 7 - 1e-300);
  }
}

const VARIABLES: GenericIOVariableSpec[] = [
  ...TYPES.map((type) => ({ name: `c_${type}`, type })),
  {
    name: "pos",
    type: "f32" as const,
    elementCount: 4,
    flags: { isPhysCoordX: true, isPhysCoordY: true, isPhysCoordZ: true },
  },
  { name: "idx", type: "i64" as const, elementCount: 3, flags: { maybePhysGhost: true } },
];

function ranks(rows: number[], vars: readonly GenericIOVariableSpec[] = VARIABLES): GenericIORankInput[] {
  return rows.map((n, r) => ({
    rank: 10 + r,
    coords: [r % 2, r >> 1, 0] as [number, number, number],
    columns: Object.fromEntries(
      vars.map((v, j) => [v.name, column(v.type, n * (v.elementCount ?? 1), r * 31 + j)]),
    ),
  }));
}

/**
 * Walk a written file from the layout (not from our reader): check the header's CRC and each
 * block's trailer with the bitwise CRC; return the blocks (start, size, filters) in file order.
 */
function independentWalk(bytes: Uint8Array) {
  const little = String.fromCharCode(...bytes.subarray(0, 7)) === "HACC01L";
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  const u = (at: number) => Number(v.getBigUint64(at, little));
  const headerSize = u(8);
  const trailer = (at: number) => new DataView(bytes.buffer, bytes.byteOffset + at, 8).getBigUint64(0, true);
  expect(trailer(headerSize)).toBe(bitwiseCrc64(bytes.subarray(0, headerSize)) ^ MASK);
  const [nVars, varsSize, varsStart, nRanks, ranksStart, ghSize] = [u(48), u(56), u(64), u(72), u(88), u(96)];
  const blocked = ghSize >= 168 && u(152) > 0;
  const sizes = Array.from({ length: nVars }, (_, j) => u(varsStart + j * varsSize + 264));
  const blocks: { start: number; size: number; filter: string }[] = [];
  for (let r = 0; r < nRanks; r++) {
    const rows = u(ranksStart + r * 48 + 24);
    let at = u(ranksStart + r * 48 + 32);
    for (let j = 0; j < nVars; j++) {
      if (blocked) {
        const bh = u(160) + (r * nVars + j) * 48;
        const filter = String.fromCharCode(...bytes.subarray(bh, bh + 8)).replace(/\0+$/, "");
        blocks.push({ start: u(bh + 32), size: u(bh + 40), filter });
      } else {
        blocks.push({ start: at, size: rows * sizes[j], filter: "" });
        at += rows * sizes[j] + 8;
      }
    }
  }
  let end = headerSize + 8;
  for (const b of blocks) {
    expect(b.start).toBe(end);
    expect(trailer(b.start + b.size)).toBe(bitwiseCrc64(bytes.subarray(b.start, b.start + b.size)) ^ MASK);
    end = b.start + b.size + 8;
  }
  expect(end).toBe(bytes.length);
  return { blocks, little, nRanks, nVars };
}

async function roundTrip(name: string, options: Partial<WriteGenericIOOptions>, rows = [5, 0, 17]) {
  const vars = options.variables ?? VARIABLES;
  const input = ranks(rows, vars);
  const path = join(tmp.path, name);
  const result = await writeGenericIO(path, {
    variables: vars,
    ranks: input,
    physOrigin: [1, 2, 3],
    physScale: [256, 128, 64.5],
    dims: [2, 2, 1],
    ...options,
  });
  const bytes = new Uint8Array(readFileSync(path));
  expect(result.bytes).toBe(bytes.length);
  const walk = independentWalk(bytes);
  const file = await openGenericIO(path);
  try {
    expect(file.physOrigin).toEqual([1, 2, 3]);
    expect(file.physScale).toEqual([256, 128, 64.5]);
    expect(file.dims).toEqual([2, 2, 1]);
    expect(file.ranks.map((r) => r.rank)).toEqual(rows.map((_, r) => 10 + r));
    expect(file.ranks.map((r) => r.coords)).toEqual(input.map((r) => r.coords));
    expect(file.totalRows).toBe(rows.reduce((a, b) => a + b, 0));
    for (const v of vars) {
      const info = file.variable(v.name);
      expect(info.type).toBe(v.type);
      expect(info.elementCount).toBe(v.elementCount ?? 1);
      expect(info.flags).toEqual({
        isPhysCoordX: false,
        isPhysCoordY: false,
        isPhysCoordZ: false,
        maybePhysGhost: false,
        ...v.flags,
      });
      for (let r = 0; r < rows.length; r++) {
        expect(await file.readColumn(v.name, { rank: 10 + r })).toEqual(input[r].columns[v.name]);
      }
    }
  } finally {
    await file.close();
  }
  return { path, bytes, walk, input };
}

describe("writeGenericIO", () => {
  it("plain, little-endian: round trip, independent CRCs, numpy reads the columns", async () => {
    const { path, walk, input } = await roundTrip("plain-le.gio", {});
    expect(walk.little).toBe(true);
    // numpy at the offsets of the independent walk: c_f64 of rank 2 and idx (vector) of rank 0
    const j64 = VARIABLES.findIndex((v) => v.name === "c_f64");
    const jIdx = VARIABLES.findIndex((v) => v.name === "idx");
    const b64 = walk.blocks[2 * VARIABLES.length + j64];
    const bIdx = walk.blocks[jIdx];
    const out = runPython(
      `import numpy as np, sys, json
a = np.fromfile(sys.argv[1], dtype='<f8', count=${b64.size / 8}, offset=${b64.start})
b = np.fromfile(sys.argv[1], dtype='<i8', count=${bIdx.size / 8}, offset=${bIdx.start})
print(json.dumps([a.tobytes().hex(), [str(x) for x in b]]))`,
      [path],
    );
    const [hex, ids] = JSON.parse(out);
    expect(hex).toBe(Buffer.from((input[2].columns.c_f64 as Float64Array).buffer).toString("hex"));
    expect(ids).toEqual([...(input[0].columns.idx as BigInt64Array)].map(String));
  });

  it("plain, big-endian: magic HACC01B, header and values big-endian", async () => {
    const { bytes, walk, input } = await roundTrip("plain-be.gio", { byteOrder: "big" });
    expect(walk.little).toBe(false);
    const b = walk.blocks[VARIABLES.findIndex((v) => v.name === "c_i32")];
    const first = new DataView(bytes.buffer, bytes.byteOffset + b.start).getInt32(0, false);
    expect(first).toBe((input[0].columns.c_i32 as Int32Array)[0]);
  });

  it("blocked, both byte orders", async () => {
    for (const byteOrder of ["little", "big"] as const) {
      const { walk } = await roundTrip(`blocked-${byteOrder}.gio`, { blocked: true, byteOrder });
      expect(walk.blocks.every((b) => b.filter === "")).toBe(true);
    }
  });

  it("BLOSC: compressible blocks carry the filter, C-Blosc (python) decodes them to the data", async () => {
    const vars: GenericIOVariableSpec[] = [
      { name: "x", type: "f32" },
      { name: "id", type: "i64" },
      { name: "noise", type: "u8" },
    ];
    const rows = 5000;
    const input: GenericIORankInput[] = [0, 1].map((r) => ({
      columns: {
        x: Float32Array.from({ length: rows }, (_, i) => 28 + 3 * i + r),
        id: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i) * 1000n + BigInt(r)),
        noise: xorshiftBytes(rows, r + 1),
      },
    }));
    for (const byteOrder of ["little", "big"] as const) {
      const path = join(tmp.path, `blosc-${byteOrder}.gio`);
      await writeGenericIO(path, { variables: vars, ranks: input, compress: true, byteOrder });
      const bytes = new Uint8Array(readFileSync(path));
      const walk = independentWalk(bytes);
      // x and id compress; random bytes do not and are stored raw, as the reference writer does
      expect(walk.blocks.map((b) => b.filter)).toEqual(["BLOSC", "BLOSC", "", "BLOSC", "BLOSC", ""]);
      const file = await openGenericIO(path);
      expect(file.compressed).toBe(true);
      for (const v of vars)
        expect(await file.readColumn(v.name, { rank: 1 })).toEqual(input[1].columns[v.name]);
      await file.close();
      const b = walk.blocks[0];
      // payload = OrigCRC (file byte order) + blosc1 frame
      const out = runPython(
        `import blosc, sys
d = open(sys.argv[1], 'rb').read()[${b.start}:${b.start + b.size}]
print(d[:8].hex(), blosc.decompress(d[8:]).hex())`,
        [path],
      ).trim();
      const [orig, decoded] = out.split(" ");
      const raw = Buffer.from(decoded, "hex");
      if (byteOrder === "little")
        expect(raw.equals(Buffer.from((input[0].columns.x as Float32Array).buffer))).toBe(true);
      const crc = bitwiseCrc64(new Uint8Array(raw));
      const stored = Buffer.from(orig, "hex");
      expect(byteOrder === "little" ? stored.readBigUInt64LE() : stored.readBigUInt64BE()).toBe(crc);
    }
  });

  it("first-generation headers (152/272 bytes) round trip; they refuse blocks and vectors", async () => {
    const vars = VARIABLES.filter((v) => (v.elementCount ?? 1) === 1);
    const { bytes } = await roundTrip("v1.gio", { variables: vars, headerVersion: 1 });
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    expect(Number(v.getBigUint64(96, true))).toBe(152);
    expect(Number(v.getBigUint64(56, true))).toBe(272);
    const file = await openGenericIO(join(tmp.path, "v1.gio"));
    expect(file.headerSizes).toEqual({ global: 152, variable: 272 });
    await file.close();
    await roundTrip("v1-be.gio", { variables: vars, headerVersion: 1, byteOrder: "big" });
    await expect(
      writeGenericIO(join(tmp.path, "x.gio"), {
        variables: vars,
        ranks: [],
        headerVersion: 1,
        blocked: true,
      }),
    ).rejects.toThrow(GenericIOWriteError);
    await expect(
      writeGenericIO(join(tmp.path, "x.gio"), { variables: VARIABLES, ranks: [], headerVersion: 1 }),
    ).rejects.toThrow(GenericIOWriteError);
  });

  it("lazy ranks are produced one at a time", async () => {
    const calls: number[] = [];
    const vars: GenericIOVariableSpec[] = [{ name: "a", type: "u32" }];
    const path = join(tmp.path, "lazy.gio");
    await writeGenericIO(path, {
      variables: vars,
      ranks: [0, 1, 2].map((r) => async () => {
        calls.push(r);
        return { columns: { a: Uint32Array.from({ length: 10 + r }, (_, i) => i * r) } };
      }),
    });
    expect(calls).toEqual([0, 1, 2]);
    const file = await openGenericIO(path);
    expect(file.ranks.map((r) => r.rows)).toEqual([10, 11, 12]);
    expect([...(await file.readColumn("a"))].slice(-3)).toEqual([18, 20, 22]);
    await file.close();
  });

  it("bad input: typed errors, nothing left at the path or beside it", async () => {
    const dir = join(tmp.path, "bad");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir);
    const path = join(dir, "bad.gio");
    const vars: GenericIOVariableSpec[] = [
      { name: "a", type: "f32" },
      { name: "b", type: "i64" },
    ];
    const cases: Partial<WriteGenericIOOptions>[] = [
      { ranks: [{ columns: { a: new Float32Array(3), b: new BigInt64Array(4) } }] },
      { ranks: [{ columns: { a: new Float64Array(3), b: new BigInt64Array(3) } }] },
      { ranks: [{ columns: { a: new Float32Array(3) } }] },
      {
        ranks: [{ columns: { a: new Float32Array(3), b: new BigInt64Array(3) } }],
        variables: [...vars, { name: "a", type: "u8" }],
      },
      { ranks: [], variables: [{ name: "x".repeat(256), type: "u8" }] },
      { ranks: [], physScale: [1, 2] as unknown as [number, number, number] },
    ];
    for (const c of cases) {
      await expect(writeGenericIO(path, { variables: vars, ranks: [], ...c })).rejects.toThrow(
        GenericIOWriteError,
      );
    }
    // an error raised by a lazy rank after some data was written
    await expect(
      writeGenericIO(path, {
        variables: vars,
        ranks: [
          { columns: { a: new Float32Array(3), b: new BigInt64Array(3) } },
          () => {
            throw new Error("producer failed");
          },
        ],
      }),
    ).rejects.toThrow("producer failed");
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
