import { parse } from "@tessera/cli";
import { Command } from "commander";
import type { CompressorConfig } from "./compressor.js";
import { compressorOption } from "./compressor-option.js";
import { startProgressBar } from "./progress.js";
import { logged, openRunLog } from "./run-log.js";
import { exportSlicesPng } from "./slice-export.js";
import { importStack } from "./stack-import.js";
import { openVolume } from "./volume.js";

export { compressorOption } from "./compressor-option.js";
export { logged, openRunLog } from "./run-log.js";

/** Options of `volume import`, as commander parses them. */
interface ImportOptions {
  dataset?: string;
  chunks?: number[];
  resolution?: number[];
  offset?: number[];
  compressor?: CompressorConfig | "none";
  overwrite?: boolean;
  log?: string;
}

/** Options of `volume export-png`, as commander parses them. */
interface ExportOptions {
  z?: [number, number];
  window?: [number, number];
  overwrite?: boolean;
}

/** A help section `Examples:` listing `lines` as shell commands. */
function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}\n`).join("")}`;
}

function infoCommand(): Command {
  return new Command("info")
    .description("print a zarr array's shape, chunks, dtype, compressor and attributes as JSON")
    .argument("<path>", "zarr array folder")
    .addHelpText("after", examples("tessera volume info raw.zarr"))
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
}

function importCommand(): Command {
  return new Command("import")
    .description(
      "import a section stack (folder of PNG/TIFF, multi-page TIFF, or HDF5 dataset) into a new zarr volume",
    )
    .argument("<source>", "folder of sections, .tif/.tiff file, or HDF5 file (.h5/.hdf5)")
    .argument("<output>", "zarr array to create (refused when it exists, unless --overwrite)")
    .option("--dataset <name>", "HDF5 dataset, e.g. stack or volumes/raw (default: the file's only dataset)")
    .option(
      "--chunks <z,y,x>",
      "chunk shape (default min(depth,16),min(height,256),min(width,256))",
      parse.integers("16,256,256"),
    )
    .option(
      "--resolution <z,y,x>",
      "voxel size in nm, stored in .zattrs",
      parse.numbers("40,4,4", { count: 3, positive: true }),
    )
    .option("--offset <z,y,x>", "world offset in nm, stored in .zattrs", parse.numbers("0,0,0", { count: 3 }))
    .option(
      "--compressor <id[:level]>",
      "none, zlib, gzip or blosc, level 0–9 (default zlib:5)",
      compressorOption,
    )
    .option("--overwrite", "replace an existing zarr array at <output>")
    .option("--log <file>", "structured log (JSON lines, appended; default <output>.log)")
    .addHelpText(
      "after",
      examples(
        "tessera volume import grayscale/ raw.zarr --resolution 10,10,10 --chunks 50,125,125",
        "tessera volume import train-labels.tif labels.zarr --compressor blosc:5",
        "tessera volume import train-image.h5 train-image.zarr --dataset stack",
        "tessera volume import sample.h5 raw.zarr --dataset volumes/raw --overwrite",
      ),
    )
    .action(async (source: string, output: string, opts: ImportOptions) => {
      const log = openRunLog(opts.log ?? `${output.replace(/\/+$/, "")}.log`, "tessera-volume-import");
      const bar = startProgressBar("import", "sections");
      const started = performance.now();
      try {
        const v = await logged(
          log,
          { command: "volume import", source, output },
          () =>
            importStack(source, output, {
              ...opts,
              compressor: opts.compressor === "none" ? null : opts.compressor,
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
}

function exportPngCommand(): Command {
  return new Command("export-png")
    .description("write z-slices of a 3-D zarr volume as grayscale PNG files z0000.png, z0001.png, …")
    .argument("<volume>", "zarr array")
    .argument("<folder>", "output folder (new or empty, unless --overwrite)")
    .option("--z <start:stop>", "z range to export, stop excluded (default: all)", parse.range("0:16"))
    .option(
      "--window <low,high>",
      "map [low, high] onto 0–255 (needed for dtypes other than uint8/uint16)",
      parse.numbers("0,255", { count: 2 }),
    )
    .option("--overwrite", "write into a folder that holds files (replacing files of the same names)")
    .addHelpText(
      "after",
      examples(
        "tessera volume export-png raw.zarr slices/ --z 0:16",
        "tessera volume export-png probabilities.zarr slices/ --window 0,1 --overwrite",
      ),
    )
    .action(async (path: string, folder: string, opts: ExportOptions) => {
      const v = await openVolume(path);
      const bar = startProgressBar("export", "slices");
      try {
        const files = await exportSlicesPng(v, folder, {
          zRange: opts.z,
          window: opts.window,
          overwrite: opts.overwrite,
          onProgress: bar.update,
        });
        bar.stop();
        process.stdout.write(`wrote ${files.length} PNG files to ${folder}\n`);
      } finally {
        bar.stop();
      }
    });
}

/**
 * The `volume` command: `info`, `import` (PNG/TIFF folders, multi-page TIFF, HDF5 → zarr) and
 * `export-png`, with progress bars. Errors are thrown as typed errors for `runCli` (`@tessera/cli`)
 * to report.
 */
export function volumeCommand(): Command {
  return new Command("volume")
    .description("inspect, import and export zarr volumes")
    .addCommand(infoCommand())
    .addCommand(importCommand())
    .addCommand(exportPngCommand())
    .addHelpText(
      "after",
      examples(
        "tessera volume import grayscale/ raw.zarr --resolution 10,10,10",
        "tessera volume info raw.zarr",
        "tessera volume export-png raw.zarr slices/ --z 0:16",
      ),
    );
}
