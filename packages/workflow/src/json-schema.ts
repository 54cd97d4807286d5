import type { ErrorObject, ValidateFunction } from "ajv";
import Ajv from "ajv";
import Ajv2019 from "ajv/dist/2019.js";
import Ajv2020 from "ajv/dist/2020.js";
import type { ParamIssue } from "./errors.js";

/** A JSON Schema (an object; `$schema` picks the draft: 2020-12 by default, 2019-09 or draft-07). */
export type JsonSchema = Record<string, unknown>;

/** Compiled validators, one per schema object (a site's apps keep theirs for the process's life). */
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

const options = {
  // every invalid parameter at once; defaults filled in, so a placeholder with a default has a value
  allErrors: true,
  useDefaults: true,
  // unknown keywords (typos like "minimun") are refused when the app is defined
  strict: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  // "format" is an annotation (JSON Schema 2020-12): not checked, and no format plugin is needed
  validateFormats: false,
} as const;

function ajvFor(schema: JsonSchema) {
  const draft = typeof schema.$schema === "string" ? schema.$schema : "";
  if (draft.includes("draft-07") || draft.includes("draft-06")) return new Ajv(options);
  if (draft.includes("2019-09")) return new Ajv2019(options);
  if (draft === "" || draft.includes("2020-12")) return new Ajv2020(options);
  throw new Error(`unsupported $schema ${JSON.stringify(draft)}: expected draft 2020-12, 2019-09 or 07`);
}

/**
 * Compile a JSON Schema of task parameters (cached per schema object). Throws an `Error` whose message
 * says what is wrong with the schema (unknown keyword, bad type, unsupported draft).
 */
export function compileJsonSchema(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajvFor(schema).compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** Why a JSON Schema cannot be compiled, or undefined when it can. */
export function jsonSchemaProblem(schema: unknown): string | undefined {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
    return "expected a JSON Schema object";
  }
  try {
    compileJsonSchema(schema as JsonSchema);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function shortJson(value: unknown): string {
  if (value === undefined) return "nothing";
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function valueAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined;
  }
  return v;
}

function fieldOf(pointer: string, child?: string): string {
  const parts = pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (child !== undefined) parts.push(child);
  return parts.length > 0 ? parts.join(".") : "(params)";
}

/** What an ajv error says was expected, in the words of the other workflow errors. */
function expectedOf(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "type":
      return String(p.type);
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return `a number ${p.comparison} ${p.limit}`;
    case "minLength":
      return `a string of at least ${p.limit} character${p.limit === 1 ? "" : "s"}`;
    case "maxLength":
      return `a string of at most ${p.limit} characters`;
    case "minItems":
      return `an array of at least ${p.limit} items`;
    case "maxItems":
      return `an array of at most ${p.limit} items`;
    case "pattern":
      return `a string matching ${p.pattern}`;
    case "const":
      return shortJson(p.allowedValue);
    case "multipleOf":
      return `a multiple of ${p.multipleOf}`;
    default:
      return `a value that ${error.message ?? `passes "${error.keyword}"`}`;
  }
}

function issueOf(error: ErrorObject, params: unknown): ParamIssue {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return {
        field: fieldOf(error.instancePath, String(p.missingProperty)),
        expected: "a value (required)",
        found: "nothing",
      };
    case "additionalProperties":
      return {
        field: fieldOf(error.instancePath, String(p.additionalProperty)),
        expected: "no such parameter",
        found: "an unknown key",
      };
    case "enum":
      return {
        field: fieldOf(error.instancePath),
        expected: `one of ${shortJson(p.allowedValues)}`,
        found: shortJson(valueAt(params, error.instancePath)),
      };
    default:
      return {
        field: fieldOf(error.instancePath),
        expected: expectedOf(error),
        found: shortJson(valueAt(params, error.instancePath)),
      };
  }
}

/**
 * Validate task parameters against a JSON Schema: returns the parameters with the schema's defaults
 * filled in (a copy; the input is not changed) and the issues, empty when valid.
 */
export function checkJsonParams(
  schema: JsonSchema,
  params: Record<string, unknown>,
): { params: Record<string, unknown>; issues: ParamIssue[] } {
  const validate = compileJsonSchema(schema);
  const copy = structuredClone(params);
  if (validate(copy)) return { params: copy, issues: [] };
  return { params: copy, issues: (validate.errors ?? []).map((e) => issueOf(e, copy)) };
}
