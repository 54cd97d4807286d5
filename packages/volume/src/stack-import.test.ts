import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sharedData, tempDir } from "@tessera/testkit";
import { encode as encodePng } from "fast-png";
import { afterAll, describe, expect, it } from "vitest";
import { Box } from "./box.js";
import { PathNotFoundError, ShapeMismatchError } from "./errors.js";
import { naturalCompare } from "./natural-sort.js";
import { exportSlicesPng } from "./slice-export.js";
import { importStack } from "./stack-import.js";
import { createVolume } from "./volume.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

function sum(data: ArrayLike<number | bigint>): number {
  let total = 0;
  for (let i = 0; i < data.length; i++) total += Number(data[i]);
  return total;
}

async function writeSection(path: string, height: number, width: number, value: number, depth: 8 | 16 = 8) {
  const data = depth === 8 ? new Uint8Array(height * width) : new Uint16Array(height * width);
  data.fill(value);
  await writeFile(path, encodePng({ width, height, data, depth, channels: 1 }));
}

describe("naturalCompare", () => {
  it("orders embedded numbers by value", () => {
    expect(["s10.png", "s2.png", "s1.png", "s02.png"].sort(naturalCompare)).toEqual([
      "s1.png",
      "s2.png",
      "s02.png",
      "s10.png",
    ]);
  });
});

describe("importStack from a folder of sections", () => {
  it("imports 16-bit PNG sections in natural order, with progress and resolution", async () => {
    const folder = join(tmp.path, "sections16");
    await mkdir(folder);
    for (const z of [10, 2, 1]) await writeSection(join(folder, `sec${z}.png`), 5, 7, 1000 + z, 16);
    const progress: number[] = [];
    const volume = await importStack(folder, join(tmp.path, "s16.zarr"), {
      chunks: [2, 4, 4],
      resolution: [50, 4, 4],
      onProgress: (done) => progress.push(done),
    });
    expect(volume.dtype).toBe("uint16");
    expect(volume.shape).toEqual([3, 5, 7]);
    expect(volume.resolution).toEqual([50, 4, 4]);
    const data = (await volume.read()).data as Uint16Array;
    expect([data[0], data[35], data[70]]).toEqual([1001, 1002, 1010]);
    expect(progress).toEqual([2, 3]);
  });

  it("refuses a section of another size, naming the file, and leaves no output", async () => {
    const folder = join(tmp.path, "ragged");
    await mkdir(folder);
    await writeSection(join(folder, "0.png"), 4, 4, 1);
    await writeSection(join(folder, "1.png"), 4, 5, 1);
    const output = join(tmp.path, "ragged.zarr");
    const error = await importStack(folder, output).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShapeMismatchError);
    expect(String(error)).toMatch(/1\.png.*expected: 4×4 uint8; found: 4×5 uint8/);
    expect(existsSync(output)).toBe(false);
    expect(existsSync(`${output}.importing-${process.pid}`)).toBe(false);
  });

  it("refuses missing sources and folders without images", async () => {
    await expect(importStack(join(tmp.path, "nope"), join(tmp.path, "x.zarr"))).rejects.toBeInstanceOf(
      PathNotFoundError,
    );
    await mkdir(join(tmp.path, "empty"));
    await expect(importStack(join(tmp.path, "empty"), join(tmp.path, "y.zarr"))).rejects.toThrow(
      /no section images/,
    );
  });

  it("exports z-slices to PNG and imports them back unchanged", async () => {
    const volume = await createVolume(join(tmp.path, "export-src.zarr"), { shape: [3, 6, 5], dtype: "u8" });
    const data = new Uint8Array(90).map((_, i) => (i * 13) % 256);
    await volume.write(volume.bounds, data);
    const files = await exportSlicesPng(volume, join(tmp.path, "exported"));
    expect(files.map((f) => f.slice(-9))).toEqual(["z0000.png", "z0001.png", "z0002.png"]);
    const back = await importStack(join(tmp.path, "exported"), join(tmp.path, "export-back.zarr"));
    expect((await back.read()).data).toEqual(data);
  });

  it("exports float data through a value window", async () => {
    const volume = await createVolume(join(tmp.path, "float.zarr"), { shape: [1, 1, 3], dtype: "f32" });
    await volume.write(volume.bounds, new Float32Array([0, 0.5, 1]));
    await expect(exportSlicesPng(volume, join(tmp.path, "f"))).rejects.toThrow(/window/);
    const [file] = await exportSlicesPng(volume, join(tmp.path, "f"), { window: [0, 1] });
    const back = await importStack(file.replace(/z0000\.png$/, ""), join(tmp.path, "f.zarr"));
    expect(Array.from((await back.read()).data as Uint8Array)).toEqual([0, 128, 255]);
  });
});

const neuroproof = sharedData("em/neuroproof-sample2");
const isbi = sharedData("em/isbi2012");
const snemi = sharedData("em/gala-snemi-mini");
const gala = sharedData("em/gala");
const cremi = sharedData("em/cremi-example.h5");

describe.skipIf(!neuroproof.available)("real stacks from shared/data", () => {
  it("neuroproof sample 2: 250 PNG sections → 250³ uint8 with the golden sum", async () => {
    const volume = await importStack(join(neuroproof.path, "grayscale"), join(tmp.path, "np.zarr"), {
      chunks: [50, 125, 125],
      resolution: [10, 10, 10],
    });
    expect(volume.shape).toEqual([250, 250, 250]);
    expect(sum((await volume.read()).data)).toBe(2031651896);
  });

  it.skipIf(!isbi.available)(
    "ISBI 2012: sections 0–24 in natural order, golden sum and per-section means",
    async () => {
      const volume = await importStack(join(isbi.path, "image"), join(tmp.path, "isbi.zarr"));
      expect(volume.shape).toEqual([25, 512, 512]);
      const data = (await volume.read()).data;
      expect(sum(data)).toBe(820854862);
      const plane = 512 * 512;
      expect(sum(data.subarray(0, plane)) / plane).toBeCloseTo(137.2201, 4);
      expect(sum(data.subarray(24 * plane)) / plane).toBeCloseTo(127.6908, 4);
    },
  );

  it.skipIf(!snemi.available)("SNEMI mini: multi-page TIFFs (uint8 and uint16)", async () => {
    const expected: [string, number, string][] = [
      ["train-labels.tif", 11470529, "uint8"],
      ["train-probabilities.tif", 179601143, "uint8"],
      ["train-fragments.tif", 542878671, "uint16"],
    ];
    for (const [name, golden, dtype] of expected) {
      const volume = await importStack(join(snemi.path, name), join(tmp.path, `${name}.zarr`));
      expect(volume.shape).toEqual([32, 160, 160]);
      expect(volume.dtype).toBe(dtype);
      expect(sum((await volume.read()).data)).toBe(golden);
    }
  });

  it.skipIf(!gala.available)("gala: HDF5 dataset → zarr, slab by slab", async () => {
    const volume = await importStack(join(gala.path, "train-ws.h5"), join(tmp.path, "ws.zarr"), {
      chunks: [16, 50, 100],
    });
    expect(volume.dtype).toBe("int32");
    expect(sum((await volume.read()).data)).toBe(63791534);
    await expect(
      importStack(join(gala.path, "train-ws.h5"), join(tmp.path, "w2.zarr"), { dataset: "nope" }),
    ).rejects.toThrow(/expected: one of stack; found: "nope"/);
  });

  it.skipIf(!cremi.available)("CREMI file: nested uint64 dataset and its resolution attribute", async () => {
    const volume = await importStack(cremi.path, join(tmp.path, "cremi.zarr"), {
      dataset: "volumes/labels/neuron_ids",
    });
    expect(volume.dtype).toBe("uint64");
    expect(volume.shape).toEqual([1, 164, 251]);
    expect(volume.resolution).toEqual([40, 4, 4]);
    const data = (await volume.read(new Box([0, 0, 0], [1, 164, 251]))).data as BigUint64Array;
    const counts = new Map<bigint, number>();
    for (const v of data) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect(Object.fromEntries([...counts].map(([k, v]) => [String(k), v]))).toEqual({
      "0": 1562,
      "93": 13874,
      "182": 9216,
      "255": 16512,
    });
  });
});
