import type { AppDefinition } from "./app.js";
import { describeFound } from "./app.js";
import { ParamsInvalidError } from "./errors.js";

/**
 * Validate task parameters against the app's zod schema (when it has one) and return the parsed value.
 * Throws {@link ParamsInvalidError} naming the field, what was expected and what was found.
 */
export function validateParams(app: AppDefinition, params: unknown): Record<string, unknown> {
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    throw new ParamsInvalidError(app.name, "(params)", "an object", describeFound(params));
  }
  if (!app.params) return params as Record<string, unknown>;
  const result = app.params.safeParse(params);
  if (result.success) return result.data as Record<string, unknown>;
  const issue = result.error.issues[0];
  let found: unknown = params;
  for (const key of issue.path)
    found = (found as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  const expected = (issue as { expected?: unknown }).expected;
  const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "(params)";
  const keys = (issue as { keys?: string[] }).keys;
  if (issue.code === "unrecognized_keys" && keys) {
    throw new ParamsInvalidError(app.name, keys.join(","), "no such parameter", "an unknown key");
  }
  throw new ParamsInvalidError(
    app.name,
    field,
    typeof expected === "string" ? expected : issue.message,
    describeFound(found),
  );
}
