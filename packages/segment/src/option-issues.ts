import type { z } from "zod";

/** One invalid field of a config or options object: its path, what was expected, what was found. */
export interface OptionIssue {
  /** Dotted path of the field (`blockShape`, `agglomerate.thresholds.1`, `(root)`). */
  field: string;
  /** What the field must hold. */
  expected: string;
  /** What it holds (JSON, shortened), or `missing`. */
  found: string;
}

type Issue = z.core.$ZodIssue;

/** The value at `path` inside `value` (undefined when absent). */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined),
    value,
  );
}

/** JSON of `value`, at most 60 characters, or `missing`. */
function show(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  boolean: "true or false",
  array: "an array",
  tuple: "an array",
  object: "an object",
};

/** zod's "Too small: expected number to be >0" → "number to be >0"; union branches joined by "or". */
function expectedOf(issue: Issue): string {
  if (issue.code === "invalid_type") return TYPE_NAMES[issue.expected] ?? issue.expected;
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    return issue.errors.map((branch) => (branch[0] ? expectedOf(branch[0]) : "?")).join(" or ");
  }
  return issue.message.replace(/^[A-Z][a-z ]+: /, "").replace(/^expected /, "");
}

/** The object keys `schema` accepts at `path` (following objects, defaults and optionals). */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: unknown = schema;
  const unwrap = () => {
    for (;;) {
      const def = (current as { _zod?: { def?: { type?: string; innerType?: unknown } } })._zod?.def;
      if (def && (def.type === "default" || def.type === "optional") && def.innerType)
        current = def.innerType;
      else return;
    }
  };
  for (const key of path) {
    unwrap();
    current = (current as { shape?: Record<PropertyKey, unknown> }).shape?.[key];
  }
  unwrap();
  return Object.keys((current as { shape?: Record<string, unknown> })?.shape ?? {});
}

/** The known key a misspelt `key` most likely meant (same letters ignoring case, or one edit away). */
function closest(key: string, known: string[]): string | undefined {
  const lower = key.toLowerCase();
  return (
    known.find((k) => k.toLowerCase() === lower) ??
    known.find((k) => editDistance(k.toLowerCase(), lower) <= 2)
  );
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/** Every issue of a failed parse of `value` by `schema`, one per field, in the order zod found them. */
export function optionIssues(schema: z.ZodType, value: unknown, issues: readonly Issue[]): OptionIssue[] {
  const out: OptionIssue[] = [];
  for (const issue of issues) {
    const path = issue.path as PropertyKey[];
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(schema, path);
      for (const key of issue.keys) {
        const guess = closest(key, known);
        out.push({
          field: [...path, key].join("."),
          expected: guess ? `no such key (did you mean "${guess}"?)` : `one of the keys ${known.join(", ")}`,
          found: show(valueAt(value, [...path, key])),
        });
      }
      continue;
    }
    out.push({
      field: path.join(".") || "(root)",
      expected: expectedOf(issue),
      found: show(valueAt(value, path)),
    });
  }
  return out;
}
