// Shared by the training scripts in this folder: the built packages, a fresh model, and training that
// keeps the epoch with the lowest validation loss in a model directory.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const sharedData = resolve(process.env.TESSERA_SHARED_DATA ?? join(root, "../shared/data"));

/** A built workspace package's entry point (build first: npm run build). */
export const load = (name) => import(join(root, "packages", name, "dist/index.js"));

/** A new model of `config` with its metadata. */
export function newModel(membrane, config, normalisation, backend) {
  return {
    model: membrane.buildUNet(config),
    metadata: {
      format: "tessera-membrane-model",
      version: 1,
      unet: config,
      normalisation,
      backend,
      created: new Date().toISOString(),
    },
  };
}

/** Mean and standard deviation of the training volumes' raw values. */
export function meanAndStd(volumes) {
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  for (const v of volumes) {
    for (const x of v.raw) {
      sum += x;
      sumSq += x * x;
      count++;
    }
  }
  const mean = sum / count;
  return { mean, std: Math.sqrt(sumSq / count - mean * mean) };
}

/**
 * Train `m`, printing every epoch and saving the best epoch to `out` with `training` (and the epoch's
 * metrics) in its metadata. "Best" is the lowest validation loss, or the lowest `select(m)` when a
 * selection score is given (for example a segmentation score on a selection volume). Returns the
 * epochs and the seconds taken.
 */
export async function trainKeepingBest(membrane, m, train, validation, settings, out, training, select) {
  let best = Number.POSITIVE_INFINITY;
  const t0 = performance.now();
  const history = await membrane.trainModel(m, train, {
    ...settings,
    validation,
    onEpoch: async (r) => {
      const score = select ? await select.score(m) : r.validationLoss;
      if (select) r[select.name] = score;
      console.log(
        `epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, validation loss ${r.validationLoss.toFixed(4)}, pixel error ${r.pixelError.toFixed(4)}${select ? `, ${select.name} ${score.toFixed(4)}` : ""}, ${r.seconds.toFixed(1)} s`,
      );
      if (score < best) {
        best = score;
        await membrane.saveModel(out, m.model, {
          ...m.metadata,
          training: {
            ...training,
            settings,
            bestEpoch: r.epoch,
            selectedBy: select?.name ?? "validation loss",
          },
          metrics: {
            validationLoss: r.validationLoss,
            pixelError: r.pixelError,
            ...(select ? { [select.name]: score } : {}),
          },
        });
      }
    },
  });
  return { history, seconds: (performance.now() - t0) / 1000 };
}
