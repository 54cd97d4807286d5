import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encode as encodePng } from "fast-png";
import { Box } from "./box.js";
import { BoxOutOfBoundsError, InvalidInputError, UnsupportedDtypeError } from "./errors.js";
import { openOutputFolder } from "./staged-folder.js";
import type { Volume } from "./volume.js";

/** Options of {@link exportSlicesPng}. */
export interface ExportSlicesOptions {
  /** First and one-past-last z to export (default: all): integers with `0 ≤ begin < end ≤ depth`. */
  zRange?: [number, number];
  /** File name prefix (default `z`): files are `<prefix><zzzz>.png`. */
  prefix?: string;
  /**
   * Map values in `[low, high]` (low < high) linearly onto 0–255 (8-bit PNG). Required for dtypes
   * other than uint8 and uint16, which are written as they are (8- and 16-bit PNG).
   */
  window?: [number, number];
  /**
   * Write into a folder that holds files already (default false: a non-empty folder is refused with
   * `OutputExistsError`). Files of the same names are replaced; other files stay.
   */
  overwrite?: boolean;
  /** Called after each slice with slices done and total. */
  onProgress?: (done: number, total: number) => void;
}

/** The z range to export, checked against the volume's depth. */
function zRangeOf(volume: Volume, zRange: [number, number] | undefined): [number, number] {
  const depth = volume.shape[0];
  if (zRange === undefined) return [0, depth];
  const [z0, z1] = zRange;
  if (!(Number.isInteger(z0) && Number.isInteger(z1) && 0 <= z0 && z0 < z1 && z1 <= depth)) {
    throw new BoxOutOfBoundsError("z range outside the volume", {
      path: volume.path,
      field: "z range (--z)",
      expected: `start:stop with 0 ≤ start < stop ≤ ${depth} (the volume's z extent is 0:${depth})`,
      found: `${z0}:${z1}`,
    });
  }
  return [z0, z1];
}

/** Refuse what the export cannot do, before anything is written. */
function checkExport(volume: Volume, window: [number, number] | undefined): void {
  if (volume.ndim !== 3) {
    throw new UnsupportedDtypeError("slice export needs a 3-D volume", {
      path: volume.path,
      field: "shape",
      expected: "z, y, x",
      found: volume.shape.join("×"),
    });
  }
  if (window && !(Number.isFinite(window[0]) && Number.isFinite(window[1]) && window[0] < window[1])) {
    throw new InvalidInputError("invalid value window", {
      path: volume.path,
      field: "window (--window)",
      expected: "low,high with low < high, like 0,255",
      found: window.join(","),
    });
  }
  if (!window && volume.dtype !== "uint8" && volume.dtype !== "uint16") {
    throw new UnsupportedDtypeError("PNG export of this dtype needs a value window", {
      path: volume.path,
      field: "window (--window)",
      expected: "uint8/uint16 data, or a window low,high (options.window)",
      found: volume.dtype,
    });
  }
}

/** One z-slice as PNG pixels: as stored (uint8/uint16), or mapped through `window` onto 0–255. */
function pngPixels(
  slice: ArrayLike<number | bigint>,
  window: [number, number] | undefined,
): Uint8Array | Uint16Array {
  if (!window) return slice as Uint8Array | Uint16Array;
  const [low, high] = window;
  const scale = 255 / (high - low);
  const pixels = new Uint8Array(slice.length);
  for (let i = 0; i < slice.length; i++) {
    const v = (Number(slice[i]) - low) * scale;
    pixels[i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
  }
  return pixels;
}

/**
 * Write z-slices of a 3-D volume as grayscale PNG files `<prefix><zzzz>.png` in `folder`; returns the
 * file paths. Everything is checked before anything is written (3-D, window, z range, and that the
 * folder is new or empty unless `overwrite`). The slices are written into a staging folder inside
 * `folder` and moved into place only once all of them are written, so a failed export leaves the
 * folder as it was (and removes it when it created it).
 */
export async function exportSlicesPng(
  volume: Volume,
  folder: string,
  options: ExportSlicesOptions = {},
): Promise<string[]> {
  const { window } = options;
  checkExport(volume, window);
  const [z0, z1] = zRangeOf(volume, options.zRange);
  const [, height, width] = volume.shape;
  const output = await openOutputFolder(folder, {
    overwrite: options.overwrite === true,
    staging: "exporting",
  });
  const digits = Math.max(4, String(volume.shape[0]).length);
  const names: string[] = [];
  try {
    for (let z = z0; z < z1; z++) {
      const slice = (await volume.read(new Box([z, 0, 0], [z + 1, height, width]))).data;
      const pixels = pngPixels(slice, window);
      const png = encodePng({
        width,
        height,
        data: pixels,
        depth: pixels instanceof Uint16Array ? 16 : 8,
        channels: 1,
      });
      const name = `${options.prefix ?? "z"}${String(z).padStart(digits, "0")}.png`;
      await writeFile(join(output.staging, name), png);
      names.push(name);
      options.onProgress?.(z - z0 + 1, z1 - z0);
    }
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  }
  return names.map((name) => join(folder, name));
}
