import { stat } from "node:fs/promises";
import { join } from "node:path";
import { openVolume, type Volume } from "@tessera/volume";
import type { AgglomerationModel } from "./agglomeration-model.js";
import { readAgglomerationModel, resolveAgglomerationModel } from "./cli-learned.js";
import { edgeFeatureNames } from "./edge-feature-vector.js";
import type { EdgeFeatureTable } from "./edge-features.js";
import { SegmentOptionsError, SegmentShapeError } from "./errors.js";
import type { SegmentRun } from "./options.js";

/** Path of block `id`'s edge-feature accumulators (written by the graph step when the run has a model). */
export function featuresFile(run: SegmentRun, id: number): string {
  return join(run.graph, `block-${id}.features`);
}

const cache = new Map<string, AgglomerationModel>();

/**
 * The model of a run's learned agglomeration (`agglomerate.model`: a file, or a shipped model's
 * name), read and checked once per process and file version. Typed errors name the file: missing,
 * not a model, not usable blockwise (features other than those this version computes), or trained
 * with a raw image when the run has none (`agglomerate.raw`), or the other way round.
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
  if (model.featureOptions.raw !== (run.agglomerate.raw !== undefined)) {
    throw new SegmentOptionsError(
      model.featureOptions.raw
        ? "the model was trained with a raw image: set agglomerate.raw (--raw)"
        : "agglomerate.raw is set, but the model was trained without a raw image",
      {
        path,
        field: "agglomerate.raw",
        expected: model.featureOptions.raw ? "the raw image (a zarr array)" : "not set",
        found: run.agglomerate.raw ?? "not set",
      },
    );
  }
  return { model, path };
}

/**
 * The run's raw image (`agglomerate.raw`; undefined when not set), checked to have the boundaries'
 * shape (`boundaries`: the boundaries volume when the caller has it open already): a
 * {@link SegmentShapeError} names both files otherwise.
 */
export async function openRunRaw(run: SegmentRun, boundaries?: Volume): Promise<Volume | undefined> {
  const path = run.agglomerate.raw;
  if (path === undefined) return undefined;
  const raw = await openVolume(path);
  boundaries ??= await openVolume(run.boundaries);
  if (raw.shape.length !== boundaries.shape.length || raw.shape.some((n, i) => n !== boundaries.shape[i])) {
    throw new SegmentShapeError("the raw image does not match the boundaries", {
      path,
      field: "agglomerate.raw",
      expected: `shape ${boundaries.shape.join("×")} (as ${run.boundaries})`,
      found: `shape ${raw.shape.join("×")}`,
    });
  }
  return raw;
}

/** A model the blockwise agglomeration can apply: the feature list this version computes. */
export function checkBlockwiseModel(model: AgglomerationModel, path?: string): void {
  if (model.featureOptions.raw && model.featureOptions.rawRange === undefined) {
    throw new SegmentOptionsError("the model was trained with a raw image but records no raw range", {
      path,
      field: "featureOptions.rawRange",
      expected: "[low, high]",
      found: "none",
    });
  }
  const names = edgeFeatureNames({
    bins: model.featureOptions.bins,
    raw: model.featureOptions.raw ? {} : undefined,
  } as EdgeFeatureTable);
  if (names.length !== model.features.length || names.some((n, k) => n !== model.features[k])) {
    throw new SegmentOptionsError("the model's feature list is not the one this version computes", {
      path,
      field: "features",
      expected: `${names.length} features (${names.slice(0, 3).join(", ")}, …)`,
      found: `${model.features.length} features (${model.features.slice(0, 3).join(", ")}, …)`,
    });
  }
}
