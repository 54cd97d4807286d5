import { readFile } from "node:fs/promises";
import { decode as decodePng } from "fast-png";
import { InvalidInputError } from "./errors.js";

/** One 2-D grayscale section read from an image file. */
export interface SectionImage {
  height: number;
  width: number;
  /** Pixel values, row-major. */
  data: Uint8Array | Uint16Array;
}

/** Decode a grayscale 8- or 16-bit PNG file. */
export async function readPng(path: string): Promise<SectionImage> {
  let image: ReturnType<typeof decodePng>;
  try {
    image = decodePng(await readFile(path));
  } catch (error) {
    throw new InvalidInputError("cannot decode PNG", { path, expected: "a PNG file", cause: error });
  }
  if (image.channels !== 1 || (image.depth !== 8 && image.depth !== 16) || image.palette) {
    throw new InvalidInputError("unsupported PNG layout", {
      path,
      field: "channels/depth",
      expected: "1 channel (grayscale), 8 or 16 bits, no palette",
      found: `${image.channels} channel(s), ${image.depth} bits${image.palette ? ", palette" : ""}`,
    });
  }
  return { height: image.height, width: image.width, data: image.data as Uint8Array | Uint16Array };
}

/** Decode every page of a (multi-page) grayscale 8/16-bit TIFF file, in page order. */
export async function readTiffPages(
  path: string,
  onPage?: (page: SectionImage, index: number, count: number) => Promise<void> | void,
): Promise<number> {
  const bytes = await readFile(path);
  // geotiff is loaded on first use: its web-worker dependency takes over any worker thread that
  // imports it, which would break worker pools of packages that import @tessera/volume.
  const { fromArrayBuffer } = await import("geotiff");
  let tiff: Awaited<ReturnType<typeof fromArrayBuffer>>;
  let count: number;
  try {
    tiff = await fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    count = await tiff.getImageCount();
  } catch (error) {
    throw new InvalidInputError("cannot decode TIFF", { path, expected: "a TIFF file", cause: error });
  }
  for (let index = 0; index < count; index++) {
    const image = await tiff.getImage(index);
    const samples = image.getSamplesPerPixel();
    const bits = image.getBitsPerSample();
    const format = image.getSampleFormat?.() ?? 1;
    if (samples !== 1 || (bits !== 8 && bits !== 16) || format !== 1) {
      throw new InvalidInputError("unsupported TIFF page layout", {
        path,
        field: `page ${index}`,
        expected: "1 sample per pixel, unsigned 8 or 16 bits",
        found: `${samples} sample(s), ${bits} bits, sample format ${format}`,
      });
    }
    const rasters = (await image.readRasters({ interleave: true })) as unknown as Uint8Array | Uint16Array;
    await onPage?.({ height: image.getHeight(), width: image.getWidth(), data: rasters }, index, count);
  }
  return count;
}
