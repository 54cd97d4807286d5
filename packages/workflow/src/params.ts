import type { AppDefinition } from "./app.js";
import { describeFound } from "./app.js";
import { ParamsInvalidError } from "./errors.js";
import { checkJsonParams } from "./json-schema.js";
import { zodExpected } from "./zod-issues.js";

/**
 * Validate task parameters against the app's schema, when it has one: its zod schema (`params`), or
 * its JSON Schema (`paramsSchema`, apps from a definition file). Returns the parsed value, with the
 * schema's defaults filled in. Throws {@link ParamsInvalidError} naming the field, what was expected
 * and what was found (every invalid field, for a JSON Schema).
 */
export function validateParams(app: AppDefinition, params: unknown): Record<string, unknown> {
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    throw new ParamsInvalidError(app.name, "(params)", "an object", describeFound(params));
  }
  if (app.paramsSchema) {
    const checked = checkJsonParams(app.paramsSchema, params as Record<string, unknown>);
    if (checked.issues.length === 0) return checked.params;
    const [first, ...more] = checked.issues;
    throw new ParamsInvalidError(app.name, first.field, first.expected, first.found, more);
  }
  if (!app.params) return params as Record<string, unknown>;
  const result = app.params.safeParse(params);
  if (result.success) return result.data as Record<string, unknown>;
  const issue = result.error.issues[0];
  let found: unknown = params;
  for (const key of issue.path)
    found = (found as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "(params)";
  const keys = (issue as { keys?: string[] }).keys;
  if (issue.code === "unrecognized_keys" && keys) {
    throw new ParamsInvalidError(app.name, keys.join(","), "no such parameter", "an unknown key");
  }
  throw new ParamsInvalidError(app.name, field, zodExpected(issue), describeFound(found));
}
