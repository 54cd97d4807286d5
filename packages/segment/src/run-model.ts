import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { AgglomerationModel } from "./agglomeration-model.js";
import { readAgglomerationModel, resolveAgglomerationModel } from "./cli-learned.js";
import { edgeFeatureNames } from "./edge-feature-vector.js";
import type { EdgeFeatureTable } from "./edge-features.js";
import { SegmentOptionsError } from "./errors.js";
import type { SegmentRun } from "./options.js";

/** Path of block `id`'s edge-feature accumulators (written by the graph step when the run has a model). */
export function featuresFile(run: SegmentRun, id: number): string {
  return join(run.graph, `block-${id}.features`);
}

const cache = new Map<string, AgglomerationModel>();

/**
 * The model of a run's learned agglomeration (`agglomerate.model`: a file, or a shipped model's
 * name), read and checked once per process and file version. Typed errors name the file: missing,
 * not a model, or not usable blockwise (trained with a raw image, or with features other than the
 * boundary features of its bins).
 */
export async function loadRunModel(run: SegmentRun): Promise<{ model: AgglomerationModel; path: string }> {
  const name = run.agglomerate.model;
  if (name === undefined) {
    throw new SegmentOptionsError("the run has no agglomeration model", {
      field: "agglomerate.model",
      expected: "a model file (or --model)",
      found: "none",
    });
  }
  const path = resolveAgglomerationModel(name);
  const info = await stat(path).catch(() => undefined);
  const key = `${path}\0${info?.mtimeMs}\0${info?.size}`;
  let model = cache.get(key);
  if (model === undefined) {
    model = await readAgglomerationModel(name);
    checkBlockwiseModel(model, path);
    cache.set(key, model);
  }
  return { model, path };
}

/** A model the blockwise agglomeration can apply: boundary features only, the standard feature list. */
export function checkBlockwiseModel(model: AgglomerationModel, path?: string): void {
  if (model.featureOptions.raw) {
    throw new SegmentOptionsError(
      "the model was trained with a raw image, which blockwise runs do not read",
      {
        path,
        field: "agglomerate.model",
        expected: "a model trained on fragments and boundaries only (train-agglomeration without --raw)",
        found: "featureOptions.raw: true",
      },
    );
  }
  const names = edgeFeatureNames({ bins: model.featureOptions.bins } as EdgeFeatureTable);
  if (names.length !== model.features.length || names.some((n, k) => n !== model.features[k])) {
    throw new SegmentOptionsError("the model's feature list is not the one this version computes", {
      path,
      field: "features",
      expected: `${names.length} features (${names.slice(0, 3).join(", ")}, …)`,
      found: `${model.features.length} features (${model.features.slice(0, 3).join(", ")}, …)`,
    });
  }
}
