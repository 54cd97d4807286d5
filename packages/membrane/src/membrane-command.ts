import { stat } from "node:fs/promises";
import { parse } from "@tessera/cli";
import { OutputExistsError, openVolume, startProgressBar, type Volume } from "@tessera/volume";
import { logged, openRunLog } from "@tessera/volume/cli";
import { Command, Option } from "commander";
import { type BackendName, useBackend } from "./backend.js";
import { predictionGrid, predictVolume } from "./block.js";
import { ModelInputError } from "./errors.js";
import { loadModel, type MembraneModel, saveModel } from "./model-io.js";
import { tilingOf } from "./predict.js";
import { type TrainingVolume, trainModel } from "./train.js";
import { buildUNet, fieldOfViewRadius, unetConfig } from "./unet.js";

const BACKENDS: BackendName[] = ["wasm", "cpu", "tensorflow"];

/** Check that a volume can go through the model: one channel, 3-D, at least the field of view in-plane. */
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
  const need = axes.map((a, k) => 2 * fov[m.metadata.unet.dims === 2 ? k : a] + 1);
  axes.forEach((a, k) => {
    if (volume.shape[a] < need[k]) {
      throw new ModelInputError("the input is smaller than the network's field of view", {
        path: volume.path,
        field: `axis ${"zyx"[a]}`,
        expected: `at least ${need[k]} voxels`,
        found: `${volume.shape[a]} voxels`,
      });
    }
  });
}

async function refuseExisting(path: string, overwrite: boolean): Promise<void> {
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
}

function predictCommand(): Command {
  return new Command("predict")
    .description("boundary or affinity prediction over a zarr volume, block by block")
    .requiredOption("-i, --input <zarr>", "raw EM volume (zarr array z, y, x)")
    .requiredOption("-o, --output <zarr>", "prediction (float32; [z,y,x] boundaries or [c,z,y,x] affinities)")
    .requiredOption("-m, --model <dir>", "model directory (model.json, weights.bin, metadata.json)")
    .option(
      "--block <z,y,x>",
      "write block (default 32,256,256)",
      parse.integers("32,256,256", { count: 3, min: 1 }),
    )
    .addOption(new Option("--backend <name>", "TensorFlow.js backend").choices(BACKENDS).default("wasm"))
    .option("--overwrite", "replace an existing output")
    .option("--log <file>", "structured log (JSON lines; default <output>.log)")
    .addHelpText(
      "after",
      `
Examples:
  $ tessera membrane predict -i aligned.zarr -o boundaries.zarr -m models/isbi2012-boundaries
  $ tessera membrane predict -i raw.zarr -o aff.zarr -m my-3d-model --block 16,128,128 --backend cpu`,
    )
    .action(async (opts: PredictCliOptions) => {
      await refuseExisting(opts.output, opts.overwrite === true);
      const log = openRunLog(opts.log ?? `${opts.output.replace(/\/+$/, "")}.log`, "tessera-membrane");
      const summary = await logged(
        log,
        { command: "membrane predict", input: opts.input, output: opts.output, model: opts.model },
        async () => {
          const backend = await useBackend(opts.backend);
          const m = await loadModel(opts.model);
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
            seconds: (performance.now() - t0) / 1000,
          };
        },
      );
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    });
}

interface TrainCliOptions {
  raw: string;
  labels: string;
  validationRaw?: string;
  validationLabels?: string;
  modelOut: string;
  dims: "2" | "3";
  output: "boundaries" | "affinities";
  depth: number;
  features: number;
  epochs: number;
  steps: number;
  batch: number;
  patch?: number[];
  seed: number;
  learningRate: number;
  backend: BackendName;
  overwrite?: boolean;
  log?: string;
}

async function trainingVolume(rawPath: string, labelsPath: string): Promise<TrainingVolume> {
  const raw = await openVolume(rawPath);
  const labels = await openVolume(labelsPath);
  if (raw.shape.length !== 3 || raw.shape.join() !== labels.shape.join()) {
    throw new ModelInputError("raw and labels must be 3-D arrays of the same shape", {
      path: labelsPath,
      expected: raw.shape.join("×"),
      found: labels.shape.join("×"),
    });
  }
  const r = await raw.read();
  const l = await labels.read();
  return {
    raw: r.data as ArrayLike<number>,
    labels: l.data as ArrayLike<number>,
    shape: raw.shape as [number, number, number],
    name: rawPath,
  };
}

function trainCommand(): Command {
  return new Command("train")
    .description("train a U-Net on a raw zarr volume and its labels (0 = boundary / unlabelled)")
    .requiredOption("--raw <zarr>", "raw EM volume (z, y, x)")
    .requiredOption("--labels <zarr>", "labels of the same shape (cells > 0; 0 = membrane or unlabelled)")
    .option("--validation-raw <zarr>", "held-out raw volume, scored after every epoch")
    .option("--validation-labels <zarr>", "its labels")
    .requiredOption(
      "--model-out <dir>",
      "model directory to write (the best epoch by validation loss, or the last)",
    )
    .addOption(
      new Option("--dims <n>", "2-D (section by section) or 3-D network").choices(["2", "3"]).default("2"),
    )
    .addOption(
      new Option("--output <kind>", "what the network predicts")
        .choices(["boundaries", "affinities"])
        .default("boundaries"),
    )
    .option("--depth <n>", "U-Net levels", parse.integer(1, 6, "3"), 3)
    .option("--features <n>", "feature maps at the top level", parse.integer(1, 512, "16"), 16)
    .option("--epochs <n>", "epochs", parse.integer(1, 100_000, "10"), 10)
    .option("--steps <n>", "steps per epoch", parse.integer(1, 1_000_000, "50"), 50)
    .option("--batch <n>", "patches per step", parse.integer(1, 1024, "4"), 4)
    .option("--patch <z,y,x>", "patch shape", parse.integers("1,128,128", { count: 3, min: 1 }))
    .option(
      "--seed <n>",
      "seed of initialisation, sampling and augmentation",
      parse.integer(0, 2 ** 31 - 1, "0"),
      0,
    )
    .option("--learning-rate <x>", "Adam's learning rate", parse.number(0, 1, "0.001"), 0.001)
    .addOption(new Option("--backend <name>", "TensorFlow.js backend").choices(BACKENDS).default("wasm"))
    .option("--overwrite", "replace an existing model directory")
    .option("--log <file>", "structured log (JSON lines; default <model-out>.log)")
    .addHelpText(
      "after",
      `
Examples:
  $ tessera membrane train --raw raw.zarr --labels gt.zarr --validation-raw vraw.zarr --validation-labels vgt.zarr --model-out my-model
  $ tessera membrane train --raw raw.zarr --labels gt.zarr --model-out aff3d --dims 3 --output affinities --patch 8,64,64`,
    )
    .action(async (opts: TrainCliOptions) => {
      await refuseExisting(opts.modelOut, opts.overwrite === true);
      const log = openRunLog(opts.log ?? `${opts.modelOut.replace(/\/+$/, "")}.log`, "tessera-membrane");
      const summary = await logged(
        log,
        { command: "membrane train", raw: opts.raw, labels: opts.labels, modelOut: opts.modelOut },
        async () => {
          const backend = await useBackend(opts.backend);
          const train = [await trainingVolume(opts.raw, opts.labels)];
          const validation =
            opts.validationRaw && opts.validationLabels
              ? [await trainingVolume(opts.validationRaw, opts.validationLabels)]
              : undefined;
          let sum = 0;
          let sumSq = 0;
          for (let i = 0; i < train[0].raw.length; i++) {
            sum += train[0].raw[i];
            sumSq += train[0].raw[i] ** 2;
          }
          const mean = sum / train[0].raw.length;
          const std = Math.sqrt(Math.max(1e-12, sumSq / train[0].raw.length - mean * mean));
          const unet = unetConfig({
            dims: Number(opts.dims) as 2 | 3,
            output: opts.output,
            depth: opts.depth,
            features: opts.features,
            seed: opts.seed,
          });
          const m: MembraneModel = {
            model: buildUNet(unet),
            metadata: {
              format: "tessera-membrane-model",
              version: 1,
              unet,
              normalisation: { mean, std },
              backend,
              created: new Date().toISOString(),
            },
          };
          const bar = startProgressBar("train", "steps");
          let best = Number.POSITIVE_INFINITY;
          const settings = {
            epochs: opts.epochs,
            stepsPerEpoch: opts.steps,
            batch: opts.batch,
            patch: opts.patch as [number, number, number] | undefined,
            seed: opts.seed,
            learningRate: opts.learningRate,
          };
          try {
            const history = await trainModel(m, train, {
              ...settings,
              validation,
              onStep: ({ epoch, step }) =>
                bar.update((epoch - 1) * opts.steps + step, opts.epochs * opts.steps),
              onEpoch: async (r) => {
                log.info(r, "epoch");
                const score = r.validationLoss ?? r.loss;
                if (score < best || validation === undefined) {
                  best = score;
                  await saveModel(opts.modelOut, m.model, {
                    ...m.metadata,
                    training: { raw: opts.raw, labels: opts.labels, settings, epoch: r.epoch },
                    metrics: {
                      loss: r.loss,
                      ...(r.validationLoss !== null ? { validationLoss: r.validationLoss } : {}),
                      ...(r.pixelError !== null ? { pixelError: r.pixelError } : {}),
                    },
                  });
                }
              },
            });
            return {
              modelOut: opts.modelOut,
              backend,
              epochs: history.length,
              last: history[history.length - 1],
            };
          } finally {
            bar.stop();
          }
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
