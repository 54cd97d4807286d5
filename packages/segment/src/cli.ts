import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Box, openVolume, readHdf5Dataset, startProgressBar, TesseraError } from "@tessera/volume";
import { logged, openRunLog } from "@tessera/volume/cli";
import { Command, InvalidArgumentError } from "commander";
import type { Logger } from "pino";
import type { LabelArray } from "./arrays.js";
import { agglomerateRun } from "./block-agglomerate.js";
import { runFragmentsBlock } from "./block-fragments.js";
import { runGraphBlock } from "./block-graph.js";
import { runRelabelBlock } from "./block-relabel.js";
import { type BlockSummary, parseRun, prepareRun, runGrid } from "./block-run.js";
import { SegmentOptionsError } from "./errors.js";
import { evaluateSegmentation } from "./evaluate.js";
import { evaluateOptionsSchema, parseOptions, type SegmentRun } from "./options.js";

async function loadRun(path: string, thresholdIndex?: number): Promise<SegmentRun> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new SegmentOptionsError("cannot read the run config", {
      path,
      expected: "a JSON file",
      cause: error,
    });
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SegmentOptionsError("run config is not valid JSON", { path, expected: "JSON", cause: error });
  }
  if (thresholdIndex !== undefined) json.thresholdIndex = thresholdIndex;
  return parseRun(json, path);
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  return n;
}

function numberList(value: string): number[] {
  const numbers = value.split(",").map(Number);
  if (numbers.some((n) => !Number.isFinite(n)))
    throw new InvalidArgumentError(`expected numbers like 40,4,4, got "${value}"`);
  return numbers;
}

/** Run `work`, turning typed errors into one clear line on stderr and exit code 2, as every tessera command (no stack trace). */
async function guarded(command: Command, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof TesseraError) {
      command.error(`error: ${error.message}`, { exitCode: 2, code: "tessera.segment" });
    }
    throw error;
  }
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

type BlockStep = (run: SegmentRun, id: number) => Promise<BlockSummary>;

async function allBlocks(
  run: SegmentRun,
  label: string,
  step: BlockStep,
  log?: Logger,
): Promise<BlockSummary[]> {
  const { grid } = await runGrid(run);
  const bar = startProgressBar(label, "blocks");
  const summaries: BlockSummary[] = [];
  try {
    for (let id = 0; id < grid.count; id++) {
      const summary = await step(run, id);
      summaries.push(summary);
      log?.info({ step: label, block: id, summary }, "block done");
      bar.update(id + 1, grid.count);
    }
  } finally {
    bar.stop();
  }
  return summaries;
}

/** The run log of a step: `--log`, else `segment-<step>.log` beside the run configuration. */
function stepLog(step: string, config: string, file?: string): Logger {
  return openRunLog(file ?? join(dirname(config), `segment-${step}.log`), `tessera-segment-${step}`);
}

function stepCommand(
  name: string,
  description: string,
  blockDescription: string,
  whole: (run: SegmentRun, log: Logger) => Promise<unknown>,
  block: BlockStep,
  prepare = false,
): Command {
  const command = new Command(name)
    .description(`${description} (all blocks; \`${name} block --id N\` for one)`)
    .option("--config <run.json>", "run configuration (JSON, see segmentRunSchema); required")
    .option("--threshold-index <k>", "which agglomeration threshold relabel writes", integer)
    .option("--log <file>", "structured log (JSON lines; default segment-<step>.log beside the config)");
  // options before `block` belong to this command, options after it to `block`
  command.enablePositionalOptions();
  command.action(async (opts: { config?: string; thresholdIndex?: number; log?: string }) =>
    guarded(command, async () => {
      if (opts.config === undefined)
        command.error("error: required option '--config <run.json>' not specified");
      const config = opts.config as string;
      const log = stepLog(name, config, opts.log);
      const result = await logged(log, { command: `segment ${name}`, config }, async () => {
        const run = await loadRun(config, opts.thresholdIndex);
        if (prepare) await prepareRun(run);
        return whole(run, log);
      });
      print(result);
    }),
  );
  const blockCommand = new Command("block")
    .description(blockDescription)
    .requiredOption("--id <n>", "block id", integer)
    .requiredOption("--config <run.json>", "run configuration (JSON)")
    .option("--threshold-index <k>", "which agglomeration threshold relabel writes", integer)
    .option("--log <file>", "structured log (JSON lines; default segment-<step>.log beside the config)");
  blockCommand.action(async (opts: { id: number; config: string; thresholdIndex?: number; log?: string }) =>
    guarded(blockCommand, async () => {
      const log = stepLog(name, opts.config, opts.log);
      const result = await logged(log, { command: `segment ${name} block`, block: opts.id }, async () => {
        const run = await loadRun(opts.config, opts.thresholdIndex);
        if (prepare) await prepareRun(run);
        return block(run, opts.id);
      });
      print(result);
    }),
  );
  command.addCommand(blockCommand);
  return command;
}

async function readLabels(
  path: string,
  dataset?: string,
): Promise<{ data: LabelArray; shape: number[]; resolution?: number[] }> {
  if (/\.(h5|hdf5|hdf)$/i.test(path)) {
    const { data, shape, attrs } = await readHdf5Dataset(path, dataset);
    return { data: data as LabelArray, shape, resolution: attrs.resolution as number[] | undefined };
  }
  const volume = await openVolume(path);
  return {
    data: (await volume.read()).data as LabelArray,
    shape: [...volume.shape],
    resolution: volume.resolution,
  };
}

/**
 * The `segment` command: `fragments`, `agglomerate`, `relabel` (each over all blocks, or `block --id N`
 * for one task) and `evaluate` (VOI, adapted Rand error, CREMI score). Typed errors become one line
 * on stderr and exit code 2.
 */
export function segmentCommand(): Command {
  const segment = new Command("segment")
    .description(
      "watershed fragments, region-graph agglomeration, blockwise relabelling and CREMI evaluation",
    )
    .enablePositionalOptions();
  segment.addCommand(
    stepCommand(
      "fragments",
      "watershed fragments of the boundary map, with globally unique ids",
      "fragments of one block (block + context read, write block written)",
      async (run, log) => {
        const summaries = await allBlocks(run, "fragments", runFragmentsBlock, log);
        return { blocks: summaries.length, fragments: summaries.reduce((s, b) => s + b.count, 0) };
      },
      runFragmentsBlock,
      true,
    ),
  );
  segment.addCommand(
    stepCommand(
      "agglomerate",
      "region graph of every block, then global agglomeration at all thresholds",
      "region graph of one block (its faces towards earlier blocks included)",
      async (run, log) => {
        await allBlocks(run, "graph", runGraphBlock, log);
        const bar = startProgressBar("agglomerate", "graphs");
        try {
          return await agglomerateRun(run, bar.update);
        } finally {
          bar.stop();
        }
      },
      runGraphBlock,
    ),
  );
  segment.addCommand(
    stepCommand(
      "relabel",
      "write the segmentation of one threshold through the fragment → segment lookup",
      "relabel one block",
      async (run, log) => {
        const summaries = await allBlocks(run, "relabel", runRelabelBlock, log);
        return { blocks: summaries.length, voxels: summaries.reduce((s, b) => s + b.voxels, 0) };
      },
      runRelabelBlock,
    ),
  );
  const evaluate = new Command("evaluate")
    .description(
      "score a segmentation against ground truth: VOI split/merge (bits), adapted Rand error, CREMI score",
    )
    .argument("<segmentation>", "zarr array or HDF5 file")
    .argument("<groundtruth>", "zarr array or HDF5 file")
    .option("--dataset <name>", "HDF5 dataset name (both files)")
    .option("--convention <name>", "adapted Rand convention: cremi or skimage", "cremi")
    .option("--border-threshold-nm <nm>", "CREMI border mask radius in nm", Number)
    .option("--resolution <z,y,x>", "voxel size in nm (default: the ground truth's resolution)", numberList)
    .option("--box <z0:z1,y0:y1,x0:x1>", "score only this box (e.g. one block)");
  evaluate.action(
    async (
      segPath: string,
      gtPath: string,
      opts: {
        dataset?: string;
        convention: string;
        borderThresholdNm?: number;
        resolution?: number[];
        box?: string;
      },
    ) =>
      guarded(evaluate, async () => {
        const options = parseOptions(evaluateOptionsSchema, {
          convention: opts.convention,
          borderThresholdNm: opts.borderThresholdNm,
          resolutionNm: opts.resolution,
        });
        let [seg, gt] = await Promise.all([
          readLabels(segPath, opts.dataset),
          readLabels(gtPath, opts.dataset),
        ]);
        if (seg.shape.join() !== gt.shape.join()) {
          throw new SegmentOptionsError("segmentation and ground truth differ in shape", {
            path: segPath,
            field: "shape",
            expected: gt.shape.join("×"),
            found: seg.shape.join("×"),
          });
        }
        let shape = gt.shape;
        if (opts.box) {
          const ranges = opts.box.split(",").map((r) => r.split(":").map(Number));
          const box = new Box(
            ranges.map((r) => r[0]),
            ranges.map((r) => r[1]),
          );
          box.assertInside(Box.fromShape(shape), "box");
          const crop = (data: LabelArray) => {
            const Ctor = data.constructor as new (n: number) => LabelArray;
            const out = new Ctor(box.size);
            let k = 0;
            for (let z = box.begin[0]; z < box.end[0]; z++)
              for (let y = box.begin[1]; y < box.end[1]; y++) {
                const row = (z * shape[1] + y) * shape[2];
                for (let x = box.begin[2]; x < box.end[2]; x++) out[k++] = data[row + x] as never;
              }
            return out;
          };
          seg = { ...seg, data: crop(seg.data) };
          gt = { ...gt, data: crop(gt.data) };
          shape = box.shape;
        }
        const resolution = options.resolutionNm ?? gt.resolution;
        print(
          evaluateSegmentation(seg.data, gt.data, {
            shape: shape as [number, number, number],
            convention: options.convention,
            ignoreGt: options.ignoreGt,
            borderThresholdNm: options.borderThresholdNm,
            resolutionNm: resolution as [number, number, number] | undefined,
          }),
        );
      }),
  );
  segment.addCommand(evaluate);
  return segment;
}
