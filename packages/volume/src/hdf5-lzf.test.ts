import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { assertFreshBuilds, pythonHas, runPython, tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TypedArray } from "./dtype.js";
import { CorruptChunkError, UnsupportedCompressorError, UnsupportedHdf5FilterError } from "./errors.js";
import { openHdf5Dataset, readHdf5Dataset } from "./hdf5.js";
import { fletcher32, unshuffle } from "./hdf5-filters.js";
import { lzfCompress, lzfDecompress } from "./lzf.js";
import { importStack } from "./stack-import.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

function sha256(data: TypedArray | Uint8Array): string {
  return createHash("sha256")
    .update(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
    .digest("hex");
}

describe("lzfDecompress", () => {
  it("round-trips literal runs, back-references and overlapping references", () => {
    const inputs = [
      new Uint8Array(0),
      Uint8Array.from([7]),
      Uint8Array.from({ length: 5000 }, (_, i) => i % 3), // long overlapping references
      Uint8Array.from({ length: 3000 }, (_, i) => (i * 2654435761) >>> 24), // mostly literals
      Uint8Array.from({ length: 20000 }, (_, i) => (i < 10000 ? (i >> 6) & 0xff : (i * 7919) % 251)),
    ];
    for (const input of inputs) {
      const packed = lzfCompress(input);
      const out = new Uint8Array(input.length);
      expect(lzfDecompress(packed, out)).toBe(input.length);
      expect(out).toEqual(input);
    }
  });

  it("decodes a hand-written stream (literal run, then a back-reference repeating it)", () => {
    // "abc" as a 3-byte literal, then a reference of length 6 at distance 3: "abcabcabc"
    const stream = Uint8Array.from([2, 97, 98, 99, (4 << 5) | 0, 2]);
    const out = new Uint8Array(9);
    expect(lzfDecompress(stream, out)).toBe(9);
    expect(new TextDecoder().decode(out)).toBe("abcabcabc");
  });

  it("raises CorruptChunkError on corrupt input, never reading or writing out of bounds", () => {
    const cases: [number[], number, RegExp][] = [
      [[5, 1, 2], 10, /literal run goes past the end of the input/],
      [[3, 1, 2, 3, 4], 2, /literal run goes past the end of the output/],
      [[0, 9, 0x20, 5], 10, /before the start of the output/],
      [[0, 9, 0xe0], 10, /length byte is missing/],
      [[0, 9, 0x20], 10, /offset byte is missing/],
      [[0, 9, 0x40, 0], 3, /back-reference goes past the end of the output/],
    ];
    for (const [bytes, size, message] of cases) {
      const error = (() => {
        try {
          lzfDecompress(Uint8Array.from(bytes), new Uint8Array(size));
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(CorruptChunkError);
      expect(String(error)).toMatch(message);
    }
  });
});

describe("HDF5 filter helpers", () => {
  it("unshuffle undoes byte shuffling and keeps trailing bytes", () => {
    // elements [0x0201, 0x0403, 0x0605] shuffled: low bytes then high bytes, plus one trailing byte
    expect(Array.from(unshuffle(Uint8Array.from([1, 3, 5, 2, 4, 6, 9]), 2))).toEqual([1, 2, 3, 4, 5, 6, 9]);
  });

  it("fletcher32 matches HDF5's checksum of a known buffer", () => {
    // h5py (HDF5 1.10.8) stores "abcde" with fletcher32 as the bytes followed by c7 29 f0 4f
    expect(fletcher32(new TextEncoder().encode("abcde"))).toBe(0x4ff029c7);
  });
});

const hasH5py = pythonHas("h5py", "numpy");

/** Writes the LZF test files with h5py; prints one JSON line per dataset with the digests of what it wrote. */
const WRITE_FILES = `
import sys, os, json, hashlib, h5py, numpy as np
root = sys.argv[1]
rng = np.random.default_rng(11)

def digest(a):
    a = np.ascontiguousarray(a)
    return hashlib.sha256(a.astype(a.dtype.newbyteorder("<")).tobytes()).hexdigest()

def values(dt, shape):
    dt = np.dtype(dt)
    n = int(np.prod(shape))
    if dt.kind in "iu":
        info = np.iinfo(dt)
        v = rng.integers(info.min, info.max, size=n, dtype=dt, endpoint=True)
        v[: n // 2] = (np.arange(n // 2) // 7 % 5).astype(dt)  # compressible half: LZF applies
        v[:4] = [info.min, info.max, info.min + 1, info.max - 1]
        if dt.itemsize == 8:  # beyond 2^53: must never pass through float64
            v[4:8] = [2**53 + 1, info.max - 2, (2**63 - 1) if dt.kind == "i" else 2**64 - 3, 2**60 + 7]
    else:
        f = np.finfo(dt)
        v = (rng.standard_normal(n) * 1000).astype(dt)
        v[: n // 2] = (np.arange(n // 2) // 9 % 4).astype(dt) - 1.5
        v[:9] = [f.min, f.max, -0.0, f.tiny, -f.tiny, np.inf, -np.inf, np.nan, -1e-30]
    return v.reshape(shape)

def slabs(a, step):
    return [[z, min(z + step, a.shape[0]), digest(a[z:min(z + step, a.shape[0])])] for z in range(0, a.shape[0], step)]

def case(file, name, a, step=3, stored=None, libver="earliest", userblock=0, **kw):
    path = os.path.join(root, file)
    extra = {"userblock_size": userblock} if userblock else {}
    with h5py.File(path, "a" if os.path.exists(path) else "w", libver=libver, **extra) as f:
        if stored is None:
            f.create_dataset(name, data=a, **kw)
        else:
            stored(f.create_dataset(name, **kw))
        filters = list(f[name]._filters.keys())
    print(json.dumps({"file": path, "dataset": name, "shape": list(a.shape), "dtype": str(a.dtype.newbyteorder("=")),
                      "digest": digest(a), "slabs": slabs(a, step), "filters": filters}))

# every dtype, full ranges, partial edge chunks along every axis, shuffle on and off
for i, dt in enumerate(["u1", "u2", "u4", "u8", "i1", "i2", "i4", "i8", "f4", "f8"]):
    a = values(dt, (9, 10, 11))
    case(f"dtype-{dt}.h5", "stack", a, chunks=(4, 3, 5), compression="lzf", shuffle=(i % 2 == 0))

a = values("i4", (9, 10, 11))
# the chunk indexes of the 1.10 format (libver latest) and the v1 B-tree of the default format
case("fixed-array.h5", "stack", a, libver="latest", chunks=(4, 3, 5), compression="lzf", shuffle=True)
case("fixed-array-max.h5", "stack", a, libver="latest", chunks=(4, 3, 5), maxshape=(12, 10, 20), compression="lzf")
case("extensible-array.h5", "stack", a, libver="latest", chunks=(4, 3, 5), maxshape=(None, 10, 11), compression="lzf")
case("extensible-array-y.h5", "stack", a, libver="latest", chunks=(4, 3, 5), maxshape=(9, None, 11), compression="lzf")
case("btree2.h5", "stack", a, libver="latest", chunks=(4, 3, 5), maxshape=(None, None, 11), compression="lzf")
case("single-chunk.h5", "stack", a, libver="latest", chunks=(9, 10, 11), compression="lzf", shuffle=True)
case("userblock.h5", "volumes/raw", a, userblock=1024, chunks=(4, 3, 5), compression="lzf")
case("big-endian.h5", "stack", a.astype(">i4"), chunks=(4, 3, 5), compression="lzf", shuffle=True, fletcher32=True)
case("gzip.h5", "stack", a, chunks=(4, 3, 5), compression="gzip", shuffle=True)  # h5wasm's own path
case("two-d.h5", "image", values("u2", (37, 23)), step=5, chunks=(8, 8), compression="lzf")
case("one-d.h5", "line", values("f8", (100,)), step=30, chunks=(16,), compression="lzf", shuffle=True)

# fill value where chunks were never written
filled = np.full((9, 10, 11), -7, "i4")
filled[0:4, 3:6, 5:10] = a[0:4, 3:6, 5:10]
def write_part(d):
    d[0:4, 3:6, 5:10] = a[0:4, 3:6, 5:10]
case("fill.h5", "stack", filled, stored=write_part, shape=(9, 10, 11), dtype="i4", chunks=(4, 3, 5),
     compression="lzf", fillvalue=-7)

# many chunks: a paged fixed array, a deep v1 B-tree, a v2 B-tree with internal nodes
many = (np.arange(30 * 40 * 40) // 11 % 7).astype("u1").reshape(30, 40, 40)
case("fixed-array-paged.h5", "stack", many, step=7, libver="latest", chunks=(1, 4, 4), compression="lzf")
case("btree1-deep.h5", "stack", many, step=7, chunks=(1, 4, 4), compression="lzf")
case("btree2-deep.h5", "stack", many, step=7, libver="latest", chunks=(1, 2, 4), maxshape=(None, None, 40), compression="lzf")
# an extensible array with super blocks of paged data blocks, mostly never written
line = np.full(140000, 3, "u1")
line[5:10] = 9
line[135000:135400] = np.arange(400) % 5
def write_sparse(d):
    d[5:10] = 9
    d[135000:135400] = np.arange(400) % 5
case("extensible-array-paged.h5", "line", line, step=50000, stored=write_sparse, libver="latest", shape=(140000,),
     dtype="u1", chunks=(1,), maxshape=(None,), compression="lzf", fillvalue=3)

# filters h5wasm lacks and Tessera does not decode: written as raw chunks with allow_unknown_filter
path = os.path.join(root, "unavailable.h5")
with h5py.File(path, "w") as f:
    f.create_dataset("good", data=a, chunks=(4, 3, 5), compression="lzf")
    d = f.create_dataset("blosc", shape=(4, 4), dtype="u1", chunks=(2, 2), compression=32001,
                         compression_opts=(2, 2, 1, 0, 5, 1, 1), shuffle=True, allow_unknown_filter=True)
    d.id.write_direct_chunk((0, 0), bytes(40))
    d = f.create_dataset("mystery", shape=(4, 4), dtype="u1", chunks=(2, 2), compression=33333,
                         allow_unknown_filter=True)
    d.id.write_direct_chunk((0, 0), bytes(4))

# a corrupt LZF chunk: chunk 1 overwritten with bytes that are not an LZF stream
path = os.path.join(root, "corrupt.h5")
with h5py.File(path, "w") as f:
    f.create_dataset("stack", data=values("u1", (8, 8, 8)), chunks=(4, 4, 4), compression="lzf")
    info = f["stack"].id.get_chunk_info(1)
with open(path, "r+b") as raw:
    raw.seek(info.byte_offset)
    raw.write(bytes([0xff]) * info.size)
`;

interface Case {
  file: string;
  dataset: string;
  shape: number[];
  dtype: string;
  digest: string;
  slabs: [number, number, string][];
  filters: string[];
}

const DTYPE_NAMES: Record<string, string> = {
  uint8: "uint8",
  uint16: "uint16",
  uint32: "uint32",
  uint64: "uint64",
  int8: "int8",
  int16: "int16",
  int32: "int32",
  int64: "int64",
  float32: "float32",
  float64: "float64",
};

describe.skipIf(!hasH5py)("HDF5 datasets written by h5py with compression='lzf'", () => {
  let cases: Case[] = [];
  const root = join(tmp.path, "h5");
  beforeAll(() => {
    runPython(`import os; os.makedirs(${JSON.stringify(root)}, exist_ok=True)`);
    cases = runPython(WRITE_FILES, [root])
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
  }, 120_000);

  it("reads every case exactly as h5py wrote it: whole datasets and slabs along axis 0", async () => {
    expect(cases.length).toBe(26);
    for (const c of cases) {
      const where = `${c.file}:${c.dataset}`;
      const dataset = await openHdf5Dataset(c.file, c.dataset);
      try {
        expect(dataset.shape, where).toEqual(c.shape);
        expect(dataset.dtype, where).toBe(DTYPE_NAMES[c.dtype]);
        expect(dataset.filters.some((f) => f.id === 32000) || c.filters.includes("gzip"), where).toBe(true);
        expect(sha256(dataset.read()), where).toBe(c.digest);
        for (const [begin, end, digest] of c.slabs) {
          expect(sha256(dataset.read(begin, end)), `${where} [${begin}, ${end})`).toBe(digest);
        }
        // slabs thinner than a chunk, out of order: decoded chunks are cached per row, not reused wrongly
        if (c.shape[0] > 2) {
          const last = dataset.read(c.shape[0] - 1, c.shape[0]);
          const first = dataset.read(0, 1);
          const whole = dataset.read();
          const plane = whole.length / c.shape[0];
          expect(sha256(first), where).toBe(sha256(whole.subarray(0, plane)));
          expect(sha256(last), where).toBe(sha256(whole.subarray(whole.length - plane)));
        }
      } finally {
        dataset.close();
      }
    }
  }, 120_000);

  it("64-bit integers keep values above 2^53 exactly", async () => {
    const u64 = cases.find((c) => c.dtype === "uint64") as Case;
    const { data } = await readHdf5Dataset(u64.file, u64.dataset);
    expect((data as BigUint64Array)[1]).toBe(2n ** 64n - 1n);
    expect((data as BigUint64Array)[4]).toBe(2n ** 53n + 1n);
    const i64 = cases.find((c) => c.dtype === "int64") as Case;
    const signed = (await readHdf5Dataset(i64.file, i64.dataset)).data as BigInt64Array;
    expect([signed[0], signed[1], signed[4]]).toEqual([-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n]);
  });

  it("refuses filters nobody here decodes, naming the file, the dataset and the filter, before reading", async () => {
    const file = join(root, "unavailable.h5");
    const error = await openHdf5Dataset(file, "blosc").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedHdf5FilterError);
    expect(error).toBeInstanceOf(UnsupportedCompressorError);
    const typed = error as UnsupportedHdf5FilterError;
    expect([typed.path, typed.dataset, typed.filterId, typed.filterName]).toEqual([
      file,
      "blosc",
      32001,
      "blosc",
    ]);
    expect(typed.message).toContain("blosc(32001)");
    expect(typed.message).toContain('dataset "blosc"');
    expect(typed.found).toBe("shuffle(2) → blosc(32001)");
    expect(typed.message).not.toContain("\n");
    const unknown = (await openHdf5Dataset(file, "mystery").catch(
      (e: unknown) => e,
    )) as UnsupportedHdf5FilterError;
    expect([unknown.filterId, unknown.filterName]).toEqual([33333, "unknown"]);
    // the LZF dataset beside them reads
    const good = await readHdf5Dataset(file, "good");
    expect(good.shape).toEqual([9, 10, 11]);
  });

  it("importStack refuses an unavailable filter and leaves no output", async () => {
    const output = join(tmp.path, "blosc.zarr");
    const error = await importStack(join(root, "unavailable.h5"), output, { dataset: "blosc" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnsupportedHdf5FilterError);
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(tmp.path).filter((n) => n.startsWith("blosc.zarr"))).toEqual([]);
  });

  it("a corrupt LZF chunk raises CorruptChunkError naming the file, dataset and chunk", async () => {
    const file = join(root, "corrupt.h5");
    const dataset = await openHdf5Dataset(file, "stack");
    try {
      const error = (() => {
        try {
          dataset.read();
        } catch (e) {
          return e;
        }
      })() as CorruptChunkError;
      expect(error).toBeInstanceOf(CorruptChunkError);
      expect(error.path).toBe(file);
      expect(error.field).toBe('dataset "stack" chunk 0,0,1');
      expect(error.message).toMatch(/LZF|bytes after decoding/);
    } finally {
      dataset.close();
    }
  });
});

const volumeDir = join(import.meta.dirname, "..");
const bin = join(volumeDir, "dist", "bin.js");

describe.skipIf(!hasH5py || !pythonHas("zarr", "numcodecs"))(
  "tessera-volume import of HDF5 files (built CLI)",
  () => {
    const root = join(tmp.path, "cli");
    let source = "";
    let digest = "";
    beforeAll(() => {
      assertFreshBuilds([volumeDir]);
      const lines = runPython(
        `
import sys, os, json, hashlib, h5py, numpy as np
root = sys.argv[1]
os.makedirs(root, exist_ok=True)
a = (np.arange(21 * 30 * 40, dtype="u8") * 2654435761 % 1000 // 13).reshape(21, 30, 40).astype("u2")
with h5py.File(os.path.join(root, "lzf.h5"), "w") as f:
    f.create_dataset("stack", data=a, chunks=(8, 16, 16), compression="lzf", shuffle=True)
    f["stack"].attrs["resolution"] = [40, 4, 4]
with h5py.File(os.path.join(root, "blosc.h5"), "w") as f:
    d = f.create_dataset("stack", shape=(4, 4), dtype="u1", chunks=(2, 2), compression=32001, allow_unknown_filter=True)
    d.id.write_direct_chunk((0, 0), bytes(40))
print(hashlib.sha256(a.tobytes()).hexdigest())
`,
        [root],
      );
      digest = lines.trim();
      source = join(root, "lzf.h5");
    }, 60_000);

    const readZarr = (path: string) =>
      runPython(
        `
import sys, hashlib, zarr, numpy as np
a = zarr.open(sys.argv[1], mode="r")
v = np.ascontiguousarray(a[...])
print(a.dtype, ",".join(map(str, a.shape)), hashlib.sha256(v.astype(v.dtype.newbyteorder("<")).tobytes()).hexdigest())
`,
        [path],
      ).trim();

    it("imports an LZF dataset into a zarr array python zarr reads back equal to the source", () => {
      const output = join(root, "lzf.zarr");
      const result = spawnSync(process.execPath, [bin, "import", source, output, "--chunks", "5,16,16"], {
        encoding: "utf8",
      });
      expect(result.stderr).not.toMatch(/HDF5-DIAG/);
      expect(result.status, result.stderr).toBe(0);
      expect(readZarr(output)).toBe(`uint16 21,30,40 ${digest}`);
      // h5py's int64 attribute became a JSON resolution
      expect(JSON.parse(readFileSync(join(output, ".zattrs"), "utf8")).resolution).toEqual([40, 4, 4]);
    });

    it("an unavailable filter: exit code 2, one line on stderr, no HDF5 noise, no output", () => {
      const output = join(root, "blosc.zarr");
      const result = spawnSync(process.execPath, [bin, "import", join(root, "blosc.h5"), output], {
        encoding: "utf8",
      });
      expect(result.status).toBe(2);
      const lines = result.stderr.split("\n").filter((l) => l.trim() !== "");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^tessera-volume: UnsupportedHdf5FilterError: HDF5 filter blosc\(32001\) is not available.*blosc\.h5.*dataset "stack"/,
      );
      expect(existsSync(output)).toBe(false);
      expect(readdirSync(root).filter((n) => n.startsWith("blosc.zarr") && !n.endsWith(".log"))).toEqual([]);
    });
  },
);
