import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ModelFormatError } from "./errors.js";

/** The folder of the models shipped with the package (`models/` beside `src/` and `dist/`). */
export const SHIPPED_MODELS_DIR = fileURLToPath(new URL("../models", import.meta.url));

/** Names of the shipped models (folders of {@link SHIPPED_MODELS_DIR} holding a model.json). */
export function shippedModels(): string[] {
  if (!existsSync(SHIPPED_MODELS_DIR)) return [];
  return readdirSync(SHIPPED_MODELS_DIR)
    .filter((name) => existsSync(join(SHIPPED_MODELS_DIR, name, "model.json")))
    .sort();
}

/**
 * A model directory for `spec`: the directory itself when it exists, else the shipped model of that
 * name; a typed error listing the shipped models otherwise.
 */
export function resolveModelPath(spec: string): string {
  if (existsSync(spec) && statSync(spec).isDirectory()) return spec;
  const names = shippedModels();
  if (names.includes(spec)) return join(SHIPPED_MODELS_DIR, spec);
  throw new ModelFormatError("no such model directory or shipped model", {
    path: spec,
    expected: `a model directory, or one of the shipped models: ${names.join(", ") || "(none)"}`,
  });
}
