import { createHash } from "node:crypto";
import { join } from "node:path";
import { pythonHas, runPython, sharedData, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { fullRange } from "../test/full-range.js";
import { Box } from "./box.js";
import type { CompressorConfig } from "./compressor.js";
import { DATA_TYPES, type TypedArray, typedArrayFor } from "./dtype.js";
import { readHdf5Dataset } from "./hdf5.js";
import { createVolume, openVolume } from "./volume.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

function sha256(data: TypedArray): string {
  return createHash("sha256")
    .update(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
    .digest("hex");
}

/**
 * Python: for each zarr path, open with python zarr and print "shape sha256(little-endian C bytes)
 * first-values", the first values as exact integers (Python ints: no float64 on the way) for integer
 * dtypes, or as float.hex() for floats.
 */
const DIGEST_SCRIPT = `
import sys, hashlib, zarr, numpy as np
n = int(sys.argv[1])
for path in sys.argv[2:]:
    a = zarr.open(path, mode="r")
    v = np.ascontiguousarray(a[...])
    v = v.astype(v.dtype.newbyteorder("<"))
    flat = v.reshape(-1)[:n]
    first = [str(int(x)) for x in flat] if v.dtype.kind in "iu" else [float(x).hex() for x in flat]
    print(",".join(map(str, a.shape)), hashlib.sha256(v.tobytes()).hexdigest(), ";".join(first))
`;

/** Python's float.hex() of a number (13 hex digits of mantissa), for exact float comparisons. */
function floatHex(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0x0.0p+0" : "0x0.0p+0";
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, value);
  const sign = value < 0 ? "-" : "";
  const high = bits.getUint32(0);
  const exponent = (high >>> 20) & 0x7ff;
  const mantissa = ((BigInt(high & 0xfffff) << 32n) | BigInt(bits.getUint32(4)))
    .toString(16)
    .padStart(13, "0");
  return exponent === 0
    ? `${sign}0x0.${mantissa}p-1022`
    : `${sign}0x1.${mantissa}p${exponent - 1023 >= 0 ? "+" : ""}${exponent - 1023}`;
}

const hasZarr = pythonHas("zarr", "numcodecs", "numpy");

describe.skipIf(!hasZarr)("python zarr reads what Tessera writes", () => {
  const compressors: (CompressorConfig | null)[] = [
    null,
    { id: "zlib", level: 1 },
    { id: "gzip", level: 9 },
    { id: "blosc", cname: "zstd", clevel: 3, shuffle: 2 },
  ];
  it("every dtype over its whole range × compressor, edge chunks, both key separators: the values written", async () => {
    const shape = [7, 13, 10];
    const size = 7 * 13 * 10;
    const shown = 16;
    const cases: { path: string; expected: string; first: string }[] = [];
    let n = 0;
    for (const dtype of DATA_TYPES) {
      for (const compressor of compressors) {
        const path = join(tmp.path, `w${n}-${dtype}-${compressor?.id ?? "raw"}.zarr`);
        const separator = n++ % 2 === 0 ? "." : "/";
        const volume = await createVolume(path, {
          shape,
          chunks: [3, 5, 4],
          dtype,
          compressor,
          dimensionSeparator: separator,
        });
        // min, max, negatives, ±0, NaN, ±Infinity, denormals, 64-bit values beyond 2^53, random bits
        const data = fullRange(dtype, size, n);
        // leave the last z-chunk unwritten: python must see the fill value (0) there
        const written = new Box([0, 0, 0], [6, 13, 10]);
        await volume.write(written, data.subarray(0, written.size));
        // what python must read, built from the data written (not from a read-back)
        const expected = new (typedArrayFor(dtype))(size);
        (expected as Uint8Array).set(data.subarray(0, written.size) as Uint8Array);
        const values = Array.from(expected.subarray(0, shown) as ArrayLike<number | bigint>);
        const first = dtype.startsWith("float")
          ? values.map((v) => floatHex(Number(v)))
          : values.map((v) => String(v));
        cases.push({ path, expected: sha256(expected), first: first.join(";") });
      }
    }
    const lines = runPython(DIGEST_SCRIPT, [String(shown), ...cases.map((c) => c.path)])
      .trim()
      .split("\n");
    expect(lines).toHaveLength(cases.length);
    lines.forEach((line, i) => {
      expect(line, cases[i].path).toBe(`${shape.join(",")} ${cases[i].expected} ${cases[i].first}`);
    });
  });
});

describe.skipIf(!hasZarr)("Tessera reads what python zarr writes", () => {
  it("every dtype over its whole range × compressor, '/' keys, partial chunks, missing chunks, F order", async () => {
    const root = join(tmp.path, "py");
    const script = `
import sys, os, hashlib, zarr, numpy as np
from numcodecs import Zlib, GZip, Blosc
root = sys.argv[1]
comps = {"raw": None, "zlib": Zlib(level=3), "gzip": GZip(level=5), "blosc": Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE)}
dtypes = ["u1","u2","u4","u8","i1","i2","i4","i8","f4","f8"]
rng = np.random.default_rng(7)
def values(dt, shape):
    dt = np.dtype(dt)
    n = int(np.prod(shape))
    if dt.kind in "iu":
        info = np.iinfo(dt)
        v = rng.integers(info.min, info.max, size=n, dtype=dt, endpoint=True)
        special = [info.min, info.max, info.min + 1, info.max - 1, 0, 1]
        if dt.itemsize == 8:
            special += [2**53 + 1, 2**53 + 3, 2**62 + 12345, info.max - 2]
        v[:len(special)] = special
    else:
        f = np.finfo(dt)
        v = (rng.standard_normal(n) * 10.0 ** rng.integers(-30, 30, size=n)).astype(dt)
        special = [f.min, f.max, -0.0, f.tiny, -f.tiny, np.inf, -np.inf, np.nan, -1e-30]
        v[:len(special)] = special
    return v.reshape(shape)
i = 0
for dt in dtypes:
    for name, comp in comps.items():
        sep = "/" if i % 2 else "."
        order = "F" if i % 5 == 0 else "C"
        i += 1
        path = os.path.join(root, f"{dt}-{name}.zarr")
        a = zarr.open(path, mode="w", shape=(9, 11, 6), chunks=(4, 5, 4), dtype=dt, compressor=comp,
                      fill_value=3, dimension_separator=sep, order=order)
        v = values(dt, (8, 11, 6))
        a[:8] = v  # z = 8 stays missing: fill value 3
        full = np.full((9, 11, 6), 3, dtype=dt)
        full[:8] = v  # what was written, not a read-back
        full = full.astype(np.dtype(dt).newbyteorder("<"))
        flat = full.reshape(-1)[:10]
        first = ";".join(str(int(x)) for x in flat) if full.dtype.kind in "iu" else "-"
        print(path, hashlib.sha256(full.tobytes()).hexdigest(), first)
`;
    const lines = runPython(script, [root]).trim().split("\n");
    expect(lines).toHaveLength(40);
    for (const line of lines) {
      const [path, digest, first] = line.split(" ");
      const volume = await openVolume(path);
      expect(volume.shape).toEqual([9, 11, 6]);
      const data = (await volume.read()).data;
      expect(sha256(data), path).toBe(digest);
      if (first !== "-") {
        expect(Array.from(data.subarray(0, 10) as ArrayLike<number | bigint>, String).join(";"), path).toBe(
          first,
        );
      }
      expect(Number(data[data.length - 1])).toBe(3);
    }
  });
});

describe.skipIf(!hasZarr)("64-bit fill values beyond 2^53 cross the JSON exactly", () => {
  it("python reads Tessera's fill value, Tessera reads python's (never through a float64)", async () => {
    const ours = join(tmp.path, "fill-ours.zarr");
    const volume = await createVolume(ours, {
      shape: [4, 4],
      chunks: [2, 2],
      dtype: "uint64",
      fillValue: 2n ** 63n + 5n,
    });
    await volume.write(new Box([0, 0], [2, 2]), new BigUint64Array([1n, 2n, 3n, 2n ** 53n + 1n]));
    const theirs = join(tmp.path, "fill-theirs.zarr");
    const printed = runPython(
      `
import sys, zarr, numpy as np
a = zarr.open(sys.argv[1], mode="r")
print(int(a.fill_value), int(a[3, 3]), int(a[1, 1]))
b = zarr.open(sys.argv[2], mode="w", shape=(4, 4), chunks=(2, 2), dtype="i8", fill_value=-(2**62) - 7)
b[0:2, 0:2] = np.array([[1, 2], [3, -(2**53) - 1]], dtype="i8")
`,
      [ours, theirs],
    ).trim();
    expect(printed).toBe(`${2n ** 63n + 5n} ${2n ** 63n + 5n} ${2n ** 53n + 1n}`);
    const back = await openVolume(theirs);
    expect(back.fillValue).toBe(-(2n ** 62n) - 7n);
    const data = (await back.read()).data as BigInt64Array;
    expect([data[5], data[15]]).toEqual([-(2n ** 53n) - 1n, -(2n ** 62n) - 7n]);
  });
});

const gala = sharedData("em/gala");
const GALA_GOLDEN: Record<string, string> = {
  "train-image": "ec9c2b745765f010ac057066d158e55962772c3e4829f1124cc71ab2b1f16c65",
  "train-gt": "33ba95cc5172c22c55cb86a7d8e5c7137bb058aae7a5a32465283f0b72690eb2",
  "train-p1": "a89173816dd74d6b749ab7c5ad99e355a64a05b31cbf55eaddabd7f5602d90da",
  "train-ws": "91811805b3a516b084de57ee2b2039a7203072fffc60965795bf98a30a645e32",
};

describe.skipIf(!gala.available)("the reference implementation's arrays in shared/data/em/gala/zarr", () => {
  for (const [name, golden] of Object.entries(GALA_GOLDEN)) {
    it(`${name}.zarr equals the HDF5 original and the golden sha256`, async () => {
      const volume = await openVolume(join(gala.path, "zarr", `${name}.zarr`));
      expect(volume.shape).toEqual([50, 100, 200]);
      const zarrData = (await volume.read()).data;
      const h5 = await readHdf5Dataset(join(gala.path, `${name}.h5`), "stack");
      expect(h5.shape).toEqual([50, 100, 200]);
      expect(h5.dtype).toBe(volume.dtype);
      expect(sha256(zarrData)).toBe(golden);
      expect(sha256(h5.data)).toBe(golden);
    });
  }

  it("train-gt-edgechunks.zarr (nested keys, partial edge chunks) equals train-gt", async () => {
    const edge = await openVolume(join(gala.path, "zarr", "train-gt-edgechunks.zarr"));
    expect(edge.chunks).toEqual([16, 30, 64]);
    expect(edge.dimensionSeparator).toBe("/");
    expect(sha256((await edge.read()).data)).toBe(GALA_GOLDEN["train-gt"]);
    // a box crossing partial chunks matches the same box of the regular copy
    const box = new Box([30, 55, 100], [50, 100, 200]);
    const regular = await openVolume(join(gala.path, "zarr", "train-gt.zarr"));
    expect((await edge.read(box)).data).toEqual((await regular.read(box)).data);
  });
});
