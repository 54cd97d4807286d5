import { existsSync } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parse, warn } from "@tessera/cli";
import { Box, createVolume, PathNotFoundError } from "@tessera/volume";
import { Command, Option } from "commander";
import { applyAgglomeration } from "./agglomerate.js";
import { agglomerateWithModel } from "./agglomerate-with-model.js";
import { type AgglomerationModel, checkAgglomerationModel } from "./agglomeration-model.js";
import { type LabelArray, labelsAsNumbers, type ScalarArray } from "./arrays.js";
import { diagnoseBoundaries } from "./boundary-check.js";
import { examples, print } from "./cli-common.js";
import { scoreLabels } from "./cli-evaluate.js";
import { EDGE_CLASSIFIER_TYPES } from "./edge-classifiers.js";
import { SegmentShapeError, SegmentValueError } from "./errors.js";
import { type LabelInput, readLabels } from "./labels-input.js";
import { learnAgglomeration } from "./learn-agglomeration.js";
import { refuseExisting, stagingPath } from "./output-guard.js";
import { scaleBoundaries } from "./pipeline.js";
import { relabelConsecutive } from "./relabel.js";

/** Read a whole input array (zarr or HDF5), naming its option when it is missing. */
async function readInput(path: string, option: string, dataset?: string): Promise<LabelInput> {
  if (!existsSync(path)) {
    throw new PathNotFoundError(`the ${option} input does not exist`, {
      path,
      field: option,
      expected: "a zarr array or an HDF5 file",
      found: "nothing at that path",
    });
  }
  return readLabels(path, dataset);
}

/** Inputs of the same shape, else a typed error naming the file that differs. */
function checkSameShape(inputs: { path: string; option: string; input: LabelInput }[]): void {
  const [first, ...rest] = inputs;
  for (const other of rest) {
    if (other.input.shape.join() !== first.input.shape.join()) {
      throw new SegmentShapeError(`the ${other.option} input differs in shape from the ${first.option}`, {
        path: other.path,
        field: other.option,
        expected: `${first.input.shape.join("×")} (the shape of ${first.path})`,
        found: other.input.shape.join("×"),
      });
    }
  }
}

/** Write `text` to `path` through a hidden staging file (a killed run leaves no partial model). */
async function writeAtomically(path: string, text: string): Promise<void> {
  const staging = stagingPath(path);
  await writeFile(staging, text);
  await rename(staging, path);
}

interface TrainOptionValues {
  fragments: string;
  boundaries: string;
  gt: string;
  invert?: boolean;
  raw?: string;
  dataset?: string;
  out: string;
  epochs: number;
  classifier: (typeof EDGE_CLASSIFIER_TYPES)[number];
  trees?: number;
  seed: number;
  bins: number;
  overwrite?: boolean;
}

const INVERT_HELP = "the map is high inside cells (e.g. grayscale EM, dark membranes): use 1 − value";

/**
 * The boundary input scaled to [0, 1] (inverted with `--invert`), after the same check as the run
 * steps: a warning on stderr when it looks like an image or a map inverted by mistake.
 */
function boundariesOf(input: LabelInput, path: string, invert: boolean): Float32Array {
  const data = input.data as unknown as ScalarArray;
  const { warning } = diagnoseBoundaries(data, { invert });
  if (warning) warn(`boundaries ${path}: ${warning}`);
  return scaleBoundaries(data, { invert });
}

/** `segment train-agglomeration`: learn an agglomeration model from ground truth (whole volumes). */
export function trainAgglomerationCommand(): Command {
  const command = new Command("train-agglomeration")
    .description(
      "learn an edge classifier (random forest or gradient-boosted trees, merge probability) by replaying agglomeration against ground truth; writes model JSON (whole volumes in memory)",
    )
    .requiredOption("--fragments <path>", "fragments: zarr array or HDF5 file")
    .requiredOption("--boundaries <path>", "boundary map (high = membrane): zarr array or HDF5 file")
    .requiredOption("--gt <path>", "ground-truth labels (0 ignored): zarr array or HDF5 file")
    .option("--invert", INVERT_HELP)
    .option("--raw <path>", "raw image: adds its contact statistics to the features")
    .option("--dataset <name>", "HDF5 dataset name (every HDF5 input; default: the file's only dataset)")
    .requiredOption("--out <model.json>", "model file to write")
    .option("--epochs <n>", "replay epochs", parse.integer(1, 100, "3"), 3)
    .addOption(
      new Option(
        "--classifier <type>",
        "edge classifier (gradient boosting: fewer, shallower trees, faster to apply)",
      )
        .choices([...EDGE_CLASSIFIER_TYPES])
        .default("random-forest"),
    )
    .option(
      "--trees <n>",
      "trees (default 100 for random-forest, 40 for gradient-boosting)",
      parse.integer(1, 10_000, "100"),
    )
    .option("--seed <n>", "random seed of the random forest", parse.integer(0, 2 ** 32 - 1, "0"), 0)
    .option("--bins <n>", "histogram bins of the contact statistics", parse.integer(1, 4096, "32"), 32)
    .option("--overwrite", "replace an existing model file");
  examples(
    command,
    "tessera segment train-agglomeration --fragments train-ws.h5 --boundaries train-p1.h5 --gt train-gt.h5 --dataset stack --out model.json",
    "tessera segment train-agglomeration --fragments run/fragments.zarr --boundaries p.zarr --gt gt.zarr --raw raw.zarr --out model.json --epochs 4",
    "tessera segment train-agglomeration --fragments train-ws.h5 --boundaries train-p1.h5 --gt train-gt.h5 --classifier gradient-boosting --out boosted.json",
  );
  command.action(async (opts: TrainOptionValues) => {
    await refuseExisting([{ path: opts.out, what: "model" }], opts.overwrite === true);
    const named = [
      { path: opts.fragments, option: "fragments" },
      { path: opts.boundaries, option: "boundaries" },
      { path: opts.gt, option: "gt" },
      ...(opts.raw ? [{ path: opts.raw, option: "raw" }] : []),
    ];
    const inputs = await Promise.all(
      named.map(async (n) => ({ ...n, input: await readInput(n.path, n.option, opts.dataset) })),
    );
    checkSameShape(inputs);
    const [fragments, boundaries, gt, raw] = inputs.map((i) => i.input);
    const started = performance.now();
    const { model } = learnAgglomeration(
      labelsAsNumbers(fragments.data, opts.fragments),
      boundariesOf(boundaries, opts.boundaries, opts.invert === true),
      labelsAsNumbers(gt.data, opts.gt),
      fragments.shape,
      {
        raw: raw?.data as unknown as ScalarArray | undefined,
        epochs: opts.epochs,
        bins: opts.bins,
        classifier:
          opts.classifier === "gradient-boosting"
            ? { type: "gradient-boosting", ...(opts.trees ? { trees: opts.trees } : {}) }
            : { trees: opts.trees ?? 100, seed: opts.seed },
      },
    );
    await writeAtomically(opts.out, `${JSON.stringify(model)}\n`);
    print({ model: opts.out, seconds: (performance.now() - started) / 1000, ...model.provenance });
  });
  return command;
}

interface ApplyOptionValues {
  fragments: string;
  boundaries: string;
  model: string;
  invert?: boolean;
  raw?: string;
  dataset?: string;
  out: string;
  threshold: number;
  gt?: string;
  overwrite?: boolean;
}

/** The models shipped with the package (`models/<name>.json`). */
export const SHIPPED_AGGLOMERATION_MODELS = ["gala"] as const;

/** A model file, or the file of a shipped model named like `gala` when no such file exists. */
export function resolveAgglomerationModel(pathOrName: string): string {
  if (existsSync(pathOrName)) return pathOrName;
  if ((SHIPPED_AGGLOMERATION_MODELS as readonly string[]).includes(pathOrName)) {
    return fileURLToPath(new URL(`../models/${pathOrName}.json`, import.meta.url));
  }
  return pathOrName;
}

/**
 * Read and check a model file, or a shipped model by name (`gala`): typed errors name the file.
 */
export async function readAgglomerationModel(pathOrName: string): Promise<AgglomerationModel> {
  const path = resolveAgglomerationModel(pathOrName);
  if (!existsSync(path)) {
    throw new PathNotFoundError("the model file does not exist", {
      path,
      field: "model",
      expected: `a model JSON written by \`tessera segment train-agglomeration\`, or a shipped model: ${SHIPPED_AGGLOMERATION_MODELS.join(", ")}`,
      found: "nothing at that path",
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (cause) {
    throw new SegmentValueError("the model file is not JSON", {
      path,
      field: "model",
      expected: "JSON",
      found: String((cause as Error).message ?? cause).slice(0, 80),
      cause,
    });
  }
  return checkAgglomerationModel(json, path);
}

/** `segment agglomerate-with-model`: agglomerate fragments by a learned model's merge probability. */
export function agglomerateWithModelCommand(): Command {
  const command = new Command("agglomerate-with-model")
    .description(
      "merge fragments in order of a learned model's merge probability while it is ≥ --threshold; writes a uint32 zarr segmentation (whole volumes in memory)",
    )
    .requiredOption("--fragments <path>", "fragments: zarr array or HDF5 file")
    .requiredOption("--boundaries <path>", "boundary map (high = membrane): zarr array or HDF5 file")
    .requiredOption(
      "--model <model.json|name>",
      `model written by train-agglomeration, or a shipped one: ${SHIPPED_AGGLOMERATION_MODELS.join(", ")} (trained on gala train with the default fragments)`,
    )
    .option("--invert", INVERT_HELP)
    .option("--raw <path>", "raw image (required when the model was trained with one)")
    .option("--dataset <name>", "HDF5 dataset name (every HDF5 input; default: the file's only dataset)")
    .requiredOption("--out <segmentation.zarr>", "segmentation to write (zarr, consecutive ids)")
    .option("--threshold <p>", "merge while the merge probability is ≥ p", parse.number(0, 1, "0.5"), 0.5)
    .option("--gt <path>", "ground truth: also print VOI, adapted Rand error and CREMI score")
    .option("--overwrite", "replace an existing segmentation");
  examples(
    command,
    "tessera segment agglomerate-with-model --fragments test-ws.h5 --boundaries test-p1.h5 --dataset stack --model model.json --out seg.zarr",
    "tessera segment agglomerate-with-model --fragments f.zarr --boundaries p.zarr --model model.json --out seg.zarr --threshold 0.6 --gt gt.zarr",
  );
  command.action(async (opts: ApplyOptionValues) => {
    await refuseExisting([{ path: opts.out, what: "segmentation" }], opts.overwrite === true);
    const model = await readAgglomerationModel(opts.model);
    const named = [
      { path: opts.fragments, option: "fragments" },
      { path: opts.boundaries, option: "boundaries" },
      ...(opts.raw ? [{ path: opts.raw, option: "raw" }] : []),
      ...(opts.gt ? [{ path: opts.gt, option: "gt" }] : []),
    ];
    const inputs = await Promise.all(
      named.map(async (n) => ({ ...n, input: await readInput(n.path, n.option, opts.dataset) })),
    );
    checkSameShape(inputs);
    const byOption = new Map(inputs.map((i) => [i.option, i.input]));
    const fragments = byOption.get("fragments") as LabelInput;
    const started = performance.now();
    const fragmentIds = labelsAsNumbers(fragments.data, opts.fragments);
    const agglomeration = agglomerateWithModel(
      fragmentIds,
      boundariesOf(byOption.get("boundaries") as LabelInput, opts.boundaries, opts.invert === true),
      fragments.shape,
      model,
      {
        threshold: opts.threshold,
        raw: byOption.get("raw")?.data as unknown as ScalarArray | undefined,
        onWarning: (message) => warn(`model ${opts.model}: ${message}`),
      },
    );
    const seconds = (performance.now() - started) / 1000;
    const { labels, count } = relabelConsecutive(
      applyAgglomeration(fragmentIds, agglomeration, 0) as LabelArray,
    );
    const staging = stagingPath(opts.out);
    const volume = await createVolume(staging, {
      shape: fragments.shape,
      dtype: "uint32",
      attrs: { source: opts.fragments, model: opts.model, threshold: opts.threshold },
      overwrite: true,
    });
    await volume.write(Box.fromShape(fragments.shape), labels);
    if (opts.overwrite) await rm(opts.out, { recursive: true, force: true });
    await rename(staging, opts.out);
    const gt = byOption.get("gt");
    print({
      segmentation: opts.out,
      fragments: agglomeration.fragmentIds.length,
      segments: count,
      merges: agglomeration.merges[0],
      threshold: opts.threshold,
      seconds,
      ...(gt && opts.gt
        ? { scores: scoreLabels({ data: labels, shape: fragments.shape }, gt, { segPath: opts.out }) }
        : {}),
    });
  });
  return command;
}
