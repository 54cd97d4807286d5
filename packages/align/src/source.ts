import { open, readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import {
  Box,
  type DataType,
  naturalCompare,
  openVolume,
  PathNotFoundError,
  readPng,
  readTiffPages,
  type SectionImage,
  type TesseraError,
  type Volume,
} from "@tessera/volume";
import { AlignInputError } from "./errors.js";
import {
  NonFiniteSectionError,
  NothingToAlignError,
  SectionSizeError,
  UnreadableSectionError,
} from "./source-errors.js";
import type { SectionSource } from "./stack-types.js";

/** Where the sections of an {@link OpenedSectionSource} come from. */
export type SectionSourceKind = "image-folder" | "tiff" | "zarr";

/** A {@link SectionSource} opened from a path, with what the outputs need to know about it. */
export interface OpenedSectionSource extends SectionSource {
  /** The path it was opened from. */
  readonly input: string;
  readonly kind: SectionSourceKind;
  /** Element type of the input (uint8/uint16 for images; the array's dtype for zarr). */
  readonly dtype: DataType;
  /** Voxel size in nm (z, y, x) from the zarr array's `resolution` attribute, when it has one. */
  readonly resolution?: number[];
}

const IMAGE_EXTENSIONS = new Set([".png", ".tif", ".tiff"]);
const FOLDER_EXPECTED = "a folder of PNG/TIFF sections, a multi-page .tif/.tiff, or a 3-D zarr array";

/**
 * Open a stack of sections for alignment: a folder of 8/16-bit grayscale PNG or TIFF files (one
 * section per file, natural sort of names: `s2` before `s10`; hidden files are ignored), a
 * multi-page TIFF file, or a 3-D (z, y, x) zarr array of any numeric dtype.
 *
 * Checks up front what is cheap, before any output is written: an empty folder or a single section
 * ({@link NothingToAlignError}), files that are not section images, and each image's size and bit
 * depth from its header ({@link SectionSizeError} naming the file and both sizes,
 * {@link UnreadableSectionError} for a file that is not a PNG/TIFF). Reading a section checks the
 * rest: a file that cannot be decoded ({@link UnreadableSectionError}), NaN or ±Infinity in a float
 * zarr ({@link NonFiniteSectionError} naming the section and the position).
 */
export async function openSectionSource(input: string): Promise<OpenedSectionSource> {
  const info = await stat(input).catch(() => undefined);
  if (!info) {
    throw new PathNotFoundError("input not found", {
      path: input,
      expected: FOLDER_EXPECTED,
      found: "nothing at this path",
    });
  }
  if (info.isDirectory()) {
    const zarr = (await exists(join(input, ".zarray"))) || (await exists(join(input, ".zgroup")));
    return zarr ? openZarrSource(input) : openImageFolder(input);
  }
  const ext = extname(input).toLowerCase();
  if (ext === ".tif" || ext === ".tiff") return openTiffStack(input);
  throw new AlignInputError("unsupported input", {
    path: input,
    expected: FOLDER_EXPECTED,
    found: ext ? `a ${ext} file` : "a file without extension",
  });
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

function assertSeveral(depth: number, input: string, what: string): void {
  if (depth === 0) {
    throw new NothingToAlignError(`no sections: nothing to align`, {
      path: input,
      expected: `at least two sections (${what})`,
      found: "none",
    });
  }
  if (depth === 1) {
    throw new NothingToAlignError("a single section: nothing to align", {
      path: input,
      expected: `at least two sections (${what})`,
      found: "one section",
    });
  }
}

/** Height, width and dtype of a section image, as read from its header (or decoded). */
interface ImageHeader {
  height: number;
  width: number;
  dtype: DataType;
}

const sizeText = (h: ImageHeader) => `${h.height}×${h.width} ${h.dtype}`;

function imageDtype(image: SectionImage): DataType {
  return image.data instanceof Uint16Array ? "uint16" : "uint8";
}

function toFloat32(data: ArrayLike<number>): Float32Array {
  return Float32Array.from(data);
}

/** Read `length` bytes at `position` of `file` (fewer at the end of the file). */
async function readBytes(file: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Size and dtype from a PNG's IHDR chunk; throws {@link UnreadableSectionError} when it is no grayscale 8/16-bit PNG. */
async function pngHeader(file: string): Promise<ImageHeader> {
  const head = await readBytes(file, 0, 26);
  if (
    head.length < 26 ||
    !head.subarray(0, 8).equals(PNG_SIGNATURE) ||
    head.toString("latin1", 12, 16) !== "IHDR"
  ) {
    throw new UnreadableSectionError("not a PNG file", {
      path: file,
      expected: "a PNG image (signature and IHDR header)",
      found: head.length < 26 ? `${head.length} bytes` : "other bytes",
    });
  }
  const width = head.readUInt32BE(16);
  const height = head.readUInt32BE(20);
  const depth = head[24];
  const colourType = head[25];
  if (colourType !== 0 || (depth !== 8 && depth !== 16)) {
    throw new UnreadableSectionError("unsupported PNG layout", {
      path: file,
      field: "IHDR",
      expected: "grayscale (colour type 0), 8 or 16 bits",
      found: `colour type ${colourType}, ${depth} bits`,
    });
  }
  return { height, width, dtype: depth === 16 ? "uint16" : "uint8" };
}

/**
 * Size and dtype from a classic TIFF's first IFD (ImageWidth, ImageLength, BitsPerSample); undefined
 * for a BigTIFF or a layout this does not parse (then checked when the section is read). Throws
 * {@link UnreadableSectionError} when it is no TIFF, or holds several pages.
 */
async function tiffHeader(file: string): Promise<ImageHeader | undefined> {
  const head = await readBytes(file, 0, 8);
  const order = head.toString("latin1", 0, 2);
  const le = order === "II";
  const u16 = (b: Buffer, at: number) => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const u32 = (b: Buffer, at: number) => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
  if (head.length < 8 || (order !== "II" && order !== "MM") || ![42, 43].includes(u16(head, 2))) {
    throw new UnreadableSectionError("not a TIFF file", {
      path: file,
      expected: "a TIFF image (II/MM byte order and magic 42)",
      found: head.length < 8 ? `${head.length} bytes` : "other bytes",
    });
  }
  if (u16(head, 2) === 43) return undefined; // BigTIFF: checked on read
  const ifd = u32(head, 4);
  const countBytes = await readBytes(file, ifd, 2);
  if (countBytes.length < 2) return undefined;
  const count = u16(countBytes, 0);
  const entries = await readBytes(file, ifd + 2, count * 12 + 4);
  if (entries.length < count * 12 + 4) return undefined;
  const tags = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const at = i * 12;
    const tag = u16(entries, at);
    const type = u16(entries, at + 2);
    const n = u32(entries, at + 4);
    if (n !== 1) continue;
    if (type === 3) tags.set(tag, u16(entries, at + 8));
    else if (type === 4) tags.set(tag, u32(entries, at + 8));
  }
  if (u32(entries, count * 12) !== 0) {
    throw new UnreadableSectionError("a section file holds several pages", {
      path: file,
      expected: "one page per file in a folder of sections (or give the multi-page TIFF itself as --input)",
      found: "more than one page",
    });
  }
  const width = tags.get(256);
  const height = tags.get(257);
  const bits = tags.get(258) ?? 1;
  if (width === undefined || height === undefined) return undefined;
  if (bits !== 8 && bits !== 16) {
    throw new UnreadableSectionError("unsupported TIFF layout", {
      path: file,
      field: "BitsPerSample",
      expected: "1 sample per pixel, unsigned 8 or 16 bits",
      found: `${bits} bits`,
    });
  }
  return { height, width, dtype: bits === 16 ? "uint16" : "uint8" };
}

/** Decode one section file (PNG, or single-page TIFF), wrapping decoder errors in {@link UnreadableSectionError}. */
async function decodeSectionFile(file: string): Promise<SectionImage> {
  try {
    if (extname(file).toLowerCase() === ".png") return await readPng(file);
    const pages: SectionImage[] = [];
    const count = await readTiffPages(file, (page) => {
      pages.push(page);
    });
    if (count !== 1) {
      throw new UnreadableSectionError("a section file holds several pages", {
        path: file,
        expected: "one page per file in a folder of sections (or give the multi-page TIFF itself as --input)",
        found: `${count} pages`,
      });
    }
    return pages[0];
  } catch (error) {
    if (error instanceof UnreadableSectionError) throw error;
    const e = error as TesseraError;
    throw new UnreadableSectionError("cannot read section image", {
      path: file,
      field: e.field,
      expected: e.expected ?? "a grayscale 8/16-bit PNG or TIFF image",
      found: e.found ?? (e.cause instanceof Error ? e.cause.message : e.message),
      cause: error,
    });
  }
}

function checkSize(found: ImageHeader, first: ImageHeader, file: string, firstName: string, z: number): void {
  if (found.height !== first.height || found.width !== first.width || found.dtype !== first.dtype) {
    throw new SectionSizeError(`section ${z} differs in size from the first section (${firstName})`, {
      path: file,
      field: `section ${z}`,
      expected: sizeText(first),
      found: sizeText(found),
    });
  }
}

async function openImageFolder(folder: string): Promise<OpenedSectionSource> {
  const entries = (await readdir(folder, { withFileTypes: true })).filter((e) => !e.name.startsWith("."));
  const others = entries.filter((e) => !e.isFile() || !IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase()));
  if (others.length > 0) {
    const names = others.map((e) => (e.isFile() ? e.name : `${e.name}/`)).sort(naturalCompare);
    throw new AlignInputError("the folder holds files that are not section images", {
      path: join(folder, names[0]),
      expected: "only *.png, *.tif, *.tiff section files (move other files out of the folder)",
      found: `${names.slice(0, 5).join(", ")}${names.length > 5 ? ` and ${names.length - 5} more` : ""}`,
    });
  }
  const files = entries
    .map((e) => e.name)
    .sort(naturalCompare)
    .map((name) => join(folder, name));
  assertSeveral(files.length, folder, "*.png, *.tif or *.tiff files");
  const headers: (ImageHeader | undefined)[] = [];
  for (const file of files) {
    headers.push(extname(file).toLowerCase() === ".png" ? await pngHeader(file) : await tiffHeader(file));
  }
  const expected = headers[0] ?? headerOf(await decodeSectionFile(files[0]));
  for (let z = 1; z < files.length; z++) {
    const h = headers[z];
    if (h !== undefined) checkSize(h, expected, files[z], files[0], z);
  }
  return {
    input: folder,
    kind: "image-folder",
    dtype: expected.dtype,
    depth: files.length,
    height: expected.height,
    width: expected.width,
    name: (z) => files[z],
    async read(z) {
      const file = files[checkIndex(z, files.length, folder)];
      const image = await decodeSectionFile(file);
      checkSize(headerOf(image), expected, file, files[0], z);
      return toFloat32(image.data);
    },
  };
}

function headerOf(image: SectionImage): ImageHeader {
  return { height: image.height, width: image.width, dtype: imageDtype(image) };
}

function checkIndex(z: number, depth: number, input: string): number {
  if (!Number.isInteger(z) || z < 0 || z >= depth) {
    throw new AlignInputError("section index out of range", {
      path: input,
      field: "z",
      expected: `an integer from 0 to ${depth - 1}`,
      found: String(z),
    });
  }
  return z;
}

async function openTiffStack(file: string): Promise<OpenedSectionSource> {
  const pages: SectionImage[] = [];
  await readTiffPages(file, (page, index) => {
    if (pages.length > 0) checkSize(headerOf(page), headerOf(pages[0]), file, `${file} page 0`, index);
    pages.push(page);
  }).catch((error: unknown) => {
    if (error instanceof SectionSizeError) throw error;
    const e = error as TesseraError;
    throw new UnreadableSectionError("cannot read TIFF stack", {
      path: file,
      field: e.field,
      expected: e.expected ?? "a grayscale 8/16-bit (multi-page) TIFF",
      found: e.found ?? (e.cause instanceof Error ? e.cause.message : e.message),
      cause: error,
    });
  });
  assertSeveral(pages.length, file, "TIFF pages");
  const first = headerOf(pages[0]);
  return {
    input: file,
    kind: "tiff",
    dtype: first.dtype,
    depth: pages.length,
    height: first.height,
    width: first.width,
    name: (z) => `${file} page ${z}`,
    async read(z) {
      return toFloat32(pages[checkIndex(z, pages.length, file)].data);
    },
  };
}

async function openZarrSource(path: string): Promise<OpenedSectionSource> {
  const volume: Volume = await openVolume(path);
  if (volume.ndim !== 3) {
    throw new AlignInputError("the zarr array is not 3-D", {
      path,
      field: "shape",
      expected: "3 axes (z, y, x)",
      found: `${volume.ndim} axes: ${volume.shape.join("×")}`,
    });
  }
  const [depth, height, width] = volume.shape;
  assertSeveral(depth, path, "z-slices of the zarr array");
  const float = volume.dtype === "float32" || volume.dtype === "float64";
  const resolution = Array.isArray(volume.resolution) ? [...volume.resolution] : undefined;
  return {
    input: path,
    kind: "zarr",
    dtype: volume.dtype,
    resolution,
    depth,
    height,
    width,
    name: (z) => `${path} z=${z}`,
    async read(z) {
      checkIndex(z, depth, path);
      const data = (await volume.read(new Box([z, 0, 0], [z + 1, height, width]))).data;
      if (typeof data[0] === "bigint") {
        const out = new Float32Array(data.length);
        for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
        return out;
      }
      const values = data as Float32Array | Float64Array;
      if (float) assertFinite(values, path, z, width);
      return values instanceof Float32Array ? values : toFloat32(values as ArrayLike<number>);
    },
  };
}

/** Throw {@link NonFiniteSectionError} naming section z and the first non-finite value's position. */
function assertFinite(values: Float32Array | Float64Array, path: string, z: number, width: number): void {
  let first = -1;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (first < 0) return;
  const y = Math.floor(first / width);
  const x = first % width;
  const more = count > 1 ? ` (${count} non-finite values in this section)` : "";
  throw new NonFiniteSectionError(`section z=${z} holds ${values[first]} at y=${y}, x=${x}`, {
    path,
    field: `section z=${z}`,
    expected: "finite values (replace NaN/Infinity, e.g. by 0, before aligning)",
    found: `${values[first]} at (z=${z}, y=${y}, x=${x})${more}`,
  });
}
