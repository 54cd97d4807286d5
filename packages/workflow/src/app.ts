import { z } from "zod";
import { InvalidFieldError } from "./errors.js";
import { type JsonSchema, jsonSchemaProblem } from "./json-schema.js";
import { zodExpected } from "./zod-issues.js";

/** Resources one task needs (Balsam's model). A local launcher packs by cpus = nodes·ranks·threads, gpus = nodes·ranks·gpus. */
export interface Resources {
  nodes: number;
  ranksPerNode: number;
  threadsPerRank: number;
  gpusPerRank: number;
}

/** How failed and timed-out runs are retried. Delay before retry n (1-based) is `backoffMs·backoffFactor^(n-1)`, at most `maxBackoffMs`. */
export interface RetryPolicy {
  /** Retries after a non-zero exit, a signal or a failed postprocess hook (default 0). */
  maxRetries: number;
  /** Retries after hitting the walltime (default 0): a separate, bounded budget. */
  timeoutRetries: number;
  /** First backoff delay in ms (default 1000). */
  backoffMs: number;
  /** Growth factor of the backoff (default 2). */
  backoffFactor: number;
  /** Upper bound of one delay in ms (default 60000). */
  maxBackoffMs: number;
}

/** What a hook sees. */
export interface HookContext {
  site: string;
  taskId: number;
  app: string;
  attempt: number;
  params: Record<string, unknown>;
  resources: Resources;
  workdir: string;
  exitCode?: number | null;
  signal?: string | null;
  stderrTail?: string;
  error?: string;
}

/** What an error/timeout hook may return: new params/resources for the retry, or `retry: false` to fail now. */
export interface HookResult {
  params?: Record<string, unknown>;
  resources?: Partial<Resources>;
  retry?: boolean;
}

/** Hooks run in the launcher process around each attempt. */
export interface AppHooks {
  /** Before the run; throwing fails the task with the message recorded. */
  preprocess?: (ctx: HookContext) => void | Promise<void>;
  /** After a zero exit; throwing counts as a run error (retried per policy). */
  postprocess?: (ctx: HookContext) => void | Promise<void>;
  /** After a non-zero exit or a signal. */
  onError?: (ctx: HookContext) => HookResult | undefined | Promise<HookResult | undefined>;
  /** After the walltime was hit. */
  onTimeout?: (ctx: HookContext) => HookResult | undefined | Promise<HookResult | undefined>;
}

/** A function run in a worker thread instead of a subprocess: `module` exports `exportName` (default `default`). */
export interface WorkerEntry {
  module: string;
  exportName?: string;
}

/** An app: a named command template with its parameter schema, resources, retry policy, walltime and hooks. */
export interface AppDefinition {
  name: string;
  description?: string;
  /** argv template: `{param}` is replaced by the parameter value (an array value spreads), `{taskId}`, `{workdir}`, `{site}`, `{attempt}` are built in. Never a shell string. */
  argv?: string[];
  /** zod schema of the parameters. */
  params?: z.ZodType;
  /**
   * JSON Schema of the parameters, instead of `params` (apps from a definition file, `app add`):
   * checked with ajv, defaults filled in, stored in the site database with the app.
   */
  paramsSchema?: JsonSchema;
  resources?: Partial<Resources>;
  retry?: Partial<RetryPolicy>;
  /** Walltime of one attempt in ms: SIGTERM at the limit, SIGKILL `killGraceMs` later. */
  walltimeMs?: number;
  /** Extra environment for the process. */
  env?: Record<string, string>;
  /** Declared input files (templates, relative to the workdir): must exist before the run, sha256 recorded. */
  inputs?: string[];
  /** Declared output files (templates, relative to the workdir): must exist after a zero exit, sha256 recorded. */
  outputs?: string[];
  /** Version of the app, recorded in provenance. */
  version?: string;
  /** Versions of tools the app uses, recorded in provenance. */
  toolVersions?: Record<string, string>;
  /** Opt in to worker-thread execution (for many tiny JS tasks). */
  worker?: WorkerEntry;
  hooks?: AppHooks;
  /** Absolute path of an ES module exporting this definition, so other processes (CLI, launchers) load hooks and schema. */
  module?: string;
}

/** The serialisable part of an app, as stored in the site database. */
export interface AppSpec {
  name: string;
  description?: string;
  argv?: string[];
  resources: Resources;
  retry: RetryPolicy;
  walltimeMs?: number;
  env?: Record<string, string>;
  inputs?: string[];
  outputs?: string[];
  version?: string;
  toolVersions?: Record<string, string>;
  worker?: WorkerEntry;
  module?: string;
  /** JSON schema of the parameters (for display), when the app has a zod schema or a JSON Schema. */
  paramsJsonSchema?: unknown;
  /** The JSON Schema that validates the parameters, for apps defined with one (`paramsSchema`). */
  paramsSchema?: JsonSchema;
  hooks: string[];
}

/** Default resources: one core, no GPU. */
export const DEFAULT_RESOURCES: Resources = { nodes: 1, ranksPerNode: 1, threadsPerRank: 1, gpusPerRank: 0 };

/** Default retry policy: no retries. */
export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 0,
  timeoutRetries: 0,
  backoffMs: 1000,
  backoffFactor: 2,
  maxBackoffMs: 60_000,
};

const positiveInt = z.number().int().positive();
/** zod schema of a resources override (every field optional, no others). */
export const resourcesSchema = z
  .object({
    nodes: positiveInt,
    ranksPerNode: positiveInt,
    threadsPerRank: positiveInt,
    gpusPerRank: z.number().int().nonnegative(),
  })
  .partial()
  .strict();
/** zod schema of a retry policy override (every field optional, no others). */
export const retrySchema = z
  .object({
    maxRetries: z.number().int().nonnegative(),
    timeoutRetries: z.number().int().nonnegative(),
    backoffMs: z.number().nonnegative(),
    backoffFactor: z.number().min(1),
    maxBackoffMs: z.number().nonnegative(),
  })
  .partial()
  .strict();
/** zod schema of an app name: a letter, then letters, digits, `_`, `.`, `-`. */
export const appNameSchema = z
  .string()
  .regex(/^[A-Za-z][\w.-]*$/, "a name of letters, digits, '_', '.', '-'");
const appSchema = z.object({
  name: appNameSchema,
  description: z.string().optional(),
  argv: z.array(z.string()).min(1).optional(),
  resources: resourcesSchema.optional(),
  retry: retrySchema.optional(),
  walltimeMs: z.number().positive().optional(),
  env: z.record(z.string(), z.string()).optional(),
  inputs: z.array(z.string()).optional(),
  outputs: z.array(z.string()).optional(),
  version: z.string().optional(),
  toolVersions: z.record(z.string(), z.string()).optional(),
  worker: z.object({ module: z.string(), exportName: z.string().optional() }).optional(),
  module: z.string().optional(),
  paramsSchema: z.record(z.string(), z.unknown()).optional(),
});

/** Validate the resources override of a task or hook; throws {@link InvalidFieldError}. */
export function checkResources(value: unknown, field = "resources"): Partial<Resources> {
  return parseOrThrow(resourcesSchema, value, field);
}

/** Resolve full resources from app defaults and an override. */
export function resolveResources(
  app: Partial<Resources> | undefined,
  override?: Partial<Resources> | null,
): Resources {
  return { ...DEFAULT_RESOURCES, ...(app ?? {}), ...(override ?? {}) };
}

/** CPU cores a task needs on a local machine. */
export function cpusOf(r: Resources): number {
  return r.nodes * r.ranksPerNode * r.threadsPerRank;
}

/** GPUs a task needs on a local machine. */
export function gpusOf(r: Resources): number {
  return r.nodes * r.ranksPerNode * r.gpusPerRank;
}

/**
 * Check an app definition and return it unchanged (typed). Throws {@link InvalidFieldError} naming the
 * field, what was expected and what was found.
 */
export function defineApp(app: AppDefinition): AppDefinition {
  parseOrThrow(appSchema, app, "app");
  if (!app.argv && !app.worker) {
    throw new InvalidFieldError(`app.argv`, "an argv template (or a worker entry)", "neither");
  }
  if (app.params !== undefined && typeof (app.params as { safeParse?: unknown }).safeParse !== "function") {
    throw new InvalidFieldError(`app.params`, "a zod schema", typeof app.params);
  }
  if (app.params !== undefined && app.paramsSchema !== undefined) {
    throw new InvalidFieldError(
      "app.paramsSchema",
      "either params (zod) or paramsSchema (JSON Schema)",
      "both",
    );
  }
  const schemaProblem = app.paramsSchema === undefined ? undefined : jsonSchemaProblem(app.paramsSchema);
  if (schemaProblem !== undefined) {
    throw new InvalidFieldError("app.paramsSchema", "a valid JSON Schema", schemaProblem);
  }
  for (const [hook, fn] of Object.entries(app.hooks ?? {})) {
    if (typeof fn !== "function") throw new InvalidFieldError(`app.hooks.${hook}`, "a function", typeof fn);
  }
  return app;
}

/** The serialisable spec of an app, as stored in the database. */
export function appSpecOf(app: AppDefinition): AppSpec {
  let paramsJsonSchema: unknown = app.paramsSchema;
  if (app.params) {
    try {
      paramsJsonSchema = z.toJSONSchema(app.params);
    } catch {
      paramsJsonSchema = undefined;
    }
  }
  return {
    name: app.name,
    description: app.description,
    argv: app.argv,
    resources: resolveResources(app.resources),
    retry: { ...DEFAULT_RETRY, ...(app.retry ?? {}) },
    walltimeMs: app.walltimeMs,
    env: app.env,
    inputs: app.inputs,
    outputs: app.outputs,
    version: app.version,
    toolVersions: app.toolVersions,
    worker: app.worker,
    module: app.module,
    paramsJsonSchema,
    paramsSchema: app.paramsSchema,
    hooks: Object.keys(app.hooks ?? {}),
  };
}

/** An app definition rebuilt from its stored spec (its JSON Schema if it had one; no zod schema, no hooks). */
export function appFromSpec(spec: AppSpec): AppDefinition {
  return {
    name: spec.name,
    description: spec.description,
    argv: spec.argv,
    resources: spec.resources,
    retry: spec.retry,
    walltimeMs: spec.walltimeMs,
    env: spec.env,
    inputs: spec.inputs,
    outputs: spec.outputs,
    version: spec.version,
    toolVersions: spec.toolVersions,
    worker: spec.worker,
    module: spec.module,
    paramsSchema: spec.paramsSchema,
  };
}

function describeFound(value: unknown): string {
  if (value === undefined) return "nothing";
  try {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return typeof value;
  }
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [field, ...issue.path.map(String)].join(".");
  let found: unknown = value;
  for (const key of issue.path)
    found = (found as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  throw new InvalidFieldError(path, zodExpected(issue), describeFound(found));
}

/** Describe a value for an error message (short JSON). */
export { describeFound };
