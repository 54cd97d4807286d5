/** Base class of every error the workflow package throws on purpose; `code` is stable for scripts. */
export class WorkflowError extends Error {
  /** Stable machine-readable code, e.g. `ILLEGAL_TRANSITION`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
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
      `unknown app "${app}": expected one of [${known.join(", ")}] (register it with registerApp or list a module in site.json "appModules")`,
    );
  }
}

/** Task parameters that fail the app's zod schema; names the field, what was expected and what was found. */
export class ParamsInvalidError extends WorkflowError {
  constructor(
    readonly app: string,
    readonly field: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(
      "PARAMS_INVALID",
      `app "${app}": parameter "${field}" is invalid: expected ${expected}, found ${found}`,
    );
  }
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

/** Turn anything thrown into a short message for the event log. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The stable code of an error (`WorkflowError.code`, a Node error code, or `ERROR`). */
export function errorCode(error: unknown): string {
  if (error instanceof WorkflowError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "ERROR";
}
