import type { z } from "zod";
import { type SegmentRunInput, segmentRunSchema } from "./options.js";

/** What `init-config --from` learnt about the input volume. */
export interface ExampleInput {
  /** Path of the boundary volume (written as given: make it absolute). */
  path: string;
  shape: readonly number[];
  chunks: readonly number[];
  dtype: string;
  /** Voxel size in nm (`.zattrs` resolution), when known. */
  resolution?: readonly number[];
  /** Extra comment lines about the input (e.g. a warning that it looks like raw EM). */
  notes?: readonly string[];
}

/** The block shape aimed at: large enough to amortise context, small enough for a workstation's memory. */
const TARGET_BLOCK = [64, 256, 256];

/** A block shape from the input's chunks: a multiple of each chunk near {@link TARGET_BLOCK}, clipped to the shape. */
export function blockShapeFor(shape: readonly number[], chunks: readonly number[]): [number, number, number] {
  const block = [0, 1, 2].map((i) => {
    const chunk = chunks[i] ?? TARGET_BLOCK[i];
    const multiple = Math.max(chunk, Math.floor(TARGET_BLOCK[i] / chunk) * chunk);
    return Math.max(1, Math.min(shape[i] ?? multiple, multiple));
  });
  return [block[0], block[1], block[2]];
}

const MAX_VALUE: Record<string, number> = { uint8: 255, uint16: 65535, float32: 1, float64: 1 };

/**
 * A complete run config: every field with its default, paths `boundaries.zarr`, `fragments.zarr`,
 * `graph`, `segmentation.zarr` (relative to the config file's folder), or, from an input volume,
 * its path, a block shape from its chunks, `boundary.maxValue` from its dtype and the voxel size.
 */
export function exampleRunConfig(input?: ExampleInput): SegmentRunInput {
  const defaults = segmentRunSchema.parse({
    boundaries: input?.path ?? "boundaries.zarr",
    fragments: "fragments.zarr",
    graph: "graph",
    segmentation: "segmentation.zarr",
    blockShape: input ? blockShapeFor(input.shape, input.chunks) : TARGET_BLOCK,
  });
  if (input) {
    const maxValue = MAX_VALUE[input.dtype];
    if (maxValue !== undefined) defaults.boundary.maxValue = maxValue;
    const r = input.resolution;
    if (r?.length === 3 && r.every((v) => v > 0)) defaults.fragmentsOptions.resolutionNm = [r[0], r[1], r[2]];
  }
  return defaults;
}

type AnySchema = z.ZodType & { description?: string };

/** The object schema inside defaults/optionals, or undefined when `schema` is not an object. */
function objectShape(schema: AnySchema): Record<string, AnySchema> | undefined {
  let current: unknown = schema;
  for (;;) {
    const def = (current as { _zod: { def: { type: string; innerType?: unknown } } })._zod.def;
    if (def.type === "object") return (current as { shape: Record<string, AnySchema> }).shape;
    if ((def.type === "default" || def.type === "optional" || def.type === "pipe") && def.innerType)
      current = def.innerType;
    else return undefined;
  }
}

/** JSON of `value` on one line, with a space after commas in arrays. */
function inline(value: unknown): string {
  return JSON.stringify(value).replace(/,(?=[^"]*(?:"[^"]*"[^"]*)*$)/g, ", ");
}

/** Lines of `value` as JSON with each key preceded by its schema description as a `//` comment. */
function commentedLines(
  value: Record<string, unknown>,
  shape: Record<string, AnySchema>,
  indent: string,
): string[] {
  const lines: string[] = [];
  const keys = Object.keys(shape);
  const present = keys.filter((k) => value[k] !== undefined);
  for (const key of keys) {
    const field = shape[key];
    if (field.description) lines.push(`${indent}// ${field.description}`);
    const comma = present.indexOf(key) < present.length - 1 ? "," : "";
    const inner = objectShape(field);
    const v = value[key];
    if (v === undefined) {
      lines.push(`${indent}// "${key}": not set (add the key to set it)`);
    } else if (inner && v !== null && typeof v === "object" && !Array.isArray(v)) {
      lines.push(`${indent}"${key}": {`);
      lines.push(...commentedLines(v as Record<string, unknown>, inner, `${indent}  `));
      lines.push(`${indent}}${comma}`);
    } else {
      lines.push(`${indent}"${key}": ${inline(v)}${comma}`);
    }
  }
  return lines;
}

/**
 * The text `tessera segment init-config` prints: `config` as JSON with `//` comments (the format the
 * config loader reads) — a header saying how the file is used, then each field with its description.
 */
export function commentedRunConfig(config: SegmentRunInput, input?: ExampleInput): string {
  const header = [
    "// tessera segment run config: JSON with // line comments (see `tessera segment --help`).",
    "// Relative paths are relative to this file's folder; command-line options override these values.",
    "// Use: tessera segment run --config run.json   (or fragments, agglomerate, relabel: one step each)",
  ];
  if (input) {
    header.push(
      `// Input: ${input.path}, shape ${input.shape.join("×")}, chunks ${input.chunks.join("×")}, ${input.dtype}` +
        (input.resolution ? `, resolution ${input.resolution.join("×")} nm` : ""),
    );
    for (const note of input.notes ?? []) header.push(`// ${note}`);
  }
  const shape = objectShape(segmentRunSchema as AnySchema) ?? {};
  const body = commentedLines(config as Record<string, unknown>, shape, "  ");
  return `${[...header, "{", ...body, "}"].join("\n")}\n`;
}
