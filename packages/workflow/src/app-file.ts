import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { type AppDefinition, appNameSchema, describeFound, resourcesSchema, retrySchema } from "./app.js";
import { AppDefinitionInvalidError, type DefinitionIssue } from "./errors.js";
import { type JsonSchema, jsonSchemaProblem } from "./json-schema.js";
import { BUILTIN_PLACEHOLDERS, templatePlaceholders } from "./template.js";
import { zodExpected } from "./zod-issues.js";

/**
 * The fields of an app definition file. `params` is a JSON Schema of the task parameters; the other
 * fields mean what they mean in {@link AppDefinition}.
 */
const fileSchema = z
  .object({
    name: appNameSchema,
    description: z.string().optional(),
    argv: z.array(z.string()).min(1),
    params: z.record(z.string(), z.unknown()).optional(),
    resources: resourcesSchema.optional(),
    retry: retrySchema.optional(),
    walltimeMs: z.number().positive().optional(),
    env: z.record(z.string(), z.string()).optional(),
    inputs: z.array(z.string()).optional(),
    outputs: z.array(z.string()).optional(),
    version: z.string().optional(),
    toolVersions: z.record(z.string(), z.string()).optional(),
  })
  .strict();

/** The fields an app definition file may have. */
export const APP_FILE_FIELDS: readonly string[] = Object.keys(fileSchema.shape);

/** The fields of the nested objects of a definition. */
const NESTED_FIELDS: Record<string, readonly string[]> = {
  retry: Object.keys(retrySchema.shape),
  resources: Object.keys(resourcesSchema.shape),
};

function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) out += typeof key === "number" ? `[${key}]` : `${out ? "." : ""}${String(key)}`;
  return out || "(definition)";
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path)
    v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

/** Every zod issue of the definition as `field: problem` (unknown fields one by one). */
function zodIssues(error: z.ZodError, value: unknown): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  for (const issue of error.issues) {
    const found = valueAt(value, issue.path);
    if (issue.code === "unrecognized_keys") {
      const known = (NESTED_FIELDS[fieldPath(issue.path)] ?? APP_FILE_FIELDS).join(", ");
      for (const key of issue.keys) {
        issues.push({
          field: fieldPath([...issue.path, key]),
          problem: `unknown field (expected one of ${known})`,
        });
      }
    } else {
      issues.push({
        field: fieldPath(issue.path),
        problem: `expected ${zodExpected(issue)}, found ${describeFound(found)}`,
      });
    }
  }
  return issues;
}

/** Placeholders of the argv that the params schema forbids (it lists its properties and allows no others). */
function unknownPlaceholders(argv: readonly string[], schema: JsonSchema | undefined): string[] {
  if (!schema) return [];
  if (schema.additionalProperties !== false) return [];
  const properties = schema.properties;
  if (properties === null || typeof properties !== "object") return [];
  return templatePlaceholders(argv).filter((name) => {
    const root = name.split(".")[0];
    return !BUILTIN_PLACEHOLDERS.includes(root) && !(root in properties);
  });
}

/**
 * Check a parsed app definition (from JSON or YAML) and turn it into an {@link AppDefinition} whose
 * `paramsSchema` is the file's `params`. Throws {@link AppDefinitionInvalidError} listing every invalid
 * field at once; `source` names the file in the message.
 */
export function appFromDefinition(value: unknown, source: string): AppDefinition {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AppDefinitionInvalidError(source, [
      {
        field: "(definition)",
        problem: `expected a mapping with name and argv, found ${describeFound(value)}`,
      },
    ]);
  }
  const parsed = fileSchema.safeParse(value);
  const issues = parsed.success ? [] : zodIssues(parsed.error, value);
  const raw = value as Record<string, unknown>;
  const params = raw.params;
  if (params !== null && typeof params === "object" && !Array.isArray(params)) {
    const problem = jsonSchemaProblem(params);
    if (problem !== undefined)
      issues.push({ field: "params", problem: `not a valid JSON Schema: ${problem}` });
  }
  if (Array.isArray(raw.argv) && raw.argv.every((a) => typeof a === "string")) {
    for (const name of unknownPlaceholders(raw.argv, params as JsonSchema | undefined)) {
      issues.push({
        field: "argv",
        problem: `placeholder {${name}} is not a property of the params schema, which allows no others`,
      });
    }
  }
  if (!parsed.success || issues.length > 0) throw new AppDefinitionInvalidError(source, issues);
  const { params: paramsSchema, ...rest } = parsed.data;
  return { ...rest, ...(paramsSchema ? { paramsSchema } : {}) };
}

/** Parse the text of an app definition: JSON for `.json` files, YAML otherwise (YAML also reads JSON). */
export function parseDefinitionText(text: string, source: string): unknown {
  try {
    return extname(source).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const kind = extname(source).toLowerCase() === ".json" ? "JSON" : "YAML";
    const message = (error as Error).message.split("\n")[0].replace(/:$/, "");
    throw new AppDefinitionInvalidError(source, [
      { field: "(file)", problem: `not valid ${kind}: ${message}` },
    ]);
  }
}

/**
 * Read an app definition file (JSON or YAML: name, argv template, params as JSON Schema, resources,
 * retry, walltimeMs, env, inputs, outputs, version, toolVersions). Throws
 * {@link AppDefinitionInvalidError} listing every invalid field; a missing file throws Node's ENOENT error.
 */
export function readAppDefinition(path: string): AppDefinition {
  return appFromDefinition(parseDefinitionText(readFileSync(path, "utf8"), path), path);
}
