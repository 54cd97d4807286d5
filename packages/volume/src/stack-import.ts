import { readdir, rename, rm, stat } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { Box } from "./box.js";
import type { CompressorConfig } from "./compressor.js";
import type { DataType, TypedArray } from "./dtype.js";
import { typedArrayFor } from "./dtype.js";
import { InvalidInputError, OutputExistsError, PathNotFoundError, ShapeMismatchError } from "./errors.js";
import { openHdf5Dataset } from "./hdf5.js";
import { isHdf5File } from "./hdf5-signature.js";
import { naturalCompare } from "./natural-sort.js";
import { readPng, readTiffPages, type SectionImage } from "./section-image.js";
import { createVolume, openVolume, type Volume } from "./volume.js";
import type { VolumeAttrs } from "./zarr-metadata.js";

/** Options of {@link importStack}. */
export interface ImportStackOptions {
  /** Chunk shape of the output (default `[min(depth, 16), min(height, 256), min(width, 256)]`). Memory used is one z-chunk of sections. */
  chunks?: readonly number[];
  /** Output compressor (default zlib 5). */
  compressor?: CompressorConfig | null;
  /** Voxel size in nm (z, y, x), stored in `.zattrs`. */
  resolution?: number[];
  /** World offset in nm, stored in `.zattrs`. */
  offset?: number[];
  /** HDF5 dataset to import (default: the file's only dataset). */
  dataset?: string;
  /** Replace an existing output array (default false). */
  overwrite?: boolean;
  /** Called after each slab with sections done and total. */
  onProgress?: (done: number, total: number) => void;
}

const IMAGE_EXTENSIONS = new Set([".png", ".tif", ".tiff"]);
const HDF5_EXTENSIONS = new Set([".h5", ".hdf5", ".hdf"]);

/** Kind of section source a path is. */
export type StackSourceKind = "image-folder" | "tiff" | "hdf5";

/**
 * Tell which kind of stack `source` is: a folder of sections, a `.tif`/`.tiff` file, or an HDF5 file
 * (by its `.h5`/`.hdf5`/`.hdf` extension, or by its signature). Throws {@link PathNotFoundError} when
 * nothing is there, {@link InvalidInputError} for a zarr array or a file of another kind.
 */
export async function stackSourceKind(source: string): Promise<StackSourceKind> {
  const info = await stat(source).catch(() => undefined);
  if (!info) {
    throw new PathNotFoundError("stack source not found", {
      path: source,
      expected: "a folder of PNG/TIFF sections, a multi-page .tif/.tiff, or an .h5/.hdf5 file",
      found: "nothing at this path",
    });
  }
  if (info.isDirectory()) {
    if (await isZarrArray(source)) {
      throw new InvalidInputError("the source is a zarr array already: nothing to import", {
        path: source,
        expected: "a folder of PNG/TIFF sections, a multi-page .tif/.tiff, or an .h5/.hdf5 file",
        found: "a zarr array (.zarray): use it as it is",
      });
    }
    return "image-folder";
  }
  const ext = extname(source).toLowerCase();
  if (ext === ".tif" || ext === ".tiff") return "tiff";
  if (HDF5_EXTENSIONS.has(ext) || isHdf5File(source)) return "hdf5";
  throw new InvalidInputError("unsupported stack source", {
    path: source,
    expected: "a folder of PNG/TIFF sections, a multi-page .tif/.tiff, or an .h5/.hdf5 file",
    found: ext || "no extension",
  });
}

/** Accumulates sections into z-chunk-deep slabs and writes whole slabs. */
class SlabWriter {
  readonly #volume: Volume;
  readonly #slab: TypedArray;
  readonly #sectionSize: number;
  #slabStart = 0;
  #filled = 0;

  constructor(volume: Volume) {
    this.#volume = volume;
    this.#sectionSize = volume.shape.slice(1).reduce((a, b) => a * b, 1);
    this.#slab = new (typedArrayFor(volume.dtype))(volume.chunks[0] * this.#sectionSize);
  }

  async add(section: TypedArray): Promise<void> {
    (this.#slab as Uint8Array).set(section as Uint8Array, this.#filled * this.#sectionSize);
    if (++this.#filled === this.#volume.chunks[0]) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#filled === 0) return;
    const [, ...rest] = this.#volume.shape;
    const box = new Box([this.#slabStart, ...rest.map(() => 0)], [this.#slabStart + this.#filled, ...rest]);
    await this.#volume.write(box, this.#slab.subarray(0, box.size));
    this.#slabStart += this.#filled;
    this.#filled = 0;
  }
}

/**
 * Import a stack of sections into a new zarr volume (z, y, x): a folder of 8/16-bit grayscale PNG or
 * TIFF files (natural sort of names: `s2` before `s10`), a multi-page TIFF, or an HDF5 dataset (gzip or
 * uncompressed). Works through a temporary folder renamed into place at the end, so a failed import
 * never leaves a half-written volume at `output`.
 */
export async function importStack(
  source: string,
  output: string,
  options: ImportStackOptions = {},
): Promise<Volume> {
  const kind = await stackSourceKind(source);
  if (options.dataset !== undefined && kind !== "hdf5") {
    throw new InvalidInputError("a dataset name applies to HDF5 sources only", {
      path: source,
      field: "dataset (--dataset)",
      expected: "an HDF5 source, or no dataset name",
      found: kind === "tiff" ? "a TIFF file" : "a folder of sections",
    });
  }
  await assertReplaceable(output, options.overwrite === true);
  const staging = `${output.replace(/\/+$/, "")}.importing-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    if (kind === "hdf5") await importHdf5(source, staging, options);
    else if (kind === "tiff") await importTiff(source, staging, options);
    else await importImageFolder(source, staging, options);
    await rm(output, { recursive: true, force: true });
    await rename(staging, output);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return openVolume(output);
}

async function isZarrArray(path: string): Promise<boolean> {
  return (await stat(join(path, ".zarray")).catch(() => undefined))?.isFile() === true;
}

/**
 * Refuse to import into `output` when something is there, unless `overwrite`; even then, only a zarr
 * array or an empty folder is replaced, never a file or a folder of other data.
 */
async function assertReplaceable(output: string, overwrite: boolean): Promise<void> {
  const info = await stat(output).catch(() => undefined);
  if (!info) return;
  const found = info.isDirectory()
    ? (await isZarrArray(output))
      ? "a zarr array"
      : (await readdir(output)).length === 0
        ? "an empty folder"
        : "a folder that is not a zarr array"
    : "a file";
  if (!overwrite) {
    throw new OutputExistsError("output exists already", {
      path: output,
      field: "overwrite",
      expected: "no file at the output path, or overwrite: true (--overwrite)",
      found,
    });
  }
  if (found === "a file" || found === "a folder that is not a zarr array") {
    throw new OutputExistsError("output exists and is not a zarr array, so overwrite does not replace it", {
      path: output,
      field: "overwrite",
      expected: "a zarr array or an empty folder at the output path (or a new path)",
      found,
    });
  }
}

function sectionDtype(image: SectionImage): DataType {
  return image.data instanceof Uint16Array ? "uint16" : "uint8";
}

async function createFor(
  path: string,
  shape: number[],
  dtype: DataType,
  source: string,
  options: ImportStackOptions,
): Promise<Volume> {
  const chunks = options.chunks ?? shape.map((s, i) => Math.max(1, Math.min(s, i === 0 ? 16 : 256)));
  const attrs: VolumeAttrs = { provenance: { importedFrom: source, importedAt: new Date().toISOString() } };
  if (options.resolution) attrs.resolution = options.resolution;
  if (options.offset) attrs.offset = options.offset;
  return createVolume(path, { shape, chunks, dtype, compressor: options.compressor, attrs });
}

function checkSection(image: SectionImage, first: SectionImage, file: string, what: string): void {
  if (
    image.height !== first.height ||
    image.width !== first.width ||
    sectionDtype(image) !== sectionDtype(first)
  ) {
    throw new ShapeMismatchError("section differs from the first one", {
      path: file,
      field: what,
      expected: `${first.height}×${first.width} ${sectionDtype(first)}`,
      found: `${image.height}×${image.width} ${sectionDtype(image)}`,
    });
  }
}

async function importImageFolder(folder: string, output: string, options: ImportStackOptions): Promise<void> {
  const names = (await readdir(folder))
    .filter((name) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase()))
    .sort(naturalCompare);
  if (names.length === 0) {
    throw new InvalidInputError("no section images in the folder", {
      path: folder,
      expected: "*.png, *.tif or *.tiff files",
      found: "none",
    });
  }
  const readSection = async (name: string): Promise<SectionImage> => {
    const file = join(folder, name);
    if (extname(name).toLowerCase() === ".png") return readPng(file);
    const pages: SectionImage[] = [];
    const count = await readTiffPages(file, (page) => {
      pages.push(page);
    });
    if (count !== 1) {
      throw new InvalidInputError("a section file holds several pages", {
        path: file,
        expected: "one page per file in a folder of sections",
        found: `${count} pages`,
      });
    }
    return pages[0];
  };
  const first = await readSection(names[0]);
  const volume = await createFor(
    output,
    [names.length, first.height, first.width],
    sectionDtype(first),
    folder,
    options,
  );
  const writer = new SlabWriter(volume);
  for (let z = 0; z < names.length; z++) {
    const image = z === 0 ? first : await readSection(names[z]);
    checkSection(image, first, join(folder, names[z]), `section ${z} (${basename(names[z])})`);
    await writer.add(image.data);
    if ((z + 1) % volume.chunks[0] === 0 || z === names.length - 1) options.onProgress?.(z + 1, names.length);
  }
  await writer.flush();
}

async function importTiff(file: string, output: string, options: ImportStackOptions): Promise<void> {
  let volume: Volume | undefined;
  let writer: SlabWriter | undefined;
  let first: SectionImage | undefined;
  await readTiffPages(file, async (page, index, count) => {
    if (!first) {
      first = page;
      volume = await createFor(output, [count, page.height, page.width], sectionDtype(page), file, options);
      writer = new SlabWriter(volume);
    }
    checkSection(page, first, file, `page ${index}`);
    await writer!.add(page.data);
    if ((index + 1) % volume!.chunks[0] === 0 || index === count - 1) options.onProgress?.(index + 1, count);
  });
  if (!writer)
    throw new InvalidInputError("TIFF has no pages", { path: file, expected: "at least one page" });
  await writer.flush();
}

async function importHdf5(file: string, output: string, options: ImportStackOptions): Promise<void> {
  const dataset = await openHdf5Dataset(file, options.dataset);
  try {
    const attrs = dataset.attrs;
    const resolution =
      options.resolution ?? (Array.isArray(attrs.resolution) ? (attrs.resolution as number[]) : undefined);
    const volume = await createFor(output, dataset.shape, dataset.dtype, `${file}:${dataset.name}`, {
      ...options,
      resolution,
    });
    const depth = dataset.shape[0];
    const step = volume.chunks[0];
    const rest = dataset.shape.slice(1);
    for (let z = 0; z < depth; z += step) {
      const end = Math.min(z + step, depth);
      const slab = dataset.read(z, end);
      await volume.write(new Box([z, ...rest.map(() => 0)], [end, ...rest]), slab);
      options.onProgress?.(end, depth);
    }
  } finally {
    dataset.close();
  }
}
