import { parse } from "@tessera/cli";
import { startProgressBar } from "@tessera/volume";
import { logged, openRunLog } from "@tessera/volume/cli";
import { Command, InvalidArgumentError, Option } from "commander";
import { type BackendName, useBackend } from "./backend.js";
import { ModelInputError } from "./errors.js";
import { BACKENDS, refuseExisting } from "./membrane-command.js";
import { loadModel, type MembraneModel, saveModel } from "./model-io.js";
import { type TrainingVolume, trainModel } from "./train.js";
import { type Array3d, readArray3d, sectionsOf } from "./training-input.js";
import { buildUNet, unetConfig } from "./unet.js";

interface TrainCliOptions {
  raw: string[];
  labels: string[];
  validationRaw?: string[];
  validationLabels?: string[];
  modelOut: string;
  resume?: boolean;
  dims: "2" | "3";
  output: "boundaries" | "affinities";
  depth: number;
  features: number;
  downsample?: number[];
  padding: "same" | "valid";
  epochs: number;
  steps: number;
  batch: number;
  patch?: number[];
  seed: number;
  learningRate: number;
  augment: boolean;
  backend: BackendName;
  overwrite?: boolean;
  log?: string;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** `path[z0:z1]` → the array's sections z0 ≤ z < z1; a plain path → the whole array. */
export async function readTrainingArray(spec: string): Promise<Array3d> {
  const m = /^(.*)\[(\d+):(\d+)\]$/.exec(spec);
  if (!m) return readArray3d(spec);
  return sectionsOf(await readArray3d(m[1]), Number(m[2]), Number(m[3]));
}

async function volumesOf(raws: string[], labels: string[], what: string): Promise<TrainingVolume[]> {
  if (raws.length !== labels.length) {
    throw new InvalidArgumentError(
      `give one ${what}labels per ${what}raw (${raws.length} raw, ${labels.length} labels)`,
    );
  }
  const out: TrainingVolume[] = [];
  for (let k = 0; k < raws.length; k++) {
    const raw = await readTrainingArray(raws[k]);
    const lab = await readTrainingArray(labels[k]);
    if (raw.shape.join() !== lab.shape.join()) {
      throw new ModelInputError("raw and labels must have the same shape", {
        path: labels[k],
        expected: raw.shape.join("×"),
        found: lab.shape.join("×"),
      });
    }
    out.push({ raw: raw.data, labels: lab.data, shape: raw.shape, name: raw.source });
  }
  return out;
}

function meanAndStd(volumes: TrainingVolume[]): { mean: number; std: number } {
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (const v of volumes) {
    for (let i = 0; i < v.raw.length; i++) {
      sum += v.raw[i];
      sumSq += v.raw[i] ** 2;
    }
    n += v.raw.length;
  }
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(1e-12, sumSq / n - mean * mean)) };
}

/** A new model for the options, or (with `--resume`) the model directory's, with the epochs it has done. */
async function startingModel(
  opts: TrainCliOptions,
  train: TrainingVolume[],
  backend: string,
): Promise<{ m: MembraneModel; startEpoch: number }> {
  if (opts.resume) {
    const m = await loadModel(opts.modelOut);
    const done = Number((m.metadata.training as { epoch?: number } | undefined)?.epoch ?? 0);
    return { m, startEpoch: done };
  }
  const unet = unetConfig({
    dims: Number(opts.dims) as 2 | 3,
    output: opts.output,
    depth: opts.depth,
    features: opts.features,
    downsample: opts.downsample,
    padding: opts.padding,
    seed: opts.seed,
  });
  const m: MembraneModel = {
    model: buildUNet(unet),
    metadata: {
      format: "tessera-membrane-model",
      version: 1,
      unet,
      normalisation: meanAndStd(train),
      backend,
      created: new Date().toISOString(),
    },
  };
  return { m, startEpoch: 0 };
}

/** `tessera membrane train`. */
export function trainCommand(): Command {
  return new Command("train")
    .description(
      "train a U-Net on raw volumes and their labels (zarr, HDF5, PNG folders or TIFF; 0 = boundary / unlabelled)",
    )
    .requiredOption(
      "--raw <path>",
      "raw EM volume (z, y, x): zarr, file.h5[:dataset], PNG folder or TIFF; [z0:z1] takes sections; repeatable",
      collect,
    )
    .requiredOption("--labels <path>", "labels of the same shape (cells > 0); one per --raw", collect)
    .option("--validation-raw <path>", "held-out raw volume, scored after every epoch; repeatable", collect)
    .option("--validation-labels <path>", "its labels; one per --validation-raw", collect)
    .requiredOption(
      "--model-out <dir>",
      "model directory to write (the best epoch by validation loss, or the last)",
    )
    .option("--resume", "continue training the model in --model-out after the epochs it has done")
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
    .option(
      "--downsample <factors>",
      "pooling factor per axis (2-D: y,x; 3-D: z,y,x, e.g. 1,2,2 for anisotropic data)",
      parse.integers("2,2 or 2,2,2", { min: 1 }),
    )
    .addOption(
      new Option(
        "--padding <kind>",
        "3-wide convolutions: same (output size = input size) or valid (no padding: the output lacks the network's margin at each end, trained on the patch centre; blockwise prediction reads the margin as context)",
      )
        .choices(["same", "valid"])
        .default("same"),
    )
    .option("--epochs <n>", "epochs", parse.integer(1, 100_000, "10"), 10)
    .option("--steps <n>", "steps per epoch", parse.integer(1, 1_000_000, "50"), 50)
    .option("--batch <n>", "patches per step", parse.integer(1, 1024, "4"), 4)
    .option(
      "--patch <z,y,x>",
      "input patch shape (rounded down to the pooling grid, or to a valid input size with --padding valid)",
      parse.integers("1,128,128", { count: 3, min: 1 }),
    )
    .option(
      "--seed <n>",
      "seed of initialisation, sampling and augmentation",
      parse.integer(0, 2 ** 31 - 1, "0"),
      0,
    )
    .option("--learning-rate <x>", "Adam's learning rate", parse.number(0, 1, "0.001"), 0.001)
    .option("--no-augment", "no flips, rotations, intensity or elastic augmentation")
    .addOption(new Option("--backend <name>", "TensorFlow.js backend").choices(BACKENDS).default("wasm"))
    .option("--overwrite", "replace an existing model directory")
    .option("--log <file>", "structured log (JSON lines; default <model-out>.log)")
    .addHelpText(
      "after",
      `
Examples:
  $ tessera membrane train --raw raw.zarr --labels gt.zarr --validation-raw vraw.zarr --validation-labels vgt.zarr --model-out my-model
  $ tessera membrane train --raw image.h5:stack[0:30] --labels gt.h5:stack[0:30] --validation-raw image.h5:stack[30:50] --validation-labels gt.h5:stack[30:50] --model-out fib3d --dims 3 --patch 16,64,64 --batch 2
  $ tessera membrane train --raw sections/ --labels labels/ --model-out my-model --epochs 5 --resume
  $ tessera membrane train --raw raw.zarr --labels gt.zarr --model-out valid-model --padding valid --patch 1,188,188`,
    )
    .action(async (opts: TrainCliOptions) => {
      if (!opts.resume) await refuseExisting(opts.modelOut, opts.overwrite === true);
      const log = openRunLog(opts.log ?? `${opts.modelOut.replace(/\/+$/, "")}.log`, "tessera-membrane");
      const summary = await logged(
        log,
        { command: "membrane train", raw: opts.raw, labels: opts.labels, modelOut: opts.modelOut },
        async () => {
          const backend = await useBackend(opts.backend);
          const train = await volumesOf(opts.raw, opts.labels, "--");
          const validation = opts.validationRaw
            ? await volumesOf(opts.validationRaw, opts.validationLabels ?? [], "--validation-")
            : undefined;
          const { m, startEpoch } = await startingModel(opts, train, backend);
          const settings = {
            epochs: opts.epochs,
            stepsPerEpoch: opts.steps,
            batch: opts.batch,
            patch: opts.patch as [number, number, number] | undefined,
            seed: opts.seed,
            learningRate: opts.learningRate,
            augment: opts.augment,
          };
          log.info({ backend, unet: m.metadata.unet, startEpoch, settings }, "training");
          const bar = startProgressBar("train", "steps");
          let best = Number.POSITIVE_INFINITY;
          try {
            const history = await trainModel(m, train, {
              ...settings,
              startEpoch,
              validation,
              onStep: ({ epoch, step, loss }) =>
                bar.update(
                  (epoch - startEpoch - 1) * opts.steps + step,
                  opts.epochs * opts.steps,
                  `epoch ${epoch}, loss ${loss.toFixed(4)}`,
                ),
              onEpoch: async (r) => {
                log.info(r, "epoch");
                const score = r.validationLoss ?? r.loss;
                if (score < best || validation === undefined) {
                  best = score;
                  await saveModel(opts.modelOut, m.model, {
                    ...m.metadata,
                    backend,
                    training: {
                      raw: opts.raw,
                      labels: opts.labels,
                      validationRaw: opts.validationRaw,
                      validationLabels: opts.validationLabels,
                      settings,
                      epoch: r.epoch,
                    },
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
