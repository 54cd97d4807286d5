import type { z } from "zod";

type Issue = z.core.$ZodIssue;

function bound(
  issue: Issue & { origin?: string; inclusive?: boolean },
  limit: unknown,
  small: boolean,
): string {
  const op = `${small ? ">" : "<"}${issue.inclusive ? "=" : ""}`;
  switch (issue.origin) {
    case "string":
      return `a string of ${small ? "at least" : "at most"} ${limit} character${limit === 1 ? "" : "s"}`;
    case "array":
      return `an array of ${small ? "at least" : "at most"} ${limit} item${limit === 1 ? "" : "s"}`;
    default:
      return `a number ${op} ${limit}`;
  }
}

/**
 * What a zod issue says was expected, in the words of the workflow's errors: `number`, `a number > 0`,
 * `a string of at least 1 character`, `one of "a", "b"`, or the schema's own message.
 */
export function zodExpected(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.expected === "int" ? "an integer" : String(issue.expected);
    case "too_small":
      return bound(issue, issue.minimum, true);
    case "too_big":
      return bound(issue, issue.maximum, false);
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_format":
      return issue.message.startsWith("Invalid") && "pattern" in issue
        ? `a string matching ${issue.pattern}`
        : issue.message;
    case "not_multiple_of":
      return `a multiple of ${issue.divisor}`;
    default:
      return issue.message;
  }
}
