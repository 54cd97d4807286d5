import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { encode as encodePng } from "fast-png";
import { writeFileAtomic } from "./atomic-file.js";
import { Box } from "./box.js";
import { UnsupportedDtypeError } from "./errors.js";
import type { Volume } from "./volume.js";

/** Options of {@link exportSlicesPng}. */
export interface ExportSlicesOptions {
  /** First and one-past-last z to export (default: all). */
  zRange?: [number, number];
  /** File name prefix (default `z`): files are `<prefix><zzzz>.png`. */
  prefix?: string;
  /**
   * Map values in `[low, high]` linearly onto 0–255 (8-bit PNG). Required for dtypes other than uint8
   * and uint16, which are written as they are (8- and 16-bit PNG).
   */
  window?: [number, number];
  /** Called after each slice with slices done and total. */
  onProgress?: (done: number, total: number) => void;
}

/** Write z-slices of a 3-D volume as grayscale PNG files in `folder`; returns the file paths. */
export async function exportSlicesPng(
  volume: Volume,
  folder: string,
  options: ExportSlicesOptions = {},
): Promise<string[]> {
  if (volume.ndim !== 3) {
    throw new UnsupportedDtypeError("slice export needs a 3-D volume", {
      path: volume.path,
      field: "shape",
      expected: "z, y, x",
      found: volume.shape.join("×"),
    });
  }
  const { window } = options;
  if (!window && volume.dtype !== "uint8" && volume.dtype !== "uint16") {
    throw new UnsupportedDtypeError("PNG export of this dtype needs a value window", {
      path: volume.path,
      field: "window",
      expected: "uint8/uint16 data, or options.window = [low, high]",
      found: volume.dtype,
    });
  }
  const [z0, z1] = options.zRange ?? [0, volume.shape[0]];
  const [, height, width] = volume.shape;
  await mkdir(folder, { recursive: true });
  const digits = Math.max(4, String(volume.shape[0]).length);
  const files: string[] = [];
  for (let z = z0; z < z1; z++) {
    const slice = (await volume.read(new Box([z, 0, 0], [z + 1, height, width]))).data;
    let pixels: Uint8Array | Uint16Array;
    if (window) {
      const [low, high] = window;
      const scale = 255 / (high - low || 1);
      pixels = new Uint8Array(slice.length);
      for (let i = 0; i < slice.length; i++) {
        const v = (Number(slice[i]) - low) * scale;
        pixels[i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
      }
    } else {
      pixels = slice as Uint8Array | Uint16Array;
    }
    const png = encodePng({
      width,
      height,
      data: pixels,
      depth: pixels instanceof Uint16Array ? 16 : 8,
      channels: 1,
    });
    const file = join(folder, `${options.prefix ?? "z"}${String(z).padStart(digits, "0")}.png`);
    await writeFileAtomic(file, png);
    files.push(file);
    options.onProgress?.(z - z0 + 1, z1 - z0);
  }
  return files;
}
