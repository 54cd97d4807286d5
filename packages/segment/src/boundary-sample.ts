import { Box, type Volume } from "@tessera/volume";
import { asScalar } from "./block-run.js";
import { type BoundaryDiagnosis, diagnoseBoundaries } from "./boundary-check.js";
import type { BoundaryOptions } from "./options.js";

/** The largest box read to check a boundary map: about a million voxels. */
const SAMPLE_SHAPE = [16, 256, 256];

/**
 * Read a sample of a boundary volume, the central box of at most 16×256×256 voxels (3-D volumes;
 * a clipped box otherwise), and {@link diagnoseBoundaries} it. Throws a typed error for a dtype the
 * segmentation cannot read.
 */
export async function checkBoundaryVolume(
  volume: Volume,
  options: Partial<BoundaryOptions> = {},
): Promise<BoundaryDiagnosis> {
  const shape = volume.shape;
  const size = shape.map((s, i) => Math.min(s, SAMPLE_SHAPE[i] ?? s));
  const begin = shape.map((s, i) => Math.floor((s - size[i]) / 2));
  const box = new Box(
    begin,
    begin.map((b, i) => b + size[i]),
  );
  const sample = asScalar((await volume.read(box)).data, volume.path);
  return diagnoseBoundaries(sample, options);
}
