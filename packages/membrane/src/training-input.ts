import { readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { naturalCompare, openVolume, readHdf5Dataset, readPng, readTiffPages } from "@tessera/volume";
import { ModelInputError } from "./errors.js";

/** A whole 3-D array read for training, `[z, y, x]` C order. */
export interface Array3d {
  data: ArrayLike<number>;
  shape: [number, number, number];
  /** The path (and dataset) it came from. */
  source: string;
}

const IMAGE_SUFFIX = /\.png$/i;

/**
 * Read a whole `[z, y, x]` array for training from any of the formats EM labs keep volumes in: a zarr
 * array folder, an HDF5 file (`file.h5:dataset`, or `file.h5` holding one dataset), a folder of PNG
 * sections (sorted by name, numbers compared as numbers), a multi-page TIFF, or a single PNG (z = 1).
 */
export async function readArray3d(spec: string): Promise<Array3d> {
  const hdf5 = /^(.*\.(?:h5|hdf5|hdf))(?::(.+))?$/i.exec(spec);
  if (hdf5) {
    const d = await readHdf5Dataset(hdf5[1], hdf5[2]);
    return { data: d.data as ArrayLike<number>, shape: shape3(d.shape, spec), source: spec };
  }
  const info = await stat(spec).catch(() => undefined);
  if (!info) {
    throw new ModelInputError("training input not found", {
      path: spec,
      expected: "a zarr array, an HDF5 file[:dataset], a folder of PNG sections or a TIFF",
    });
  }
  if (info.isDirectory()) {
    const names = await readdir(spec);
    if (names.includes(".zarray")) {
      const v = await openVolume(spec);
      const a = await v.read();
      return { data: a.data as ArrayLike<number>, shape: shape3(v.shape, spec), source: spec };
    }
    const pngs = names.filter((n) => IMAGE_SUFFIX.test(n)).sort(naturalCompare);
    if (pngs.length === 0) {
      throw new ModelInputError("the folder is neither a zarr array nor a stack of PNG sections", {
        path: spec,
        expected: "a .zarray file or *.png sections",
        found: `${names.length} entries, no PNG`,
      });
    }
    return stackOf(
      spec,
      pngs.map((n) => join(spec, n)),
    );
  }
  const ext = extname(spec).toLowerCase();
  if (ext === ".png") return stackOf(spec, [spec]);
  if (ext === ".tif" || ext === ".tiff") {
    const pages: { data: ArrayLike<number>; height: number; width: number }[] = [];
    await readTiffPages(spec, (page) => {
      pages.push(page);
    });
    return assemble(spec, pages);
  }
  throw new ModelInputError("unsupported training input", {
    path: spec,
    expected: "a zarr array, an HDF5 file[:dataset], a folder of PNG sections or a TIFF",
    found: ext || "a file without extension",
  });
}

function shape3(shape: readonly number[], source: string): [number, number, number] {
  if (shape.length === 2) return [1, shape[0], shape[1]];
  if (shape.length !== 3) {
    throw new ModelInputError("training arrays must be 3-D (z, y, x) or a single 2-D section", {
      path: source,
      expected: "2 or 3 axes",
      found: `${shape.length} axes (${shape.join("×")})`,
    });
  }
  return [shape[0], shape[1], shape[2]];
}

async function stackOf(source: string, files: string[]): Promise<Array3d> {
  const pages = [];
  for (const f of files) pages.push(await readPng(f));
  return assemble(source, pages);
}

function assemble(
  source: string,
  pages: { data: ArrayLike<number>; height: number; width: number }[],
): Array3d {
  const { height, width } = pages[0];
  const bad = pages.findIndex((p) => p.height !== height || p.width !== width);
  if (bad >= 0) {
    throw new ModelInputError("sections of different sizes", {
      path: source,
      field: `section ${bad}`,
      expected: `${height}×${width}`,
      found: `${pages[bad].height}×${pages[bad].width}`,
    });
  }
  const data = new Float32Array(pages.length * height * width);
  pages.forEach((p, z) => {
    data.set(p.data, z * height * width);
  });
  return { data, shape: [pages.length, height, width], source };
}

/** Sections `z0 ≤ z < z1` of an array (a view, no copy when the data is a typed array). */
export function sectionsOf(a: Array3d, z0: number, z1: number): Array3d {
  if (!(Number.isInteger(z0) && Number.isInteger(z1) && z0 >= 0 && z1 <= a.shape[0] && z0 < z1)) {
    throw new ModelInputError("the z range is not inside the array", {
      path: a.source,
      field: "z range",
      expected: `0 ≤ z0 < z1 ≤ ${a.shape[0]}`,
      found: `${z0}:${z1}`,
    });
  }
  const plane = a.shape[1] * a.shape[2];
  const data = a.data as ArrayLike<number> & { subarray?: (s: number, e: number) => ArrayLike<number> };
  const part = data.subarray
    ? data.subarray(z0 * plane, z1 * plane)
    : Array.prototype.slice.call(data, z0 * plane, z1 * plane);
  return { data: part, shape: [z1 - z0, a.shape[1], a.shape[2]], source: `${a.source}[${z0}:${z1}]` };
}
