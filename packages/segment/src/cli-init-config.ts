import { resolve } from "node:path";
import { warn } from "@tessera/cli";
import { openVolume } from "@tessera/volume";
import { Command } from "commander";
import { checkBoundaryVolume } from "./boundary-sample.js";
import { examples } from "./cli-common.js";
import { commentedRunConfig, type ExampleInput, exampleRunConfig } from "./config-example.js";
import { SegmentShapeError } from "./errors.js";

/** What `init-config --from` reads of the input: shape, chunks, dtype, resolution, and a check of its values. */
async function describeInput(path: string): Promise<ExampleInput> {
  const absolute = resolve(path);
  const volume = await openVolume(absolute);
  if (volume.shape.length !== 3) {
    throw new SegmentShapeError("boundaries must be 3-D", {
      path: absolute,
      field: "shape",
      expected: "[z, y, x]",
      found: JSON.stringify(volume.shape),
    });
  }
  const diagnosis = await checkBoundaryVolume(volume);
  const notes: string[] = [];
  if (diagnosis.warning) {
    warn(`boundaries ${absolute}: ${diagnosis.warning}`);
    notes.push(
      `WARNING: sampled median ${diagnosis.median.toFixed(2)} of the value range: this looks like a grayscale image, not a boundary map; see "invert" below.`,
    );
  }
  return {
    path: absolute,
    shape: volume.shape,
    chunks: volume.chunks,
    dtype: volume.dtype,
    resolution: volume.resolution,
    notes,
  };
}

/** `segment init-config [--from <zarr>]`: print a complete, commented run config. */
export function initConfigCommand(): Command {
  const command = new Command("init-config")
    .description(
      "print a complete, commented run config (JSON with // comments) to edit and pass as --config; " +
        "with --from, filled from the boundary volume (path, block shape from its chunks, value range from its dtype, resolution)",
    )
    .option("--from <zarr>", "boundary map to fill the config from (zarr array [z,y,x])");
  examples(
    command,
    "tessera segment init-config > run.json",
    "tessera segment init-config --from boundaries.zarr > run.json && tessera segment run --config run.json",
  );
  command.action(async (opts: { from?: string }) => {
    const input = opts.from === undefined ? undefined : await describeInput(opts.from);
    process.stdout.write(commentedRunConfig(exampleRunConfig(input), input));
  });
  return command;
}
