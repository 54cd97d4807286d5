import { createHash } from "node:crypto";
import { join } from "node:path";
import { pythonHas, runPython, sharedData, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { Box } from "./box.js";
import type { CompressorConfig } from "./compressor.js";
import { DATA_TYPES, isBigIntDtype, type TypedArray, typedArrayFor } from "./dtype.js";
import { readHdf5Dataset } from "./hdf5.js";
import { createVolume, openVolume } from "./volume.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

function sha256(data: TypedArray): string {
  return createHash("sha256")
    .update(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
    .digest("hex");
}

/** Python: for each zarr path, open with python zarr and print "shape sha256(little-endian C bytes) fill". */
const DIGEST_SCRIPT = `
import sys, hashlib, zarr, numpy as np
for path in sys.argv[1:]:
    a = zarr.open(path, mode="r")
    v = np.ascontiguousarray(a[...])
    v = v.astype(v.dtype.newbyteorder("<"))
    print(",".join(map(str, a.shape)), hashlib.sha256(v.tobytes()).hexdigest())
`;

const hasZarr = pythonHas("zarr", "numcodecs", "numpy");

describe.skipIf(!hasZarr)("python zarr reads what Tessera writes", () => {
  const compressors: (CompressorConfig | null)[] = [
    null,
    { id: "zlib", level: 1 },
    { id: "gzip", level: 9 },
    { id: "blosc", cname: "zstd", clevel: 3, shuffle: 2 },
  ];
  it("every dtype × compressor, with edge chunks, both key separators: identical values", async () => {
    const shape = [7, 13, 10];
    const cases: { path: string; digest: string }[] = [];
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
        const data = new (typedArrayFor(dtype))(7 * 13 * 10);
        for (let i = 0; i < data.length; i++) {
          const v = ((i * 7919) % 2000) - (dtype.startsWith("uint") ? 0 : 1000);
          (data as unknown as (number | bigint)[])[i] = isBigIntDtype(dtype)
            ? BigInt(v) * 1_000_000_007n
            : dtype.startsWith("float")
              ? v / 7
              : v;
        }
        // leave the last z-chunk unwritten: python must see the fill value there
        const written = new Box([0, 0, 0], [6, 13, 10]);
        await volume.write(written, data.subarray(0, written.size));
        cases.push({ path, digest: sha256((await volume.read()).data) });
      }
    }
    const lines = runPython(
      DIGEST_SCRIPT,
      cases.map((c) => c.path),
    )
      .trim()
      .split("\n");
    expect(lines).toHaveLength(cases.length);
    lines.forEach((line, i) => {
      expect(line, cases[i].path).toBe(`${shape.join(",")} ${cases[i].digest}`);
    });
  });
});

describe.skipIf(!hasZarr)("Tessera reads what python zarr writes", () => {
  it("every dtype × compressor, '/' keys, partial chunks, missing chunks, F order", async () => {
    const root = join(tmp.path, "py");
    const script = `
import sys, os, hashlib, zarr, numpy as np
from numcodecs import Zlib, GZip, Blosc
root = sys.argv[1]
comps = {"raw": None, "zlib": Zlib(level=3), "gzip": GZip(level=5), "blosc": Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE)}
dtypes = ["u1","u2","u4","u8","i1","i2","i4","i8","f4","f8"]
rng = np.random.default_rng(7)
i = 0
for dt in dtypes:
    for name, comp in comps.items():
        sep = "/" if i % 2 else "."
        order = "F" if i % 5 == 0 else "C"
        i += 1
        path = os.path.join(root, f"{dt}-{name}.zarr")
        a = zarr.open(path, mode="w", shape=(9, 11, 6), chunks=(4, 5, 4), dtype=dt, compressor=comp,
                      fill_value=3, dimension_separator=sep, order=order)
        v = (rng.integers(0, 100, size=(8, 11, 6)) * (1.5 if dt[0] == "f" else 1)).astype(dt)
        a[:8] = v  # z = 8 stays missing: fill value 3
        full = np.ascontiguousarray(a[...]).astype(np.dtype(dt).newbyteorder("<"))
        print(path, hashlib.sha256(full.tobytes()).hexdigest())
`;
    const lines = runPython(script, [root]).trim().split("\n");
    expect(lines).toHaveLength(40);
    for (const line of lines) {
      const [path, digest] = line.split(" ");
      const volume = await openVolume(path);
      expect(volume.shape).toEqual([9, 11, 6]);
      const data = (await volume.read()).data;
      expect(sha256(data), path).toBe(digest);
      expect(Number(data[data.length - 1])).toBe(3);
    }
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
