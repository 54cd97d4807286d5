import { parse } from "@tessera/cli";
import { Box } from "@tessera/volume";
import { Command, InvalidArgumentError, Option } from "commander";
import { examples, print } from "./cli-common.js";
import { SegmentShapeError } from "./errors.js";
import { evaluateSegmentation, type SegmentationScores } from "./evaluate.js";
import { boxOf, cropLabels, type LabelInput, readLabels } from "./labels-input.js";
import { evaluateOptionsSchema, parseOptions } from "./options.js";

const axisRange = parse.range("0:64");

/** `--box z0:z1,y0:y1,x0:x1`: three half-open ranges. */
function boxOption(value: string): [number, number][] {
  const parts = value.split(",");
  if (parts.length !== 3) {
    throw new InvalidArgumentError(
      `expected 3 ranges z0:z1,y0:y1,x0:x1 like 0:50,0:100,0:200, got "${value}"`,
    );
  }
  return parts.map((part) => axisRange(part));
}

/** Options of {@link scoreLabels}. */
export interface ScoreOptions {
  convention?: "cremi" | "skimage";
  borderThresholdNm?: number;
  resolutionNm?: number[];
  box?: [number, number][];
  /** Names of the two inputs, for errors. */
  segPath: string;
}

/** Score `seg` against `gt` (same shape; optionally inside a box), as `segment evaluate` and `segment run --gt` do. */
export function scoreLabels(seg: LabelInput, gt: LabelInput, opts: ScoreOptions): SegmentationScores {
  const options = parseOptions(evaluateOptionsSchema, {
    convention: opts.convention,
    borderThresholdNm: opts.borderThresholdNm,
    resolutionNm: opts.resolutionNm,
  });
  if (seg.shape.join() !== gt.shape.join()) {
    throw new SegmentShapeError("segmentation and ground truth differ in shape", {
      path: opts.segPath,
      field: "shape",
      expected: gt.shape.join("×"),
      found: seg.shape.join("×"),
    });
  }
  let shape = gt.shape;
  let segData = seg.data;
  let gtData = gt.data;
  if (opts.box) {
    const box = boxOf(opts.box);
    box.assertInside(Box.fromShape(shape), "box");
    segData = cropLabels(seg.data, shape, box);
    gtData = cropLabels(gt.data, shape, box);
    shape = box.shape;
  }
  const resolution = options.resolutionNm ?? gt.resolution;
  return evaluateSegmentation(segData, gtData, {
    shape: shape as [number, number, number],
    convention: options.convention,
    ignoreGt: options.ignoreGt,
    borderThresholdNm: options.borderThresholdNm,
    resolutionNm: resolution as [number, number, number] | undefined,
  });
}

/** `segment evaluate <segmentation> <groundtruth>`: VOI, adapted Rand error and CREMI score as JSON. */
export function evaluateCommand(): Command {
  const evaluate = new Command("evaluate")
    .description(
      "score a segmentation against ground truth: VOI split/merge (bits), adapted Rand error, CREMI score (JSON on stdout)",
    )
    .argument("<segmentation>", "zarr array or HDF5 file")
    .argument("<groundtruth>", "zarr array or HDF5 file (label 0 is ignored)")
    .option("--dataset <name>", "HDF5 dataset name (both files; default: the file's only dataset)")
    .addOption(
      new Option("--convention <name>", "adapted Rand convention")
        .choices(["cremi", "skimage"])
        .default("cremi"),
    )
    .option("--border-threshold-nm <nm>", "CREMI border mask radius in nm", parse.number(0, 10_000, "25"))
    .option(
      "--resolution <z,y,x>",
      "voxel size in nm (default: the ground truth's resolution)",
      parse.numbers("40,4,4", { count: 3, positive: true }),
    )
    .option("--box <z0:z1,y0:y1,x0:x1>", "score only this box (e.g. one block)", boxOption);
  examples(
    evaluate,
    "tessera segment evaluate run/segmentation.zarr groundtruth.zarr",
    "tessera segment evaluate train-ws.h5 train-gt.h5 --dataset stack",
    "tessera segment evaluate seg.zarr gt.zarr --border-threshold-nm 25 --resolution 40,4,4 --box 0:16,0:256,0:256",
  );
  evaluate.action(
    async (
      segPath: string,
      gtPath: string,
      opts: {
        dataset?: string;
        convention: "cremi" | "skimage";
        borderThresholdNm?: number;
        resolution?: number[];
        box?: [number, number][];
      },
    ) => {
      const [seg, gt] = await Promise.all([
        readLabels(segPath, opts.dataset),
        readLabels(gtPath, opts.dataset),
      ]);
      print(
        scoreLabels(seg, gt, {
          convention: opts.convention,
          borderThresholdNm: opts.borderThresholdNm,
          resolutionNm: opts.resolution,
          box: opts.box,
          segPath,
        }),
      );
    },
  );
  return evaluate;
}
