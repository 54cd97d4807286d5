import type { z } from "zod";
import { ValidationConfigError } from "./errors.js";

/**
 * Parse a test's config (a plain object, as from the runner's YAML) with its zod schema.
 * @throws ValidationConfigError naming the key (`field`, e.g. `bins.min`), what was expected and found.
 */
export function parseTestConfig<S extends z.ZodType>(test: string, schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue.path.map(String);
  // an unknown key: name it (zod puts it in `keys`, not in `path`)
  if (issue.code === "unrecognized_keys") path.push(String(issue.keys[0]));
  const found = path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], input);
  throw new ValidationConfigError(`invalid config of validation test ${test}`, {
    field: path.join(".") || "(config)",
    expected:
      issue.code === "unrecognized_keys" ? "a known key (see the test's README entry)" : issue.message,
    found: found === undefined ? "nothing" : JSON.stringify(found),
  });
}
