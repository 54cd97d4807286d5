import { join } from "node:path";
import { loadModel, predictVolume, resolveModelPath, useBackend } from "@tessera/membrane";
import { openVolume, type Volume } from "@tessera/volume";

/** The shipped membrane model the demo runs (trained on other phantom volumes than the demo's). */
export const DEMO_MEMBRANE_MODEL = "phantom-boundaries";

/** What the demo's membrane step made and measured. */
export interface DemoMembrane {
  /** Zarr array of the predicted boundary probabilities (float32, z, y, x). */
  path: string;
  model: string;
  backend: string;
  blocks: number;
  /** Fraction of voxels where the prediction thresholded at 0.5 disagrees with the phantom's membranes. */
  pixelError: number;
  seconds: number;
}

/**
 * Predict the demo image's membranes blockwise with the shipped phantom model (wasm backend) into
 * `<group>/predicted-boundaries`, and score the prediction against the phantom's true membranes.
 */
export async function predictDemoMembranes(
  group: string,
  image: Volume,
  trueBoundaries: Uint8Array,
): Promise<{ summary: DemoMembrane; volume: Volume }> {
  const started = performance.now();
  const backend = await useBackend("wasm");
  const model = await loadModel(resolveModelPath(DEMO_MEMBRANE_MODEL));
  const path = join(group, "predicted-boundaries");
  let blocks = 0;
  await predictVolume(model, image, path, {
    block: [16, 128, 128],
    overwrite: true,
    onProgress: (_done, total) => {
      blocks = total;
    },
  });
  model.model.dispose();
  const volume = await openVolume(path);
  const p = (await volume.read()).data as Float32Array;
  let wrong = 0;
  for (let i = 0; i < p.length; i++) if (p[i] >= 0.5 !== trueBoundaries[i] > 0) wrong++;
  return {
    summary: {
      path,
      model: DEMO_MEMBRANE_MODEL,
      backend,
      blocks,
      pixelError: wrong / p.length,
      seconds: (performance.now() - started) / 1000,
    },
    volume,
  };
}
