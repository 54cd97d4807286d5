import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertFreshBuilds, pythonHas, runPython, tempDir } from "@tessera/testkit";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { fullRange, sha256 } from "../test/full-range.js";
import { Box } from "./box.js";
import { chunkDecodingCounts, configureChunkDecoding } from "./chunk-pool.js";
import { bloscMemcpyedPayload, type CompressorConfig } from "./compressor.js";
import type { DataType } from "./dtype.js";
import { CorruptChunkError } from "./errors.js";
import { createVolume, openVolume } from "./volume.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
const initial = configureChunkDecoding();
afterEach(() => {
  configureChunkDecoding(initial);
});
let counter = 0;
const fresh = () => join(tmp.path, `a${counter++}.zarr`);

const POOL = { threads: 2, minBytes: 0 }; // every read of two chunks or more on the pool
const HERE = { threads: 1 }; // every read on this thread

async function readWith(path: string, settings: { threads: number; minBytes?: number }, box?: Box) {
  configureChunkDecoding(settings);
  const before = chunkDecodingCounts();
  const data = (await (await openVolume(path)).read(box)).data;
  const after = chunkDecodingCounts();
  return { data, pool: after.pool - before.pool, here: after.here - before.here };
}

const BLOSC: CompressorConfig[] = [
  { id: "blosc", cname: "lz4", clevel: 5, shuffle: 1 },
  { id: "blosc", cname: "zstd", clevel: 3, shuffle: 2 },
  { id: "blosc", cname: "blosclz", clevel: 9, shuffle: 0 },
  { id: "blosc", cname: "zlib", clevel: 1, shuffle: 1 },
];
const COMPRESSORS: (CompressorConfig | null)[] = [
  null,
  { id: "zlib", level: 3 },
  { id: "gzip", level: 1 },
  ...BLOSC,
];
const DTYPES: DataType[] = ["uint8", "int16", "uint32", "int64", "uint64", "float32", "float64"];

describe("reads on the chunk worker pool", () => {
  it("give exactly the single-threaded result (and the data written), every dtype × compressor", async () => {
    let n = 0;
    for (const dtype of DTYPES) {
      for (const compressor of COMPRESSORS) {
        const path = fresh();
        const shape = [9, 33, 17];
        const volume = await createVolume(path, {
          shape,
          chunks: [4, 16, 8],
          dtype,
          compressor,
          dimensionSeparator: n % 2 ? "/" : ".",
        });
        const data = fullRange(dtype, 9 * 33 * 17, ++n);
        configureChunkDecoding(HERE);
        await volume.write(volume.bounds, data);
        const where = `${dtype} ${JSON.stringify(compressor)}`;
        const here = await readWith(path, HERE);
        const pooled = await readWith(path, POOL);
        expect([here.pool, here.here, pooled.pool, pooled.here]).toEqual([0, 1, 1, 0]);
        expect(sha256(pooled.data), where).toBe(sha256(here.data));
        expect(sha256(pooled.data), where).toBe(sha256(data));
        // a box crossing chunk borders, partial edge chunks included
        const box = new Box([3, 10, 5], [9, 33, 14]);
        const partHere = await readWith(path, HERE, box);
        const partPool = await readWith(path, POOL, box);
        expect(partPool.pool).toBe(1);
        expect(sha256(partPool.data), where).toBe(sha256(partHere.data));
      }
    }
  });

  it("fills chunks never written with the fill value, like the single-threaded path", async () => {
    for (const [dtype, fillValue] of [
      ["float32", -2.5],
      ["int16", 0],
      ["uint64", 2n ** 63n + 5n],
    ] as const) {
      const path = fresh();
      const volume = await createVolume(path, {
        shape: [6, 20, 20],
        chunks: [3, 8, 8],
        dtype,
        fillValue,
        compressor: BLOSC[0],
      });
      const box = new Box([0, 4, 4], [3, 12, 12]);
      await volume.write(box, fullRange(dtype, box.size, 2));
      const here = await readWith(path, HERE);
      const pooled = await readWith(path, POOL);
      expect(pooled.pool).toBe(1);
      expect(sha256(pooled.data), dtype).toBe(sha256(here.data));
      expect(pooled.data[pooled.data.length - 1]).toBe(fillValue);
    }
  });

  it("keeps reads smaller than minBytes, or of one chunk, on this thread", async () => {
    const path = fresh();
    const volume = await createVolume(path, {
      shape: [4, 64, 64],
      chunks: [4, 64, 32],
      compressor: BLOSC[0],
    });
    await volume.write(volume.bounds, fullRange("uint8", 4 * 64 * 64, 9));
    const small = await readWith(path, { threads: 2, minBytes: 16 * 1024 + 1 });
    expect([small.pool, small.here]).toEqual([0, 1]);
    const large = await readWith(path, { threads: 2, minBytes: 16 * 1024 });
    expect([large.pool, large.here]).toEqual([1, 0]);
    expect(large.data).toEqual(small.data);
    const one = await readWith(path, POOL, new Box([0, 0, 0], [4, 64, 32]));
    expect([one.pool, one.here]).toEqual([0, 1]);
  });

  it("writes byte-identical chunk files whether compressed on the pool or here", async () => {
    const data = fullRange("int32", 8 * 40 * 40, 4);
    const paths = [fresh(), fresh()];
    for (const [i, settings] of [HERE, POOL].entries()) {
      configureChunkDecoding(settings);
      const volume = await createVolume(paths[i], {
        shape: [8, 40, 40],
        chunks: [4, 20, 40],
        dtype: "int32",
        compressor: BLOSC[1],
      });
      await volume.write(volume.bounds, data);
    }
    const chunks = readdirSync(paths[0]).filter((name) => !name.startsWith("."));
    expect(chunks).toHaveLength(4);
    for (const name of chunks) {
      expect(readFileSync(join(paths[1], name)).equals(readFileSync(join(paths[0], name))), name).toBe(true);
    }
  });

  it("reports corrupt chunks read on the pool as CorruptChunkError with their path", async () => {
    for (const compressor of [BLOSC[0], { id: "zlib" } as CompressorConfig]) {
      const path = fresh();
      const volume = await createVolume(path, { shape: [4, 4], chunks: [2, 2], compressor });
      await volume.write(volume.bounds, new Uint8Array(16).fill(3));
      writeFileSync(join(path, "1.0"), Buffer.from("not a compressed chunk, just some bytes"));
      configureChunkDecoding(POOL);
      const error = await (await openVolume(path)).read().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptChunkError);
      expect((error as CorruptChunkError).path).toBe(join(path, "1.0"));
    }
    const raw = await createVolume(fresh(), { shape: [4, 4], chunks: [2, 2], compressor: null });
    await raw.write(raw.bounds, new Uint8Array(16));
    writeFileSync(join(raw.path, "1.1"), new Uint8Array(3));
    await expect(raw.read()).rejects.toThrow(/wrong size.*expected: 4 elements \(2×2\); found: 3 elements/);
  });
});

describe("blosc frames stored uncompressed (BLOSC_MEMCPYED)", () => {
  it("decode to the payload after the header, exactly as numcodecs decodes them", async () => {
    const Blosc = (await import("numcodecs/blosc")).default;
    for (const [typesize, shuffle] of [
      [1, 0],
      [4, 1],
      [8, 2],
    ] as const) {
      const codec = Blosc.fromConfig({ id: "blosc", cname: "lz4", clevel: 5, shuffle, blocksize: 0 });
      const data = fullRange(
        typesize === 1 ? "uint8" : typesize === 4 ? "uint32" : "uint64",
        50_000,
        typesize,
      );
      const bytes = new Uint8Array(data.buffer);
      const frame = await codec.encode(bytes);
      expect(frame[2] & 0x02, `typesize ${typesize}`).toBe(0x02); // random data: stored as is
      expect(bloscMemcpyedPayload(frame)).toEqual(await codec.decode(frame));
      expect(bloscMemcpyedPayload(frame)).toEqual(bytes);
      const compressible = await codec.encode(new Uint8Array(50_000));
      expect(bloscMemcpyedPayload(compressible)).toBeUndefined();
    }
  });
});

describe.skipIf(!pythonHas("zarr", "numcodecs", "numpy"))("python-written blosc arrays", () => {
  it("read identically on the pool and on this thread, equal to what python wrote", async () => {
    const root = join(tmp.path, "py");
    const lines = runPython(
      `
import sys, os, hashlib, zarr, numpy as np
from numcodecs import Blosc
root = sys.argv[1]
rng = np.random.default_rng(3)
for name, comp in [("bitshuffle-lz4", Blosc(cname="lz4", clevel=5, shuffle=Blosc.BITSHUFFLE)),
                   ("shuffle-zstd", Blosc(cname="zstd", clevel=3, shuffle=Blosc.SHUFFLE)),
                   ("noshuffle-lz4hc", Blosc(cname="lz4hc", clevel=9, shuffle=Blosc.NOSHUFFLE)),
                   ("random-shuffle-lz4", Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE))]:
    for dt in ["u1", "i4", "u8", "f8"]:
        path = os.path.join(root, f"{name}-{dt}.zarr")
        v = (rng.integers(0, 2**62, size=(10, 40, 30), dtype="u8") >> rng.integers(0, 62, size=(10, 40, 30), dtype="u8")).astype(dt)
        if name.startswith("random"):  # incompressible: blosc stores the chunks uncompressed
            v = rng.integers(0, 256, size=(10, 40, 30) + (np.dtype(dt).itemsize,), dtype="u1").view(dt).reshape(10, 40, 30)
        a = zarr.open(path, mode="w", shape=v.shape, chunks=(5, 20, 30), dtype=dt, compressor=comp)
        a[...] = v
        print(path, hashlib.sha256(v.astype(v.dtype.newbyteorder("<")).tobytes()).hexdigest())
`,
      [root],
    )
      .trim()
      .split("\n");
    expect(lines).toHaveLength(16);
    for (const line of lines) {
      const [path, digest] = line.split(" ");
      const here = await readWith(path, HERE);
      const pooled = await readWith(path, POOL);
      expect(pooled.pool, path).toBe(1);
      expect(sha256(here.data), path).toBe(digest);
      expect(sha256(pooled.data), path).toBe(digest);
    }
  });
});

describe("the pool never keeps a process alive (built package)", () => {
  it("a script that reads through the pool exits on its own", async () => {
    const volumeDir = join(import.meta.dirname, "..");
    assertFreshBuilds([volumeDir]);
    const path = fresh();
    const volume = await createVolume(path, {
      shape: [8, 256, 256],
      chunks: [8, 128, 128],
      compressor: BLOSC[0],
    });
    await volume.write(volume.bounds, fullRange("uint8", 8 * 256 * 256, 5));
    const dist = pathToFileURL(join(volumeDir, "dist", "index.js")).href;
    const script = `
      const v = await import(${JSON.stringify(dist)});
      v.configureChunkDecoding({ threads: 2, minBytes: 0 });
      const data = (await (await v.openVolume(${JSON.stringify(path)})).read()).data;
      console.log(String(v.configureChunkDecoding().threads) + " " + String(data.length)); // a string: numbers are coloured under FORCE_COLOR
    `;
    const started = performance.now();
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(`2 ${8 * 256 * 256}`);
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it("a script whose only pool job is one blosc chunk (other workers idle) exits on its own", () => {
    const volumeDir = join(import.meta.dirname, "..");
    assertFreshBuilds([volumeDir]);
    const dist = pathToFileURL(join(volumeDir, "dist", "index.js")).href;
    const script = `
      const v = await import(${JSON.stringify(dist)});
      v.configureChunkDecoding({ threads: 3, minBytes: 0 });
      const shape = [16, 100, 200];
      const volume = await v.createVolume(${JSON.stringify(fresh())}, { shape, chunks: shape, compressor: { id: "blosc", clevel: 5 } });
      await volume.write(volume.bounds, new Uint8Array(volume.bounds.size).fill(7));
      console.log("written");
    `;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(result.signal, "the process was still alive after 20 s").toBeNull();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe("written\n");
  });
});
