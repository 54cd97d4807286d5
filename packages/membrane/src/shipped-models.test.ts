// The shipped models: found by name, and scored on data they did not train on — ISBI 2012 sections
// 20–24 (the validation split) with the adapted Rand error computed by skimage (an independent
// implementation), and an unseen phantom volume against its true membranes.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { emPhantom } from "@tessera/phantom";
import { runPython, sharedData, tempDir } from "@tessera/testkit";
import { readPng } from "@tessera/volume";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "./backend.js";
import { loadModel } from "./model-io.js";
import { predictArray } from "./predict.js";
import { resolveModelPath, SHIPPED_MODELS_DIR, shippedModels } from "./shipped-models.js";

const isbi = sharedData("em/isbi2012");
const dir = tempDir("tessera-membrane-shipped-");
afterAll(() => dir.cleanup());

/** Floors for the shipped ISBI 2012 model on sections 20–24 (measured values in the README). */
const ISBI_PIXEL_ERROR_FLOOR = 0.13;
const ISBI_ADAPTED_RAND_FLOOR = 0.15;

describe("shipped models", () => {
  beforeAll(async () => {
    await useBackend("wasm");
  });

  it("are found by name, and an unknown name is refused with the list of shipped models", () => {
    const names = shippedModels();
    expect(names).toEqual(expect.arrayContaining(["isbi2012-boundaries", "phantom-boundaries"]));
    expect(resolveModelPath("phantom-boundaries")).toBe(join(SHIPPED_MODELS_DIR, "phantom-boundaries"));
    expect(() => resolveModelPath("no-such-model")).toThrow(/shipped models: .*phantom-boundaries/);
  });

  it("phantom: under 5 % pixel error against the true membranes of a phantom it never saw", async () => {
    const m = await loadModel(resolveModelPath("phantom-boundaries"));
    const shape: [number, number, number] = [4, 128, 128];
    const p = emPhantom({ shape, resolutionNm: [40, 8, 8], seed: 99 });
    const prediction = predictArray(m, p.image, shape);
    let wrong = 0;
    for (let i = 0; i < prediction.length; i++) if (prediction[i] >= 0.5 !== p.boundaries[i] > 0) wrong++;
    expect(wrong / prediction.length).toBeLessThan(0.05);
  });

  it.skipIf(!isbi.available)(
    `ISBI 2012 sections 20–24: pixel error below ${ISBI_PIXEL_ERROR_FLOOR}, skimage's adapted Rand error of its watershed of the prediction below ${ISBI_ADAPTED_RAND_FLOOR}`,
    async () => {
      const m = await loadModel(resolveModelPath("isbi2012-boundaries"));
      const n = 512 * 512;
      const predictions = new Float32Array(5 * n);
      const labels = new Uint8Array(5 * n);
      for (let z = 20; z < 25; z++) {
        const image = await readPng(join(isbi.path, "image", `${z}.png`));
        const label = await readPng(join(isbi.path, "label", `${z}.png`));
        predictions.set(predictArray(m, Float32Array.from(image.data), [1, 512, 512]), (z - 20) * n);
        labels.set(label.data, (z - 20) * n);
      }
      let wrong = 0;
      for (let i = 0; i < predictions.length; i++) if (predictions[i] >= 0.5 !== (labels[i] === 0)) wrong++;
      const pixelError = wrong / predictions.length;
      writeFileSync(join(dir.path, "p.f32"), predictions);
      writeFileSync(join(dir.path, "l.u8"), labels);
      // truth: 4-connected components of label > 0 per section; ours: the components of p < 0.5 grown
      // over the membrane pixels by skimage's watershed of p (so every pixel has a cell and no
      // convention for unlabelled pixels is needed)
      const are = Number(
        runPython(
          `import sys, numpy as np
from skimage.measure import label
from skimage.metrics import adapted_rand_error
from skimage.segmentation import watershed
p = np.fromfile(sys.argv[1], dtype=np.float32).reshape(5, 512, 512)
l = np.fromfile(sys.argv[2], dtype=np.uint8).reshape(5, 512, 512)
def cells(mask):
    out = np.zeros(mask.shape, dtype=np.int64)
    for z in range(mask.shape[0]):
        lab = label(mask[z], connectivity=1)
        out[z] = np.where(lab > 0, lab + z * 1_000_000, 0)
    return out
markers = cells(p < 0.5)
grown = np.stack([watershed(p[z], markers[z]) for z in range(5)])
err, _, _ = adapted_rand_error(cells(l > 0), grown, ignore_labels=(0,))
print(err)`,
          [join(dir.path, "p.f32"), join(dir.path, "l.u8")],
        ).trim(),
      );
      expect(pixelError).toBeLessThan(ISBI_PIXEL_ERROR_FLOOR);
      expect(are).toBeLessThan(ISBI_ADAPTED_RAND_FLOOR);
      console.log(
        `ISBI 2012 20–24: pixel error ${pixelError.toFixed(4)}, adapted Rand error (skimage watershed) ${are.toFixed(4)}`,
      );
    },
  );
});
