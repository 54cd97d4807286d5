import { Command, InvalidArgumentError } from "commander";
import type { CompressorConfig } from "./compressor.js";
import { startProgressBar } from "./progress.js";
import { logged, openRunLog } from "./run-log.js";
import { exportSlicesPng } from "./slice-export.js";
import { importStack } from "./stack-import.js";
import { openVolume } from "./volume.js";

export { runCli } from "./run-cli.js";
export { logged, openRunLog } from "./run-log.js";

function integerList(value: string): number[] {
  const numbers = value.split(",").map(Number);
  if (numbers.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new InvalidArgumentError(`expected positive integers like 16,256,256, got "${value}"`);
  }
  return numbers;
}

function numberList(value: string): number[] {
  const numbers = value.split(",").map(Number);
  if (numbers.some((n) => !Number.isFinite(n)))
    throw new InvalidArgumentError(`expected numbers like 40,4,4, got "${value}"`);
  return numbers;
}

function compressorOption(value: string): CompressorConfig | null {
  const [id, level] = value.split(":");
  const parsedLevel = level === undefined ? undefined : Number(level);
  if (id === "none" || id === "raw") return null;
  if (id === "zlib" || id === "gzip") return { id, level: parsedLevel };
  if (id === "blosc") return { id, clevel: parsedLevel };
  throw new InvalidArgumentError(
    `expected none, zlib[:level], gzip[:level] or blosc[:level], got "${value}"`,
  );
}

/**
 * The `volume` command: `info`, `import` (PNG/TIFF folders, multi-page TIFF, HDF5 → zarr) and
 * `export-png`, with progress bars.
 */
export function volumeCommand(): Command {
  const volume = new Command("volume").description("inspect, import and export zarr volumes");

  volume
    .command("info")
    .description("print a zarr array's shape, chunks, dtype, compressor and attributes as JSON")
    .argument("<path>", "zarr array folder")
    .action(async (path: string) => {
      const v = await openVolume(path);
      const info = {
        path: v.path,
        shape: v.shape,
        chunks: v.chunks,
        dtype: v.dtype,
        compressor: v.compressor,
        fillValue: typeof v.fillValue === "bigint" ? String(v.fillValue) : v.fillValue,
        dimensionSeparator: v.dimensionSeparator,
        attrs: v.attrs,
      };
      process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
    });

  volume
    .command("import")
    .description(
      "import a section stack (folder of PNG/TIFF, multi-page TIFF, or HDF5 dataset) into a zarr volume",
    )
    .argument("<source>", "folder of sections, .tif/.tiff file, or .h5/.hdf5 file")
    .argument("<output>", "zarr array to create")
    .option("--dataset <name>", "HDF5 dataset (default: the file's only dataset)")
    .option("--chunks <z,y,x>", "chunk shape", integerList)
    .option("--resolution <z,y,x>", "voxel size in nm", numberList)
    .option("--offset <z,y,x>", "world offset in nm", numberList)
    .option("--compressor <id[:level]>", "none, zlib, gzip or blosc", compressorOption)
    .option("--overwrite", "replace an existing output")
    .option("--log <file>", "structured log (JSON lines; default <output>.log)")
    .action(async (source: string, output: string, opts) => {
      const bar = startProgressBar("import", "sections");
      const log = openRunLog(opts.log ?? `${output}.log`, "tessera-volume-import");
      const started = performance.now();
      try {
        const v = await logged(
          log,
          { command: "volume import", source, output },
          () =>
            importStack(source, output, {
              ...opts,
              onProgress: (done: number, total: number) => {
                bar.update(done, total);
                log.debug({ done, total }, "sections imported");
              },
            }),
          (volume) => ({ shape: volume.shape, dtype: volume.dtype, chunks: volume.chunks }),
        );
        bar.stop();
        const seconds = (performance.now() - started) / 1000;
        process.stdout.write(
          `imported ${source} → ${v.path}: ${v.shape.join("×")} ${v.dtype}, chunks ${v.chunks.join("×")}, ${seconds.toFixed(2)} s\n`,
        );
      } finally {
        bar.stop();
      }
    });

  volume
    .command("export-png")
    .description("write z-slices of a 3-D zarr volume as grayscale PNG files")
    .argument("<volume>", "zarr array")
    .argument("<folder>", "output folder")
    .option("--z <begin:end>", "range of z to export")
    .option(
      "--window <low,high>",
      "map [low, high] onto 0–255 (needed for dtypes other than uint8/uint16)",
      numberList,
    )
    .action(async (path: string, folder: string, opts: { z?: string; window?: number[] }) => {
      const v = await openVolume(path);
      const zRange = opts.z ? (opts.z.split(":").map(Number) as [number, number]) : undefined;
      const bar = startProgressBar("export", "slices");
      try {
        const files = await exportSlicesPng(v, folder, {
          zRange,
          window: opts.window as [number, number] | undefined,
          onProgress: bar.update,
        });
        bar.stop();
        process.stdout.write(`wrote ${files.length} PNG files to ${folder}\n`);
      } finally {
        bar.stop();
      }
    });

  return volume;
}
