import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ModelFormatError } from "./errors.js";
import { type UNetConfig, unetConfig } from "./unet.js";

/** How raw intensities become network input: (value − mean) / std. */
export interface Normalisation {
  mean: number;
  std: number;
}

/** What a model directory records besides the network (`metadata.json`). */
export interface ModelMetadata {
  format: "tessera-membrane-model";
  version: 1;
  unet: UNetConfig;
  normalisation: Normalisation;
  /** Training data (files and their sha256), settings and the metrics measured, when known. */
  training?: Record<string, unknown>;
  metrics?: Record<string, number>;
  /** The TensorFlow.js backend the model was trained on. */
  backend?: string;
  created: string;
}

/** A loaded model with its metadata. */
export interface MembraneModel {
  model: tf.LayersModel;
  metadata: ModelMetadata;
}

const MODEL_JSON = "model.json";
const WEIGHTS = "weights.bin";
const METADATA = "metadata.json";

/**
 * Save a model directory: TensorFlow.js `model.json` (topology + weights manifest), `weights.bin`
 * and `metadata.json`. Written into a temporary folder renamed into place, so a directory that
 * exists is complete.
 */
export async function saveModel(dir: string, model: tf.LayersModel, metadata: ModelMetadata): Promise<void> {
  const staging = `${dir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData
        ? new Uint8Array(
            Array.isArray(artifacts.weightData)
              ? await new Blob(artifacts.weightData).arrayBuffer()
              : (artifacts.weightData as ArrayBuffer),
          )
        : new Uint8Array(0);
      await writeFile(join(staging, WEIGHTS), weights);
      const json = {
        modelTopology: artifacts.modelTopology,
        format: "layers-model",
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        weightsManifest: [{ paths: [`./${WEIGHTS}`], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(join(staging, MODEL_JSON), `${JSON.stringify(json)}\n`);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  await writeFile(join(staging, METADATA), `${JSON.stringify(metadata, null, 2)}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
}

async function readJson(path: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new ModelFormatError(`the model directory has no ${what}`, {
      path,
      expected: what,
      found: "no such file",
      cause,
    });
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new ModelFormatError(`${what} is not valid JSON`, {
      path,
      expected: "JSON",
      found: text.slice(0, 40),
      cause,
    });
  }
}

/** Load a model directory written by {@link saveModel}, checking that its files fit together. */
export async function loadModel(dir: string): Promise<MembraneModel> {
  const json = await readJson(join(dir, MODEL_JSON), MODEL_JSON);
  const meta = await readJson(join(dir, METADATA), METADATA);
  if (meta.format !== "tessera-membrane-model") {
    throw new ModelFormatError("metadata.json is not a tessera membrane model's", {
      path: join(dir, METADATA),
      field: "format",
      expected: "tessera-membrane-model",
      found: String(meta.format),
    });
  }
  const manifest = (json.weightsManifest as { weights: tf.io.WeightsManifestEntry[] }[] | undefined)?.[0];
  if (!json.modelTopology || !manifest) {
    throw new ModelFormatError("model.json lacks the topology or the weights manifest", {
      path: join(dir, MODEL_JSON),
      expected: "modelTopology and weightsManifest",
      found: Object.keys(json).join(", "),
    });
  }
  let weights: Uint8Array;
  try {
    weights = await readFile(join(dir, WEIGHTS));
  } catch (cause) {
    throw new ModelFormatError("the model's weights are missing", {
      path: join(dir, WEIGHTS),
      expected: WEIGHTS,
      found: "no such file",
      cause,
    });
  }
  const expectedBytes = manifest.weights.reduce(
    (sum, w) =>
      sum + w.shape.reduce((a, b) => a * b, 1) * (w.dtype === "float32" || w.dtype === "int32" ? 4 : 1),
    0,
  );
  if (weights.byteLength !== expectedBytes) {
    throw new ModelFormatError("the weights file does not match model.json", {
      path: join(dir, WEIGHTS),
      expected: `${expectedBytes} bytes`,
      found: `${weights.byteLength} bytes`,
    });
  }
  const weightData = weights.buffer.slice(
    weights.byteOffset,
    weights.byteOffset + weights.byteLength,
  ) as ArrayBuffer;
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology as object,
        weightSpecs: manifest.weights,
        weightData,
      }),
    );
  } catch (cause) {
    throw new ModelFormatError("TensorFlow.js could not build the model from model.json", {
      path: join(dir, MODEL_JSON),
      found: String((cause as Error).message ?? cause),
      cause,
    });
  }
  const metadata = meta as unknown as ModelMetadata;
  metadata.unet = unetConfig(metadata.unet);
  return { model, metadata };
}
