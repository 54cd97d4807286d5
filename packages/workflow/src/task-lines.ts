import { describeFound } from "./app.js";
import { type BatchPlan, planBatch } from "./dag.js";
import { CycleError, type LineIssue, TaskLinesInvalidError, WorkflowError } from "./errors.js";
import type { Site } from "./site.js";
import { type CheckedTask, checkTaskSpec, insertCheckedTasks } from "./tasks.js";
import type { TaskSpec } from "./types.js";

/** The fields one line of a tasks file may have: those of a {@link TaskSpec}. */
export const TASK_LINE_FIELDS: readonly string[] = [
  "app",
  "params",
  "tags",
  "parents",
  "key",
  "resources",
  "workdir",
];

/** Options of {@link addTaskLines}. */
export interface TaskLinesOptions {
  /** Names the file in errors (default `tasks`). */
  source?: string;
  /** Tags added to every task (besides each line's own). */
  tags?: string[];
}

interface ParsedLine {
  line: number;
  spec: TaskSpec;
}

/** Parse the lines: a JSON object each (blank lines skipped); bad lines become issues. */
function parseLines(text: string, issues: LineIssue[]): ParsedLine[] {
  const out: ParsedLine[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === "") continue;
    const line = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      issues.push({ line, problem: `not JSON: ${(error as Error).message}` });
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      issues.push({
        line,
        problem: `expected a JSON object like {"app": "greet", "params": {…}}, found ${describeFound(value)}`,
      });
      continue;
    }
    const unknown = Object.keys(value).filter((k) => !TASK_LINE_FIELDS.includes(k));
    if (unknown.length > 0) {
      issues.push({
        line,
        problem: `unknown field${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${k}"`).join(", ")}: expected ${TASK_LINE_FIELDS.join(", ")}`,
      });
    }
    out.push({ line, spec: value as TaskSpec });
  }
  return out;
}

/** Keys (unique, strings) and parents (positive ids or keys of the file) of every line. */
function checkReferences(parsed: readonly ParsedLine[], issues: LineIssue[]): Map<string, number> {
  const keyLine = new Map<string, number>();
  for (const { line, spec } of parsed) {
    if (spec.key === undefined) continue;
    if (typeof spec.key !== "string" || spec.key === "") {
      issues.push({
        line,
        problem: `"key" is invalid: expected a non-empty string, found ${describeFound(spec.key)}`,
      });
    } else if (keyLine.has(spec.key)) {
      issues.push({ line, problem: `key "${spec.key}" is used already on line ${keyLine.get(spec.key)}` });
    } else {
      keyLine.set(spec.key, line);
    }
  }
  for (const { line, spec } of parsed) {
    if (spec.parents === undefined) continue;
    if (!Array.isArray(spec.parents)) {
      issues.push({
        line,
        problem: `"parents" is invalid: expected an array of task ids or keys, found ${describeFound(spec.parents)}`,
      });
      continue;
    }
    for (const p of spec.parents) {
      if (typeof p === "string") {
        if (!keyLine.has(p)) issues.push({ line, problem: `parent "${p}" is not the key of any line` });
      } else if (!Number.isSafeInteger(p) || p <= 0) {
        issues.push({
          line,
          problem: `parent ${describeFound(p)} is invalid: expected a task id (positive integer) or a key`,
        });
      }
    }
  }
  return keyLine;
}

/** Lines whose numeric parents are not tasks of the site. */
async function checkParentIds(site: Site, parsed: readonly ParsedLine[], issues: LineIssue[]): Promise<void> {
  const ids = new Set<number>();
  for (const { spec } of parsed) {
    for (const p of Array.isArray(spec.parents) ? spec.parents : []) if (typeof p === "number") ids.add(p);
  }
  if (ids.size === 0) return;
  const states = await site.store.statesOf([...ids]);
  for (const { line, spec } of parsed) {
    for (const p of Array.isArray(spec.parents) ? spec.parents : []) {
      if (typeof p === "number" && Number.isSafeInteger(p) && p > 0 && !states.has(p)) {
        issues.push({ line, problem: `parent task ${p} does not exist on this site` });
      }
    }
  }
}

/**
 * Add the tasks of a JSON Lines text (`task add --from tasks.jsonl`): one JSON object per line with
 * the fields of a {@link TaskSpec} (`app`, `params`, `tags`, `parents` as task ids or `key`s of other
 * lines, `key`, `resources`, `workdir`); blank lines are skipped. Every line is checked first; if any is
 * invalid, nothing is added and {@link TaskLinesInvalidError} names all the invalid lines. Otherwise all
 * tasks are inserted in one transaction. Returns the ids in the order of the lines.
 */
export async function addTaskLines(
  site: Site,
  text: string,
  options: TaskLinesOptions = {},
): Promise<number[]> {
  const source = options.source ?? "tasks";
  const issues: LineIssue[] = [];
  const parsed = parseLines(text, issues);
  const keyLine = checkReferences(parsed, issues);
  await checkParentIds(site, parsed, issues);
  const checked: CheckedTask[] = [];
  const specs: TaskSpec[] = [];
  for (const { line, spec } of parsed) {
    const withTags = options.tags?.length ? { ...spec, tags: [...(spec.tags ?? []), ...options.tags] } : spec;
    try {
      checked.push(checkTaskSpec(site, withTags, ""));
      specs.push(withTags);
    } catch (error) {
      if (!(error instanceof WorkflowError)) throw error;
      issues.push({ line, problem: error.summary });
    }
  }
  if (issues.length > 0) {
    throw new TaskLinesInvalidError(
      source,
      issues.sort((a, b) => a.line - b.line),
    );
  }
  let plan: BatchPlan;
  try {
    plan = planBatch(specs);
  } catch (error) {
    if (!(error instanceof CycleError)) throw error;
    const cycle = error.cycle.join(" -> ");
    const lines = [...new Set(error.cycle.map((key) => keyLine.get(String(key)) ?? 0))].sort((a, b) => a - b);
    throw new TaskLinesInvalidError(
      source,
      lines.map((line) => ({
        line,
        problem: `its parents form a cycle: ${cycle}; a task graph must be acyclic`,
      })),
    );
  }
  return insertCheckedTasks(site, specs, checked, plan);
}
