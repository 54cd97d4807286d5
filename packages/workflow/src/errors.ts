import { formatRanges } from "./ranges.js";

/**
 * Base class of every error the workflow package throws on purpose. `code` is stable for scripts and
 * shows at the end of the message (`… (code UNKNOWN_APP)`); `summary` is the message without it (what
 * the event log and a task's `lastError` record, after the code). A CLI that stops on one exits with
 * `exitStatus` 2 (bad input, see `ExitCode` in `@tessera/cli`).
 */
export class WorkflowError extends Error {
  /** Stable machine-readable code, e.g. `ILLEGAL_TRANSITION`. */
  readonly code: string;
  /** The message without the code. */
  readonly summary: string;
  /** Exit status of a CLI that stops on this error: 2, bad input. */
  readonly exitStatus: number = 2;
  constructor(code: string, summary: string) {
    super(`${summary} (code ${code})`);
    this.name = new.target.name;
    this.code = code;
    this.summary = summary;
  }
}

/** A state change that the task state machine does not allow. */
export class IllegalTransitionError extends WorkflowError {
  constructor(
    readonly taskId: number,
    readonly from: string,
    readonly to: string,
  ) {
    super("ILLEGAL_TRANSITION", `task ${taskId}: illegal transition ${from} -> ${to}`);
  }
}

/** The task changed state under us (another launcher or a kill got there first). */
export class StateConflictError extends WorkflowError {
  constructor(
    readonly taskId: number,
    readonly expected: string,
    readonly found: string | undefined,
  ) {
    super("STATE_CONFLICT", `task ${taskId}: expected state ${expected}, found ${found ?? "no such task"}`);
  }
}

/** A task names an app that is not registered on the site. */
export class UnknownAppError extends WorkflowError {
  constructor(
    readonly app: string,
    readonly known: string[],
  ) {
    super(
      "UNKNOWN_APP",
      `unknown app "${app}": expected ${known.length > 0 ? `one of [${[...known].sort().join(", ")}]` : "an app of the site, which has none"} (add it with "app add <file>", registerApp, or a module in site.json "appModules")`,
    );
  }
}

/** One parameter that fails an app's schema: the field, what was expected there and what was found. */
export interface ParamIssue {
  field: string;
  expected: string;
  found: string;
}

/**
 * Task parameters that fail the app's schema (zod, or JSON Schema for apps from a definition file);
 * names the field, what was expected and what was found, for every invalid parameter in `more`.
 */
export class ParamsInvalidError extends WorkflowError {
  /** Further invalid parameters after the first (JSON Schema apps report all of them). */
  readonly more: ParamIssue[];
  constructor(
    readonly app: string,
    readonly field: string,
    readonly expected: string,
    readonly found: string,
    more: ParamIssue[] = [],
  ) {
    const all = [{ field, expected, found }, ...more];
    super(
      "PARAMS_INVALID",
      `app "${app}": ${all.map((i) => `parameter "${i.field}" is invalid: expected ${i.expected}, found ${i.found}`).join("; ")}`,
    );
    this.more = more;
  }
}

/** Placeholders of an app's argv (or input/output) templates that a task gives no value for, and that have no default. */
export class MissingParamsError extends WorkflowError {
  constructor(
    readonly app: string,
    readonly missing: string[],
  ) {
    const list = missing.map((m) => `{${m}}`).join(", ");
    const names = missing.map((m) => `"${m}"`).join(", ");
    super(
      "PARAMS_MISSING",
      `app "${app}": template placeholder${missing.length > 1 ? "s" : ""} ${list} ha${missing.length > 1 ? "ve" : "s"} no value: expected parameter${missing.length > 1 ? "s" : ""} ${names} (or a default in the app's params schema)`,
    );
  }
}

/** One invalid field of an app definition file. */
export interface DefinitionIssue {
  /** Field path, e.g. `retry.maxRetries` or `argv[2]`. */
  field: string;
  /** What is wrong, e.g. `expected an integer ≥ 0, found -1`. */
  problem: string;
}

/** An app definition file (JSON or YAML) that cannot be used: every invalid field is listed at once. */
export class AppDefinitionInvalidError extends WorkflowError {
  constructor(
    readonly path: string,
    readonly issues: DefinitionIssue[],
  ) {
    super(
      "APP_INVALID",
      `app definition ${path} has ${issues.length} invalid field${issues.length === 1 ? "" : "s"}: ${issues.map((i) => `${i.field}: ${i.problem}`).join("; ")}`,
    );
  }
}

/** An ES module named as an app module (`--apps`, site.json "appModules") that cannot be loaded or exports no app. */
export class AppModuleError extends WorkflowError {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(
      "APP_MODULE",
      `app module ${path} cannot be used: ${reason} (expected an ES module exporting app definitions: objects with name and argv)`,
    );
  }
}

/** One invalid line of a tasks file. */
export interface LineIssue {
  /** 1-based line number. */
  line: number;
  problem: string;
}

/** How many lines an error message details; the line numbers of all of them are listed (as ranges). */
const DETAILED_LINES = 10;

/**
 * A tasks file (`task add --from tasks.jsonl`) with invalid lines: nothing was added. The message names
 * every invalid line number and details the first ones.
 */
export class TaskLinesInvalidError extends WorkflowError {
  constructor(
    readonly path: string,
    readonly issues: LineIssue[],
  ) {
    const lines = [...new Set(issues.map((i) => i.line))].sort((a, b) => a - b);
    const shown = issues.slice(0, DETAILED_LINES).map((i) => `line ${i.line}: ${i.problem}`);
    const rest = issues.length > DETAILED_LINES ? `; … ${issues.length - DETAILED_LINES} more` : "";
    super(
      "TASKS_INVALID",
      `${path}: ${lines.length} invalid line${lines.length === 1 ? "" : "s"} (${formatRanges(lines)}), no task added: ${shown.join("; ")}${rest}`,
    );
  }
}

/**
 * An output (a site, an app, a file) exists already and the command was not told to replace it
 * (`--overwrite`). The message ends like `@tessera/volume`'s OutputExistsError: `path: …; field:
 * overwrite; expected: …; found: …`.
 */
export class OutputExistsError extends WorkflowError {
  constructor(
    summary: string,
    readonly path: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(
      "OUTPUT_EXISTS",
      `${summary}; path: ${path}; field: overwrite; expected: ${expected}; found: ${found}`,
    );
  }
  /** Always `overwrite`: the option that would allow it. */
  readonly field = "overwrite";
}

/** A field of an app definition, a task spec or launch options that has the wrong type or value. */
export class InvalidFieldError extends WorkflowError {
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super("INVALID_FIELD", `"${field}" is invalid: expected ${expected}, found ${found}`);
  }
}

/** Parents that would make the task graph cyclic. `cycle` lists the keys or ids on the cycle. */
export class CycleError extends WorkflowError {
  constructor(readonly cycle: Array<string | number>) {
    super("PARENT_CYCLE", `parents form a cycle: ${cycle.join(" -> ")}; a task graph must be acyclic`);
  }
}

/** A parent reference (id or batch key) that does not exist. */
export class UnknownParentError extends WorkflowError {
  constructor(readonly parent: string | number) {
    super(
      "UNKNOWN_PARENT",
      `parent ${JSON.stringify(parent)} does not exist: expected an existing task id or a key of this batch`,
    );
  }
}

/** A task id that is not in the site database. */
export class TaskNotFoundError extends WorkflowError {
  constructor(readonly taskId: number) {
    super("TASK_NOT_FOUND", `task ${taskId} does not exist on this site`);
  }
}

/** The site directory has no task database (run `site init` first). */
export class SiteNotFoundError extends WorkflowError {
  constructor(readonly path: string) {
    super(
      "SITE_NOT_FOUND",
      `no site at ${path}: expected a directory with tessera.db (run "site init ${path}")`,
    );
  }
}

/** The site database cannot be read (not SQLite, truncated, or from a newer schema). */
export class SiteCorruptError extends WorkflowError {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(
      "SITE_CORRUPT",
      `site database ${path} is unreadable: ${reason} (restore it from a backup or create a new site)`,
    );
  }
}

/** An argv template refers to a parameter the task does not have. */
export class TemplateError extends WorkflowError {
  constructor(
    readonly app: string,
    readonly placeholder: string,
  ) {
    super(
      "TEMPLATE",
      `app "${app}": argv placeholder {${placeholder}} has no value: expected a parameter named "${placeholder}"`,
    );
  }
}

/** The app's executable does not exist or is not executable. */
export class ExecutableNotFoundError extends WorkflowError {
  constructor(readonly executable: string) {
    super(
      "EXECUTABLE_NOT_FOUND",
      `executable "${executable}" not found: expected an executable file (absolute path or on PATH)`,
    );
  }
}

/** A declared input file is missing before the run, or a declared output is missing after it. */
export class MissingFileError extends WorkflowError {
  constructor(
    readonly kind: "input" | "output",
    readonly path: string,
  ) {
    super(
      kind === "input" ? "INPUT_MISSING" : "OUTPUT_MISSING",
      `declared ${kind} ${path} is missing: expected a file ${kind === "input" ? "before the run" : "after the run"}`,
    );
  }
}

/** Turn anything thrown into a short message for the event log (a {@link WorkflowError}'s summary). */
export function errorMessage(error: unknown): string {
  if (error instanceof WorkflowError) return error.summary;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The stable code of an error (`WorkflowError.code`, a Node error code, or `ERROR`). */
export function errorCode(error: unknown): string {
  if (error instanceof WorkflowError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "ERROR";
}
