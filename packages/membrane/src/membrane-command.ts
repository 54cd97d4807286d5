import { stat } from "node:fs/promises";
import { parse } from "@tessera/cli";
import { OutputExistsError, openVolume, startProgressBar, type Volume } from "@tessera/volume";
import { logged, openRunLog } from "@tessera/volume/cli";
import { Command, Option } from "commander";
import { type BackendName, useBackend } from "./backend.js";
import { predictionGrid, predictVolume } from "./block.js";
import { ModelInputError } from "./errors.js";
import { loadModel, type MembraneModel } from "./model-io.js";
import { tilingOf } from "./predict.js";
import { resolveModelPath, shippedModels } from "./shipped-models.js";
import { trainCommand } from "./train-command.js";
import { fieldOfViewRadius } from "./unet.js";

/** The backends the commands offer. */
export const BACKENDS: BackendName[] = ["wasm", "cpu", "tensorflow"];

/**
 * Check that a volume can go through the model: one channel, 3-D, and at least the field of view
 * in-plane (y, x). Along z, where image stacks are often thin, a 3-D model needs half of it (its
 * radius + 1 sections): beyond the volume's ends the network sees the mean, as at every border.
 */
export function assertFits(m: MembraneModel, volume: Volume): void {
  if (volume.shape.length !== 3) {
    throw new ModelInputError("the model takes a single-channel 3-D volume (z, y, x)", {
      path: volume.path,
      expected: "3 axes (z, y, x), one channel",
      found: `${volume.shape.length} axes (${volume.shape.join("×")})`,
    });
  }
  const fov = fieldOfViewRadius(m.metadata.unet);
  const axes = m.metadata.unet.dims === 2 ? [1, 2] : [0, 1, 2];
  const need = axes.map((a, k) => {
    const radius = fov[m.metadata.unet.dims === 2 ? k : a];
    return a === 0 ? radius + 1 : 2 * radius + 1;
  });
  axes.forEach((a, k) => {
    if (volume.shape[a] < need[k]) {
      const what =
        a === 0
          ? "the input has fewer sections than half the network's field of view (its radius + 1)"
          : "the input is smaller than the network's field of view";
      throw new ModelInputError(what, {
        path: volume.path,
        field: `axis ${"zyx"[a]}`,
        expected: `at least ${need[k]} voxels`,
        found: `${volume.shape[a]} voxels`,
      });
    }
  });
}

/** Refuse to replace an existing output unless `overwrite`. */
export async function refuseExisting(path: string, overwrite: boolean): Promise<void> {
  if (!overwrite && (await stat(path).catch(() => undefined))) {
    throw new OutputExistsError("the output exists (give --overwrite to replace it)", { path });
  }
}

interface PredictCliOptions {
  input: string;
  output: string;
  model: string;
  block?: number[];
  backend: BackendName;
  overwrite?: boolean;
  log?: string;
  flips?: boolean;
}

function predictCommand(): Command {
  return new Command("predict")
    .description("boundary or affinity prediction over a zarr volume, block by block")
    .requiredOption("-i, --input <zarr>", "raw EM volume (zarr array z, y, x)")
    .requiredOption("-o, --output <zarr>", "prediction (float32; [z,y,x] boundaries or [c,z,y,x] affinities)")
    .requiredOption(
      "-m, --model <dir|name>",
      `model directory (model.json, weights.bin, metadata.json) or a shipped model: ${shippedModels().join(", ")}`,
    )
    .option(
      "--block <z,y,x>",
      "write block (default 32,256,256, or twice the network's context along z when that is more)",
      parse.integers("32,256,256", { count: 3, min: 1 }),
    )
    .addOption(new Option("--backend <name>", "TensorFlow.js backend").choices(BACKENDS).default("wasm"))
    .option(
      "--flips",
      "test-time augmentation: average each tile's predictions over its mirror images (8 network calls per tile for 3-D models, 4 for 2-D; boundary models only)",
    )
    .option("--overwrite", "replace an existing output")
    .option("--log <file>", "structured log (JSON lines; default <output>.log)")
    .addHelpText(
      "after",
      `
Examples:
  $ tessera membrane predict -i aligned.zarr -o boundaries.zarr -m isbi2012-boundaries
  $ tessera membrane predict -i fibsem.zarr -o boundaries.zarr -m fibsem-boundaries --flips
  $ tessera membrane predict -i raw.zarr -o aff.zarr -m my-3d-model --block 16,128,128 --backend cpu`,
    )
    .action(async (opts: PredictCliOptions) => {
      await refuseExisting(opts.output, opts.overwrite === true);
      const log = openRunLog(opts.log ?? `${opts.output.replace(/\/+$/, "")}.log`, "tessera-membrane");
      const summary = await logged(
        log,
        {
          command: "membrane predict",
          input: opts.input,
          output: opts.output,
          model: opts.model,
          flips: opts.flips === true,
        },
        async () => {
          const backend = await useBackend(opts.backend);
          const m = await loadModel(resolveModelPath(opts.model));
          const input = await openVolume(opts.input);
          assertFits(m, input);
          const grid = predictionGrid(m, input.shape, opts.block as [number, number, number] | undefined);
          log.info({ backend, blocks: grid.count, context: tilingOf(m).context }, "predicting");
          const bar = startProgressBar("predict", "blocks");
          const t0 = performance.now();
          try {
            await predictVolume(m, input, opts.output, {
              block: opts.block as [number, number, number] | undefined,
              overwrite: opts.overwrite,
              flips: opts.flips === true,
              onProgress: bar.update,
            });
          } finally {
            bar.stop();
          }
          return {
            output: opts.output,
            backend,
            blocks: grid.count,
            kind: m.metadata.unet.output,
            flips: opts.flips === true,
            seconds: (performance.now() - t0) / 1000,
          };
        },
      );
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    });
}

/** The `membrane` command: `tessera membrane predict|train`. */
export function membraneCommand(): Command {
  return new Command("membrane")
    .description(
      "U-Net boundary / affinity prediction (TensorFlow.js): predict over zarr volumes, train models",
    )
    .addCommand(predictCommand())
    .addCommand(trainCommand());
}
