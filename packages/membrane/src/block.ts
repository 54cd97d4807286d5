import * as tf from "@tensorflow/tfjs";
import { BlockGrid, Box, createVolume, type Volume } from "@tessera/volume";
import { ModelInputError } from "./errors.js";
import type { MembraneModel } from "./model-io.js";
import { mirrorAxes, type PredictOptions, predictArray, tilingOf } from "./predict.js";
import { outputChannels } from "./unet.js";

/** Options of {@link predictionGrid} and {@link predictVolume}. */
export interface PredictVolumeOptions {
  /**
   * Write block `[z, y, x]` (rounded up to the network's pooling grid; default Z × 256 × 256 with Z
   * 32, or twice the context along z when that is more, so that a block is not mostly context).
   */
  block?: [number, number, number];
  /** Called after each block with (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Test-time flips ({@link PredictOptions.flips}): the blocks still equal a whole-volume prediction with them. */
  flips?: boolean;
}

/**
 * The block grid of a prediction over a `[z, y, x]` volume: write blocks on the network's pooling
 * grid, each read with the network's context (≥ its field of view). A block predicted this way
 * equals the same voxels of a whole-volume prediction.
 */
export function predictionGrid(
  m: MembraneModel,
  shape: readonly number[],
  block?: readonly number[],
): BlockGrid {
  if (shape.length !== 3) {
    throw new ModelInputError("the input volume must be 3-D (z, y, x)", {
      field: "input",
      expected: "3 axes",
      found: `${shape.length} axes`,
    });
  }
  const { multiple, context } = tilingOf(m);
  const blockShape = (block ?? [Math.max(32, 2 * context[0]), 256, 256]).map(
    (b, a) => Math.ceil(Math.max(1, b) / multiple[a]) * multiple[a],
  );
  const bounds = Box.fromShape(shape);
  return new BlockGrid({ roi: bounds, blockShape, context, bounds });
}

/** The output array of a prediction: float32, `[z, y, x]` for boundaries, `[C, z, y, x]` for affinities. */
export async function createPredictionVolume(
  path: string,
  m: MembraneModel,
  input: Volume,
  grid: BlockGrid,
  overwrite = false,
  flips = false,
): Promise<Volume> {
  const C = outputChannels(m.metadata.unet);
  const shape = C === 1 ? input.shape : [C, ...input.shape];
  const chunks =
    C === 1
      ? grid.blockShape.map((b, a) => Math.min(b, input.shape[a]))
      : [1, ...grid.blockShape.map((b, a) => Math.min(b, input.shape[a]))];
  return createVolume(path, {
    shape,
    chunks,
    dtype: "float32",
    overwrite,
    attrs: {
      ...(input.resolution ? { resolution: input.resolution } : {}),
      provenance: {
        tool: "@tessera/membrane",
        output: m.metadata.unet.output,
        unet: m.metadata.unet,
        backend: tf.getBackend(),
        input: input.path,
        testTimeFlips: flips,
      },
    },
  });
}

/**
 * One block task: read the block with its context from `input`, predict, and write the block's own
 * voxels into `output` (made by {@link createPredictionVolume}).
 */
export async function predictBlock(
  m: MembraneModel,
  input: Volume,
  output: Volume,
  grid: BlockGrid,
  id: number,
  options: Pick<PredictOptions, "flips"> = {},
): Promise<void> {
  const block = grid.block(id);
  const region = await input.read(block.readBox);
  const shape = block.readBox.shape as [number, number, number];
  const prediction = predictArray(m, region.data as ArrayLike<number>, shape, { flips: options.flips });
  const C = outputChannels(m.metadata.unet);
  const w = block.writeBox;
  const [wz, wy, wx] = w.shape;
  const off = w.begin.map((b, a) => b - block.readBox.begin[a]);
  const n = shape[0] * shape[1] * shape[2];
  const out = new Float32Array(C * wz * wy * wx);
  for (let c = 0; c < C; c++) {
    for (let z = 0; z < wz; z++) {
      for (let y = 0; y < wy; y++) {
        const src = c * n + ((z + off[0]) * shape[1] + y + off[1]) * shape[2] + off[2];
        out.set(prediction.subarray(src, src + wx), ((c * wz + z) * wy + y) * wx);
      }
    }
  }
  const box = C === 1 ? w : new Box([0, ...w.begin], [C, ...w.end]);
  await output.write(box, out);
}

/** Predict a whole volume block by block (see {@link predictBlock}); memory is bounded by a block and its context. */
export async function predictVolume(
  m: MembraneModel,
  input: Volume,
  outputPath: string,
  options: PredictVolumeOptions & { overwrite?: boolean } = {},
): Promise<Volume> {
  const grid = predictionGrid(m, input.shape, options.block);
  // refuse flips of an affinity model before anything is written
  mirrorAxes(m, options.flips === true);
  const output = await createPredictionVolume(outputPath, m, input, grid, options.overwrite, options.flips);
  for (let id = 0; id < grid.count; id++) {
    await predictBlock(m, input, output, grid, id, { flips: options.flips });
    options.onProgress?.(id + 1, grid.count);
  }
  return output;
}
