import { checkResources } from "./app.js";
import { type BatchPlan, planBatch } from "./dag.js";
import { InvalidFieldError, MissingParamsError, TaskNotFoundError, UnknownAppError } from "./errors.js";
import { validateParams } from "./params.js";
import type { Site } from "./site.js";
import type { TaskState } from "./states.js";
import type { NewTask } from "./store.js";
import { missingTemplateValues } from "./template.js";
import type { AttemptRecord, EventQuery, EventRecord, TaskQuery, TaskRecord, TaskSpec } from "./types.js";

/** Options of {@link addTasks}. */
export interface AddTasksOptions {
  /**
   * Check app names and parameters against the apps known to this process, and that every placeholder
   * of the app's argv, inputs and outputs gets a value (default true).
   */
  validate?: boolean;
}

/** A task spec checked against the site's apps: the row to insert, without its parents. */
export type CheckedTask = Omit<NewTask, "parentIds" | "parentIndexes">;

/**
 * Check one task spec: app name, parameters (validated, defaults filled in), template placeholders,
 * tags, resources, work directory. `where` prefixes the field names in errors (`tasks[3]`). Throws
 * UnknownAppError, ParamsInvalidError, MissingParamsError or InvalidFieldError.
 */
export function checkTaskSpec(site: Site, spec: TaskSpec, where: string, validate = true): CheckedTask {
  const field = (name: string) => (where ? `${where}.${name}` : name);
  if (typeof spec.app !== "string")
    throw new InvalidFieldError(field("app"), "an app name", String(spec.app));
  let params = spec.params ?? {};
  if (validate) {
    const app = site.apps.get(spec.app);
    if (!app) throw new UnknownAppError(spec.app, [...site.apps.keys()]);
    params = validateParams(app, params);
    const templates = [...(app.argv ?? []), ...(app.inputs ?? []), ...(app.outputs ?? [])];
    const missing = missingTemplateValues(templates, params);
    if (missing.length > 0) throw new MissingParamsError(app.name, missing);
  }
  const tags = spec.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== "string")) {
    throw new InvalidFieldError(field("tags"), "an array of strings", JSON.stringify(tags));
  }
  const workdir = spec.workdir ?? null;
  const escapes = (w: string) => w === "" || w.startsWith("/") || w.split("/").includes("..");
  if (workdir !== null && (typeof workdir !== "string" || escapes(workdir))) {
    throw new InvalidFieldError(
      field("workdir"),
      "a path relative to the site's data/ folder, without ..",
      JSON.stringify(workdir),
    );
  }
  return {
    app: spec.app,
    params,
    resources: spec.resources ? checkResources(spec.resources, field("resources")) : null,
    tags,
    workdir,
  };
}

/**
 * Insert checked tasks (`checked[i]` for `specs[i]`) in one transaction, parents first. Returns ids in
 * the order of `specs`; throws UnknownParentError (and inserts nothing) for a parent id that does not exist.
 */
export async function insertCheckedTasks(
  site: Site,
  specs: readonly TaskSpec[],
  checked: readonly CheckedTask[],
  plan: BatchPlan = planBatch(specs),
): Promise<number[]> {
  const rows: NewTask[] = plan.order.map((specIndex, pos) => ({
    ...checked[specIndex],
    parentIds: plan.parentIds[pos],
    parentIndexes: plan.parentPositions[pos],
  }));
  const ids = await site.store.insertTasks(rows);
  const out = new Array<number>(specs.length);
  plan.order.forEach((specIndex, pos) => {
    out[specIndex] = ids[pos];
  });
  return out;
}

/**
 * Create tasks in one transaction (bulk). Parents may be existing ids or `key`s of this batch; a task
 * whose parents are all finished is READY, else AWAITING_PARENTS (UPSTREAM_FAILED when one failed).
 * Returns ids in the order of `specs`. Throws UnknownAppError, ParamsInvalidError, MissingParamsError,
 * InvalidFieldError, CycleError or UnknownParentError, and then creates nothing.
 */
export async function addTasks(
  site: Site,
  specs: readonly TaskSpec[],
  options: AddTasksOptions = {},
): Promise<number[]> {
  const validate = options.validate ?? true;
  const plan = planBatch(specs);
  const checked = new Array<CheckedTask>(specs.length);
  for (const i of plan.order) checked[i] = checkTaskSpec(site, specs[i], `tasks[${i}]`, validate);
  return insertCheckedTasks(site, specs, checked, plan);
}

/** One task; throws {@link TaskNotFoundError}. */
export async function getTask(site: Site, id: number): Promise<TaskRecord> {
  const t = await site.store.getTask(id);
  if (!t) throw new TaskNotFoundError(id);
  return t;
}

/** Tasks by state, tag and/or app, ids ascending, paged by `afterId` and `limit` (default 1000). */
export function listTasks(site: Site, query: TaskQuery = {}): Promise<TaskRecord[]> {
  return site.store.listTasks(query);
}

/** Number of tasks in each state (optionally of one app or tag). */
export function countTasks(
  site: Site,
  filter?: { app?: string; tag?: string },
): Promise<Record<TaskState, number>> {
  return site.store.countTasks(filter);
}

/** Events at or after `since` (ms since epoch), oldest first. */
export function eventsSince(
  site: Site,
  since: number,
  query: Omit<EventQuery, "since"> = {},
): Promise<EventRecord[]> {
  return site.store.events({ ...query, since });
}

/** Attempts (provenance) of a task, oldest first. */
export function taskAttempts(site: Site, id: number): Promise<AttemptRecord[]> {
  return site.store.attempts(id);
}

/** Kill a task and its descendants; a launcher running one of them stops its process. Returns the killed ids. */
export function killTask(site: Site, id: number): Promise<number[]> {
  return site.store.kill(id);
}

/** Reopen a FAILED/KILLED/UPSTREAM_FAILED task (retry budget reset) and the descendants it had stopped. */
export function retryTask(site: Site, id: number): Promise<number[]> {
  return site.store.retry(id);
}

/** Provenance of tasks as plain JSON: each task with its parents, attempts and events. */
export interface ProvenanceExport {
  site: string;
  exportedAt: string;
  tasks: Array<{ task: TaskRecord; parents: number[]; attempts: AttemptRecord[]; events: EventRecord[] }>;
}

/** Export the provenance of the given tasks (default: the first 10000) as JSON-ready data. */
export async function exportProvenance(site: Site, ids?: number[]): Promise<ProvenanceExport> {
  const tasks = ids
    ? await Promise.all(ids.map((id) => getTask(site, id)))
    : await site.store.listTasks({ limit: 10_000 });
  const out: ProvenanceExport = { site: site.dir, exportedAt: new Date().toISOString(), tasks: [] };
  for (const task of tasks) {
    out.tasks.push({
      task,
      parents: await site.store.parentsOf(task.id),
      attempts: await site.store.attempts(task.id),
      events: await site.store.events({ taskId: task.id, limit: 100_000 }),
    });
  }
  return out;
}
