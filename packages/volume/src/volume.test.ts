import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { exactIntegers, fullRange, sha256, specialValues } from "../test/full-range.js";
import { Box } from "./box.js";
import type { CompressorConfig } from "./compressor.js";
import { DATA_TYPES, isBigIntDtype } from "./dtype.js";
import {
  BoxOutOfBoundsError,
  CorruptChunkError,
  NotAZarrArrayError,
  PathNotFoundError,
  ShapeMismatchError,
  UnsupportedCompressorError,
  UnsupportedDtypeError,
  type VolumeError,
} from "./errors.js";
import { createGroup, createVolume, openGroup, openVolume } from "./volume.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
let counter = 0;
const fresh = () => join(tmp.path, `a${counter++}.zarr`);

const COMPRESSORS: (CompressorConfig | null)[] = [
  null,
  { id: "zlib", level: 4 },
  { id: "gzip", level: 6 },
  { id: "blosc", cname: "lz4", clevel: 5, shuffle: 1 },
];

describe("createVolume / openVolume", () => {
  for (const dtype of DATA_TYPES) {
    for (const compressor of COMPRESSORS) {
      it(`round-trips ${dtype} over its whole range with ${compressor?.id ?? "no compressor"}`, async () => {
        const shape = [5, 7, 9];
        const path = fresh();
        const volume = await createVolume(path, { shape, chunks: [2, 3, 4], dtype, compressor });
        // min, max, negatives, ±0, NaN, ±Infinity, denormals, 64-bit values beyond 2^53, random bits
        const data = fullRange(dtype, 5 * 7 * 9, 3);
        const written = sha256(data);
        await volume.write(volume.bounds, data);
        const reopened = await openVolume(path);
        expect(reopened.dtype).toBe(dtype);
        expect(reopened.compressor).toEqual(compressor);
        const read = await reopened.read();
        expect(read.shape).toEqual(shape);
        expect(sha256(read.data)).toBe(written);
        expect(sha256(data)).toBe(written); // the write did not touch the caller's array
        if (isBigIntDtype(dtype) || !dtype.startsWith("float")) {
          const specials = specialValues(dtype);
          expect(exactIntegers(read.data, specials.length)).toEqual(specials.map(String));
        }
        // a box crossing chunk borders reads the same values
        const box = new Box([1, 2, 3], [4, 7, 9]);
        const part = (await reopened.read(box)).data;
        for (let z = 1, k = 0; z < 4; z++)
          for (let y = 2; y < 7; y++)
            for (let x = 3; x < 9; x++, k++) expect(Object.is(part[k], data[(z * 7 + y) * 9 + x])).toBe(true);
      });
    }
  }

  it("reads and writes boxes crossing chunk borders like an in-memory array (property)", async () => {
    const shape = [9, 10, 11];
    const volume = await createVolume(fresh(), { shape, chunks: [4, 3, 5], dtype: "int32" });
    const reference = new Int32Array(9 * 10 * 11);
    const boxArb = fc
      .tuple(...shape.map((s) => fc.tuple(fc.integer({ min: 0, max: s }), fc.integer({ min: 0, max: s }))))
      .map(
        (pairs) =>
          new Box(
            pairs.map(([a, b]) => Math.min(a, b)),
            pairs.map(([a, b]) => Math.max(a, b)),
          ),
      );
    await fc.assert(
      fc.asyncProperty(boxArb, fc.integer({ min: -1000, max: 1000 }), async (box, base) => {
        const data = new Int32Array(box.size).map((_, i) => base + i);
        await volume.write(box, data);
        let i = 0;
        for (let z = box.begin[0]; z < box.end[0]; z++)
          for (let y = box.begin[1]; y < box.end[1]; y++)
            for (let x = box.begin[2]; x < box.end[2]; x++) reference[(z * 10 + y) * 11 + x] = data[i++];
        const all = await volume.read();
        expect(Array.from(all.data as Int32Array)).toEqual(Array.from(reference));
        const part = await volume.read(box);
        expect(Array.from(part.data as Int32Array)).toEqual(Array.from(data));
      }),
      { numRuns: 40 },
    );
  });

  it("returns the fill value for chunks never written", async () => {
    const volume = await createVolume(fresh(), {
      shape: [4, 4],
      chunks: [2, 2],
      dtype: "f32",
      fillValue: 7.5,
    });
    await volume.write(new Box([0, 0], [2, 2]), new Float32Array([1, 2, 3, 4]));
    const all = await volume.read();
    expect(Array.from(all.data as Float32Array)).toEqual([
      1,
      2,
      7.5,
      7.5,
      3,
      4,
      7.5,
      7.5,
      ...Array(8).fill(7.5),
    ]);
    // a partial write into a missing chunk keeps the fill value around it
    await volume.write(new Box([3, 3], [4, 4]), new Float32Array([9]));
    expect((await volume.read(new Box([2, 2], [4, 4]))).data).toEqual(new Float32Array([7.5, 7.5, 7.5, 9]));
  });

  it("writes nested chunk keys with dimension_separator '/'", async () => {
    const path = fresh();
    const volume = await createVolume(path, { shape: [3, 3, 3], chunks: [2, 2, 2], dimensionSeparator: "/" });
    await volume.write(volume.bounds, new Uint8Array(27).fill(5));
    const zarray = JSON.parse(await readFile(join(path, ".zarray"), "utf8"));
    expect(zarray.dimension_separator).toBe("/");
    expect((await readFile(join(path, "1", "1", "1"))).length).toBeGreaterThan(0);
    await expect((await openVolume(path)).read().then((a) => a.data)).resolves.toEqual(
      new Uint8Array(27).fill(5),
    );
  });

  it("accepts strided ndarray views as write data", async () => {
    const volume = await createVolume(fresh(), { shape: [2, 3], chunks: [2, 2], dtype: "u16" });
    const all = await volume.read();
    expect(all.shape).toEqual([2, 3]);
    // a transposed view of a 3×2 buffer: element [i][j] = base[j*2 + i]
    const base = new Uint16Array([1, 2, 3, 4, 5, 6]);
    await volume.write(volume.bounds, { data: base, shape: [2, 3], stride: [1, 2], offset: 0 });
    expect(Array.from((await volume.read()).data as Uint16Array)).toEqual([1, 3, 5, 2, 4, 6]);
  });

  it("writes again after an overwrite removed the folder", async () => {
    const path = fresh();
    const first = await createVolume(path, { shape: [4, 4], chunks: [2, 2], dimensionSeparator: "/" });
    await first.write(first.bounds, new Uint8Array(16).fill(1));
    const second = await createVolume(path, {
      shape: [4, 4],
      chunks: [2, 2],
      dimensionSeparator: "/",
      overwrite: true,
    });
    expect((await second.read()).data).toEqual(new Uint8Array(16));
    await second.write(second.bounds, new Uint8Array(16).fill(2));
    expect((await (await openVolume(path)).read()).data).toEqual(new Uint8Array(16).fill(2));
  });

  it("keeps attributes and merges updates", async () => {
    const path = fresh();
    const volume = await createVolume(path, {
      shape: [2, 2, 2],
      attrs: { resolution: [40, 4, 4], offset: [0, 0, 0] },
    });
    expect(volume.attrs.axes).toEqual(["z", "y", "x"]);
    await volume.updateAttrs({ provenance: { writer: "test" } });
    const reopened = await openVolume(path);
    expect(reopened.resolution).toEqual([40, 4, 4]);
    expect(reopened.attrs.provenance).toEqual({ writer: "test" });
  });

  it("creates and opens groups", async () => {
    const path = fresh();
    await createGroup(path, { pipeline: "demo" });
    expect((await openGroup(path)).attrs).toEqual({ pipeline: "demo" });
    await expect(openVolume(path)).rejects.toThrow(/found: a zarr group/);
  });
});

describe("bad input", () => {
  it("refuses a folder that is not a zarr array, and says when nothing is there", async () => {
    await expect(openVolume(join(tmp.path, "nothing-here"))).rejects.toBeInstanceOf(PathNotFoundError);
    await expect(openGroup(join(tmp.path, "nothing-here"))).rejects.toBeInstanceOf(PathNotFoundError);
    await expect(openVolume(tmp.path)).rejects.toBeInstanceOf(NotAZarrArrayError);
    const path = fresh();
    await createVolume(path, { shape: [2] });
    await writeFile(join(path, ".zarray"), "{ not json");
    await expect(openVolume(path)).rejects.toThrow(/not valid JSON/);
    await writeFile(join(path, ".zarray"), JSON.stringify({ zarr_format: 3 }));
    await expect(openVolume(path)).rejects.toThrow(/field: zarr_format; expected: 2; found: 3/);
  });

  it("refuses unsupported dtypes and compressors, naming the field", async () => {
    await expect(createVolume(fresh(), { shape: [2], dtype: "complex64" as "u8" })).rejects.toThrow(
      UnsupportedDtypeError,
    );
    await expect(
      createVolume(fresh(), { shape: [2], compressor: { id: "lzma" } as unknown as CompressorConfig }),
    ).rejects.toThrow(/field: compressor.id; expected: null, zlib, gzip or blosc; found: "lzma"/);
    const path = fresh();
    await createVolume(path, { shape: [2] });
    const zarray = JSON.parse(await readFile(join(path, ".zarray"), "utf8"));
    await writeFile(join(path, ".zarray"), JSON.stringify({ ...zarray, dtype: "<c8" }));
    await expect(openVolume(path)).rejects.toThrow(/field: dtype.*found: "<c8"/);
    await writeFile(join(path, ".zarray"), JSON.stringify({ ...zarray, compressor: { id: "bz2" } }));
    await expect(openVolume(path)).rejects.toBeInstanceOf(UnsupportedCompressorError);
  });

  it("refuses boxes out of bounds and data of the wrong shape or dtype", async () => {
    const volume = await createVolume(fresh(), { shape: [4, 4], chunks: [2, 2], dtype: "u8" });
    await expect(volume.read(new Box([0, 0], [5, 4]))).rejects.toBeInstanceOf(BoxOutOfBoundsError);
    await expect(volume.write(new Box([0, 0], [2, 2]), new Uint8Array(3))).rejects.toThrow(
      /expected: 4 elements for box \[0:2, 0:2\].*found: 3 elements/,
    );
    await expect(volume.write(new Box([0, 0], [2, 2]), new Uint16Array(4))).rejects.toThrow(
      /expected: uint8; found: uint16/,
    );
    await expect(
      volume.write(new Box([0, 0], [2, 2]), {
        data: new Uint8Array(6),
        shape: [2, 3],
        stride: [3, 1],
        offset: 0,
      }),
    ).rejects.toBeInstanceOf(ShapeMismatchError);
    await expect(createVolume(volume.path, { shape: [4, 4] })).rejects.toThrow(/overwrite/);
  });

  it("reports corrupt chunks with their path: undecodable bytes and the wrong size", async () => {
    const path = fresh();
    const volume = await createVolume(path, { shape: [4, 4], chunks: [2, 2], compressor: { id: "zlib" } });
    await volume.write(volume.bounds, new Uint8Array(16).fill(1));
    await writeFile(join(path, "0.1"), Buffer.from("garbage, not zlib"));
    const error = await volume.read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptChunkError);
    expect((error as VolumeError).path).toBe(join(path, "0.1"));

    const raw = await createVolume(fresh(), { shape: [4, 4], chunks: [2, 2], compressor: null });
    await raw.write(raw.bounds, new Uint8Array(16));
    await writeFile(join(raw.path, "1.1"), new Uint8Array(3));
    await expect(raw.read()).rejects.toThrow(/wrong size.*expected: 4 elements \(2×2\); found: 3 elements/);
    await rm(join(raw.path, "1.1"));
    expect((await raw.read()).data).toEqual(new Uint8Array(16));
  });
});
