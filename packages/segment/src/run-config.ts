import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { openVolume, writeFileAtomic } from "@tessera/volume";
import { SHIPPED_AGGLOMERATION_MODELS } from "./cli-learned.js";
import { blockShapeFor } from "./config-example.js";
import { parseConfigText } from "./config-text.js";
import { SegmentOptionsError } from "./errors.js";
import { parseOptions, type SegmentRun, segmentRunSchema } from "./options.js";

/**
 * `agglomerate.model` resolved against `folder`: a shipped model's name stays a name unless a file of
 * that name exists there; any other relative path becomes a path under `folder`.
 */
function resolveModelPath(value: unknown, folder: string): unknown {
  if (typeof value !== "string" || value === "" || isAbsolute(value)) return value;
  const path = join(folder, value);
  return (SHIPPED_AGGLOMERATION_MODELS as readonly string[]).includes(value) && !existsSync(path)
    ? value
    : path;
}

/** The path fields of a run config: relative paths in a config file are relative to the file's folder. */
export const RUN_PATH_FIELDS = ["boundaries", "fragments", "graph", "segmentation"] as const;

type Json = Record<string, unknown>;

/** Run settings given on the command line: any part of a run config, plus `out`, a folder for all outputs. */
export interface RunOverrides {
  /** Folder for the outputs not named otherwise: `<out>/fragments.zarr`, `<out>/graph`, `<out>/segmentation.zarr`. */
  out?: string;
  /** Fields of the run config (nested objects are merged into the config file's). */
  config: Json;
}

/** The command-line option that sets each config field (for error messages). */
const OPTION_OF: Record<string, string> = {
  boundaries: "--boundaries <zarr>",
  fragments: "--fragments <zarr> or --out <dir>",
  graph: "--graph <dir> or --out <dir>",
  segmentation: "--segmentation <zarr> or --out <dir>",
  blockShape: "--block-shape z,y,x",
};

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `base` with `top` merged in, nested objects merged key by key, `undefined` values of `top` ignored. */
function merge(base: Json, top: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(top)) {
    if (value === undefined) continue;
    out[key] = isObject(value) && isObject(out[key]) ? merge(out[key] as Json, value) : value;
  }
  return out;
}

/**
 * Read a run config file (JSON with `//` line comments): its relative paths are resolved against
 * the file's folder, so a run folder can be moved or used from anywhere.
 */
export async function readRunConfig(file: string): Promise<Json> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new SegmentOptionsError(
      code === "ENOENT" ? "config file not found" : "cannot read the config file",
      {
        path: file,
        field: "--config",
        expected: "a run config file (print an example with `tessera segment init-config`)",
        found: code ?? String(error),
        cause: error,
      },
    );
  }
  const json = parseConfigText(text, file);
  if (!isObject(json)) {
    throw new SegmentOptionsError("invalid run config", {
      path: file,
      field: "(root)",
      expected: "a JSON object",
      found: Array.isArray(json) ? "an array" : JSON.stringify(json),
    });
  }
  const folder = dirname(resolve(file));
  for (const field of RUN_PATH_FIELDS) {
    const value = json[field];
    if (typeof value === "string" && value !== "" && !isAbsolute(value)) json[field] = join(folder, value);
  }
  if (isObject(json.agglomerate) && json.agglomerate.model !== undefined) {
    json.agglomerate.model = resolveModelPath(json.agglomerate.model, folder);
  }
  if (isObject(json.agglomerate) && typeof json.agglomerate.raw === "string" && json.agglomerate.raw !== "") {
    if (!isAbsolute(json.agglomerate.raw)) json.agglomerate.raw = join(folder, json.agglomerate.raw);
  }
  return json;
}

/**
 * The effective run: the config file's fields (when `configFile` is given), overridden by the
 * command line's (paths resolved against the current folder), then validated; without a block
 * shape, one is chosen from the input's chunks ({@link blockShapeFor}). Every invalid or
 * missing field is reported at once, naming the option or config key that sets it.
 */
export async function resolveRun(
  configFile: string | undefined,
  overrides: RunOverrides,
): Promise<SegmentRun> {
  const fromFile = configFile === undefined ? {} : await readRunConfig(configFile);
  const cli: Json = { ...overrides.config };
  if (overrides.out !== undefined) {
    const out = resolve(overrides.out);
    cli.fragments ??= join(out, "fragments.zarr");
    cli.graph ??= join(out, "graph");
    cli.segmentation ??= join(out, "segmentation.zarr");
  }
  for (const field of RUN_PATH_FIELDS) {
    if (typeof cli[field] === "string") cli[field] = resolve(cli[field] as string);
  }
  if (isObject(cli.agglomerate) && cli.agglomerate.model !== undefined) {
    cli.agglomerate = { ...cli.agglomerate, model: resolveModelPath(cli.agglomerate.model, process.cwd()) };
  }
  if (isObject(cli.agglomerate) && typeof cli.agglomerate.raw === "string") {
    cli.agglomerate = { ...cli.agglomerate, raw: resolve(cli.agglomerate.raw) };
  }
  const merged = merge(fromFile, cli);
  if (merged.blockShape === undefined && typeof merged.boundaries === "string") {
    // default block shape: from the input's chunks (an input that cannot be opened is the error to report)
    const input = await openVolume(merged.boundaries);
    if (input.shape.length === 3) merged.blockShape = blockShapeFor(input.shape, input.chunks);
  }
  return parseOptions(segmentRunSchema, merged, configFile, {
    what: configFile === undefined ? "run settings" : "run config",
    hint: (field, found) => {
      if (found !== "missing" || !(field in OPTION_OF)) return undefined;
      return `set ${OPTION_OF[field]}, or "${field}" in --config`;
    },
  });
}

/**
 * Write `run` as a config file that reproduces it (`--save-config`): plain JSON, absolute paths,
 * every field with its value (defaults included); `overwrite` is left out, so that rerunning the
 * config refuses to replace outputs unless `--overwrite` is given again.
 */
export async function saveRunConfig(file: string, run: SegmentRun): Promise<void> {
  const { overwrite: _overwrite, ...record } = run;
  await writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
}
