// Section sources read stacks that python (numpy, PIL, tifffile, zarr) wrote: an independent writer.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pythonHas, runPython, tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { AlignInputError } from "./errors.js";
import { openSectionSource } from "./source.js";
import {
  NonFiniteSectionError,
  NothingToAlignError,
  SectionSizeError,
  UnreadableSectionError,
} from "./source-errors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Python that writes images: `img(z, h, w, dtype)` is a deterministic pattern that encodes z. */
const PY_HEAD = `
import sys, os, json
import numpy as np
def img(z, h, w, dtype="uint8"):
    y, x = np.mgrid[0:h, 0:w]
    return ((z * 37 + y * 5 + x * 3) % (250 if dtype == "uint8" else 60000)).astype(dtype)
`;

function py(body: string, ...args: string[]): string {
  return runPython(`${PY_HEAD}\n${body}`, args);
}

/** The pattern python's `img` draws, as float32. */
function pattern(z: number, h: number, w: number, mod = 250): Float32Array {
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = (z * 37 + y * 5 + x * 3) % mod;
  return out;
}

const folder = (name: string) => {
  const path = join(tmp.path, name);
  mkdirSync(path, { recursive: true });
  return path;
};

describe.skipIf(!pythonHas("numpy", "PIL", "tifffile", "zarr"))("openSectionSource", () => {
  it("reads a folder of PNG files in natural order (s2 before s10), with their size and dtype", async () => {
    const dir = folder("png");
    py(
      `from PIL import Image
for z, name in enumerate(["s1", "s2", "s10"]):
    Image.fromarray(img(z, 12, 9)).save(os.path.join(sys.argv[1], name + ".png"))`,
      dir,
    );
    const source = await openSectionSource(dir);
    expect([source.depth, source.height, source.width, source.dtype, source.kind]).toEqual([
      3,
      12,
      9,
      "uint8",
      "image-folder",
    ]);
    expect(source.name(2)).toBe(join(dir, "s10.png"));
    expect(await source.read(2)).toEqual(pattern(2, 12, 9));
    expect(await source.read(0)).toEqual(pattern(0, 12, 9));
  });

  it("reads 16-bit PNG and single-page TIFF sections, and a multi-page TIFF as a stack", async () => {
    const dir = folder("png16");
    const tifs = folder("tifs");
    const stack = join(tmp.path, "stack.tif");
    py(
      `from PIL import Image
import tifffile
for z in range(2):
    Image.fromarray(img(z, 10, 7, "uint16")).save(os.path.join(sys.argv[1], f"a{z}.png"))
    tifffile.imwrite(os.path.join(sys.argv[2], f"t{z}.tif"), img(z, 10, 7, "uint16"))
tifffile.imwrite(sys.argv[3], np.stack([img(z, 10, 7) for z in range(3)]), photometric="minisblack")`,
      dir,
      tifs,
      stack,
    );
    const png = await openSectionSource(dir);
    expect(png.dtype).toBe("uint16");
    expect(await png.read(1)).toEqual(pattern(1, 10, 7, 60000));
    const tif = await openSectionSource(tifs);
    expect([tif.depth, tif.height, tif.width, tif.dtype]).toEqual([2, 10, 7, "uint16"]);
    expect(await tif.read(1)).toEqual(pattern(1, 10, 7, 60000));
    const pages = await openSectionSource(stack);
    expect([pages.kind, pages.depth, pages.dtype]).toEqual(["tiff", 3, "uint8"]);
    expect(await pages.read(2)).toEqual(pattern(2, 10, 7));
  });

  it("refuses sections of different sizes up front (from the headers), naming the file and both sizes", async () => {
    for (const ext of ["png", "tif"]) {
      const dir = folder(`sizes-${ext}`);
      py(
        `from PIL import Image
import tifffile
def save(a, path):
    Image.fromarray(a).save(path) if path.endswith(".png") else tifffile.imwrite(path, a)
save(img(0, 12, 9), os.path.join(sys.argv[1], "s0.${ext}"))
save(img(1, 12, 9), os.path.join(sys.argv[1], "s1.${ext}"))
save(img(2, 13, 9), os.path.join(sys.argv[1], "s2.${ext}"))`,
        dir,
      );
      const error = await openSectionSource(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SectionSizeError);
      expect((error as Error).message).toContain(join(dir, `s2.${ext}`));
      expect((error as Error).message).toMatch(/expected: 12×9 uint8; found: 13×9 uint8/);
      expect((error as SectionSizeError).exitStatus).toBe(2);
    }
  });

  it("refuses non-image files, files that are not what their name says, an empty folder, a single section", async () => {
    const dir = folder("mixed");
    py(
      `from PIL import Image
for z in range(2): Image.fromarray(img(z, 8, 8)).save(os.path.join(sys.argv[1], f"s{z}.png"))`,
      dir,
    );
    writeFileSync(join(dir, "notes.txt"), "not a section");
    const mixed = await openSectionSource(dir).catch((e: unknown) => e);
    expect(mixed).toBeInstanceOf(AlignInputError);
    expect((mixed as Error).message).toContain(join(dir, "notes.txt"));

    const fake = folder("fake");
    py(
      `from PIL import Image
for z in range(2): Image.fromarray(img(z, 8, 8)).save(os.path.join(sys.argv[1], f"s{z}.png"))`,
      fake,
    );
    writeFileSync(join(fake, "s2.png"), "this is text, not a PNG");
    const notPng = await openSectionSource(fake).catch((e: unknown) => e);
    expect(notPng).toBeInstanceOf(UnreadableSectionError);
    expect((notPng as Error).message).toMatch(/not a PNG file; path: .*s2\.png/);

    const empty = folder("empty");
    await expect(openSectionSource(empty)).rejects.toThrow(NothingToAlignError);
    await expect(openSectionSource(empty)).rejects.toThrow(/no sections: nothing to align/);

    const single = folder("single");
    py(
      `from PIL import Image\nImage.fromarray(img(0, 8, 8)).save(os.path.join(sys.argv[1], "only.png"))`,
      single,
    );
    await expect(openSectionSource(single)).rejects.toThrow(/a single section: nothing to align/);
  });

  it("a PNG whose header is fine but whose data is cut off fails on read, naming the file", async () => {
    const dir = folder("truncated");
    py(
      `from PIL import Image
for z in range(3): Image.fromarray(img(z, 64, 64)).save(os.path.join(sys.argv[1], f"s{z}.png"))
path = os.path.join(sys.argv[1], "s1.png")
data = open(path, "rb").read()
open(path, "wb").write(data[: len(data) // 2])`,
      dir,
    );
    const source = await openSectionSource(dir);
    expect(await source.read(0)).toEqual(pattern(0, 64, 64));
    const error = await source.read(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreadableSectionError);
    expect((error as Error).message).toContain(join(dir, "s1.png"));
  });

  it("reads a zarr array of any numeric dtype and its resolution; NaN in a float zarr names section and position", async () => {
    const ints = join(tmp.path, "int16.zarr");
    const floats = join(tmp.path, "float.zarr");
    const flat = join(tmp.path, "flat.zarr");
    py(
      `import zarr
a = zarr.open(sys.argv[1], mode="w", shape=(3, 10, 7), chunks=(2, 4, 4), dtype="int16")
a[:] = np.stack([img(z, 10, 7).astype("int16") - 100 for z in range(3)])
a.attrs["resolution"] = [40, 4, 4]
f = zarr.open(sys.argv[2], mode="w", shape=(4, 10, 7), chunks=(1, 10, 7), dtype="float32")
f[:] = np.stack([img(z, 10, 7).astype("float32") for z in range(4)])
f[2, 3, 4] = np.nan
f[2, 5, 5] = np.inf
zarr.open(sys.argv[3], mode="w", shape=(10, 7), dtype="uint8")`,
      ints,
      floats,
      flat,
    );
    const source = await openSectionSource(ints);
    expect([source.kind, source.dtype, source.depth, source.resolution]).toEqual([
      "zarr",
      "int16",
      3,
      [40, 4, 4],
    ]);
    expect(await source.read(1)).toEqual(pattern(1, 10, 7).map((v) => v - 100));
    expect(source.name(1)).toBe(`${ints} z=1`);

    const f = await openSectionSource(floats);
    expect(await f.read(1)).toEqual(pattern(1, 10, 7));
    const error = await f.read(2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteSectionError);
    expect((error as Error).message).toMatch(/section z=2 holds NaN at y=3, x=4/);
    expect((error as Error).message).toContain(floats);
    expect((error as Error).message).toMatch(/2 non-finite values/);

    await expect(openSectionSource(flat)).rejects.toThrow(/not 3-D/);
    await expect(openSectionSource(join(tmp.path, "nothing-here"))).rejects.toThrow(/input not found/);
  });
});
