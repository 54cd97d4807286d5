import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type pino from "pino";
import {
  type AppDefinition,
  checkResources,
  DEFAULT_RETRY,
  type HookContext,
  type HookResult,
  type Resources,
} from "../app.js";
import {
  errorCode,
  errorMessage,
  InvalidFieldError,
  StateConflictError,
  UnknownAppError,
} from "../errors.js";
import { validateParams } from "../params.js";
import { envDigest, hashDeclared } from "../provenance.js";
import type { Site } from "../site.js";
import type { AttemptEnd } from "../store.js";
import { renderArgv, renderString } from "../template.js";
import type { TaskRecord } from "../types.js";
import { WORKFLOW_VERSION } from "../version.js";
import { backoffDelay } from "./backoff.js";
import { resolveExecutable } from "./executable.js";
import type { MpiLaunch } from "./mpi-launch.js";
import type { Placement } from "./node-pool.js";
import type { AllocationNodes } from "./nodes.js";
import { placedCommand, taskShape } from "./placement.js";
import { startProcess } from "./process.js";
import type { Spawner } from "./spawner.js";
import type { WorkerPool } from "./worker-pool.js";

/** Counters of one launcher run. */
export interface LaunchStats {
  started: number;
  finished: number;
  failed: number;
  /** Ids of the tasks that ended FAILED in this run, in the order they failed. */
  failedIds: number[];
  retried: number;
  /** Attempts that ended without a recorded result (task killed, lease lost, launcher stopped). */
  abandoned: number;
}

/** What a launcher shares with each task it runs. */
export interface RunContext {
  site: Site;
  launcherId: string;
  host: string;
  killGraceMs: number;
  /** Cores and GPUs of each node. */
  maxCpus: number;
  maxGpus: number;
  /** The nodes tasks are placed on (this host alone without an MPI launcher). */
  alloc: AllocationNodes;
  /** How tasks on other nodes or of several ranks start (none: everything runs here, directly). */
  mpi?: MpiLaunch;
  log: pino.Logger;
  workers: () => Promise<WorkerPool>;
  stats: LaunchStats;
  /** Threads that start subprocesses. */
  spawner: Spawner;
  /** Executables already found (argv[0], cwd when relative, PATH). */
  executables: Set<string>;
  /** Environment of each app (process env + app env) and its digest, computed once. */
  baseEnv: Map<AppDefinition, { env: Record<string, string | undefined>; digest: string }>;
}

/** Control of one running task. */
export interface TaskHandle {
  terminate: () => void;
  /** Set when the launcher stops and gives the task back instead of finishing it. */
  release: boolean;
}

/** A staged task: checked, work directory made, inputs hashed, preprocess hook run. */
export interface Prepared {
  app: AppDefinition;
  params: Record<string, unknown>;
  workdir: string;
  argv: string[];
  env: Record<string, string | undefined>;
  /** sha256 of the app's base environment combined with the task's own variables. */
  digest: string;
  inputs: Record<string, string>;
  hook: HookContext;
}

interface Ended {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  error: string | null;
  startedAt: number;
  endedAt: number;
  stdoutTail: string | null;
  stderrTail: string | null;
}

async function prepare(ctx: RunContext, task: TaskRecord, resources: Resources): Promise<Prepared> {
  const app = ctx.site.apps.get(task.app);
  if (!app) throw new UnknownAppError(task.app, [...ctx.site.apps.keys()]);
  const shape = taskShape(resources, ctx.mpi);
  const nodeCount = ctx.alloc.names.length;
  if (shape.nodes > nodeCount || shape.cpusPerNode > ctx.maxCpus || shape.gpusPerNode > ctx.maxGpus) {
    const where = ctx.mpi ? ` on each of ${shape.nodes} nodes` : "";
    throw new InvalidFieldError(
      "resources",
      ctx.mpi
        ? `at most ${nodeCount} nodes of ${ctx.maxCpus} cpus and ${ctx.maxGpus} gpus (this allocation)`
        : `at most ${ctx.maxCpus} cpus and ${ctx.maxGpus} gpus (this launcher)`,
      `${shape.cpusPerNode} cpus and ${shape.gpusPerNode} gpus${where}`,
    );
  }
  const params = validateParams(app, task.params);
  const workdir = join(ctx.site.dir, "data", task.workdir);
  // synchronous: a quarter of the CPU of fs/promises' recursive mkdir, and it takes microseconds
  mkdirSync(workdir, { recursive: true });
  const values = { ...params, taskId: task.id, workdir, site: ctx.site.dir, attempt: task.attempts };
  const argv = app.argv ? renderArgv(app.name, app.argv, values) : [];
  let base = ctx.baseEnv.get(app);
  if (!base) {
    const env = { ...process.env, ...(app.env ?? {}) };
    base = { env, digest: envDigest(env) };
    ctx.baseEnv.set(app, base);
  }
  const env: Record<string, string | undefined> = {
    ...base.env,
    TESSERA_SITE: ctx.site.dir,
    TESSERA_TASK_ID: String(task.id),
    TESSERA_ATTEMPT: String(task.attempts),
    TESSERA_WORKDIR: workdir,
    OMP_NUM_THREADS: String(resources.threadsPerRank),
  };
  if (argv.length > 0) {
    const key = `${argv[0]}\0${argv[0].includes("/") ? workdir : ""}\0${env.PATH}`;
    if (!ctx.executables.has(key)) {
      resolveExecutable(argv[0], workdir, env.PATH);
      ctx.executables.add(key);
    }
  }
  const hook: HookContext = {
    site: ctx.site.dir,
    taskId: task.id,
    app: app.name,
    attempt: task.attempts,
    params,
    resources,
    workdir,
  };
  await app.hooks?.preprocess?.(hook);
  const inputs = await hashDeclared(
    "input",
    (app.inputs ?? []).map((p) => renderString(app.name, p, values)),
    workdir,
  );
  return { app, params, workdir, argv, env, digest: base.digest, inputs, hook };
}

function toolVersions(app: AppDefinition): Record<string, string> {
  return {
    node: process.version,
    "@tessera/workflow": WORKFLOW_VERSION,
    ...(app.version ? { [app.name]: app.version } : {}),
    ...(app.toolVersions ?? {}),
  };
}

/**
 * Stage a claimed task in: check app, resources, params, executable; make the work directory; run the
 * preprocess hook; hash declared inputs. On bad input the task is FAILED with
 * the reason and null is returned.
 */
export async function stageIn(
  ctx: RunContext,
  task: TaskRecord,
  resources: Resources,
): Promise<Prepared | null> {
  try {
    return await prepare(ctx, task, resources);
  } catch (error) {
    const reason = `${errorCode(error)}: ${errorMessage(error)}`;
    if (await ctx.site.store.failClaimed(task.id, ctx.launcherId, reason)) {
      ctx.stats.failed++;
      ctx.stats.failedIds.push(task.id);
    }
    ctx.log.warn({ task: task.id, reason }, "task failed before running");
    return null;
  }
}

/** Give a staged task back (launcher stopping). */
export async function unstage(ctx: RunContext, task: TaskRecord): Promise<void> {
  await ctx.site.store.release(task.id, ctx.launcherId, "launcher stopped");
}

/**
 * Run a staged task to its next resting state: the run (subprocess or worker thread) under its
 * walltime, stage out (outputs, postprocess hook), then JOB_FINISHED, or RUN_ERROR/RUN_TIMEOUT
 * followed by a retry with backoff or FAILED. `onRunEnded` is called as soon as the process (or worker
 * call) has ended, before the bookkeeping, so that its cores can take the next task meanwhile.
 */
export async function execute(
  ctx: RunContext,
  task: TaskRecord,
  p: Prepared,
  placement: Placement,
  handle: TaskHandle,
  onRunEnded: () => void = () => {},
): Promise<void> {
  const { store } = ctx.site;
  const claimedAt = task.updatedAt;
  let digest = p.digest;
  const own = `TESSERA_SITE=${p.env.TESSERA_SITE}\nTESSERA_TASK_ID=${task.id}\nTESSERA_ATTEMPT=${task.attempts}\nTESSERA_WORKDIR=${p.workdir}\nOMP_NUM_THREADS=${p.env.OMP_NUM_THREADS}\n`;
  const command = p.app.worker
    ? { argv: p.argv }
    : placedCommand(p.argv, p.hook.resources, placement, ctx.alloc, ctx.mpi, p.workdir);
  if (command.cudaVisibleDevices !== undefined) p.env.CUDA_VISIBLE_DEVICES = command.cudaVisibleDevices;
  if (command.hostfile) writeFileSync(command.hostfile.path, command.hostfile.text);
  digest = createHash("sha256")
    .update(digest)
    .update(own)
    .update(p.env.CUDA_VISIBLE_DEVICES ?? "")
    .digest("hex");
  const base = {
    n: task.attempts,
    host: ctx.host,
    envDigest: digest,
    claimedAt,
    inputs: p.inputs,
    toolVersions: toolVersions(p.app),
  };
  let attemptId: number;
  let ended: Ended;
  let releaseReason = "launcher stopped";
  try {
    if (p.app.worker) {
      const entry = p.app.worker;
      attemptId = await store.startRun(task.id, ctx.launcherId, {
        ...base,
        pid: null,
        argv: ["worker", entry.module, entry.exportName ?? "default"],
        startedAt: Date.now(),
      });
      ended = await runInWorker(ctx, task, p, handle);
      onRunEnded();
    } else {
      const startedAt = Date.now();
      const proc = startProcess(ctx.spawner, {
        argv: command.argv,
        cwd: p.workdir,
        env: p.env,
        stdoutPath: join(p.workdir, "stdout.log"),
        stderrPath: join(p.workdir, "stderr.log"),
        walltimeMs: p.app.walltimeMs,
        killGraceMs: ctx.killGraceMs,
      });
      handle.terminate = () => proc.terminate();
      // its cores are free once it has ended, whether or not its start is recorded yet
      void proc.done.then(onRunEnded);
      try {
        attemptId = await store.startRun(task.id, ctx.launcherId, {
          ...base,
          pid: await proc.pid,
          argv: command.argv,
          startedAt,
        });
      } catch (error) {
        proc.terminate();
        await proc.done;
        throw error;
      }
      const r = await proc.done;
      if (r.lost !== null) {
        // nothing is known of how the run ended (and its process group was stopped): run it again,
        // without spending a retry of the task
        ctx.log.warn({ task: task.id, reason: r.lost }, "task requeued");
        handle.release = true;
        releaseReason = r.lost;
      }
      ended = {
        exitCode: r.exitCode,
        signal: r.signal,
        timedOut: r.timedOut,
        error: r.spawnError ? `cannot start ${command.argv[0]}: ${r.spawnError.message}` : null,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
        stdoutTail: r.stdoutTail,
        stderrTail: r.stderrTail,
      };
    }
  } catch (error) {
    if (!(error instanceof StateConflictError)) throw error;
    ctx.stats.abandoned++;
    return;
  }
  if (handle.release) {
    await store.release(task.id, ctx.launcherId, releaseReason);
    ctx.stats.abandoned++;
    return;
  }
  await finish(ctx, task, p, attemptId, ended);
}

async function runInWorker(
  ctx: RunContext,
  task: TaskRecord,
  p: Prepared,
  handle: TaskHandle,
): Promise<Ended> {
  const ac = new AbortController();
  let timedOut = false;
  handle.terminate = () => ac.abort();
  const timer =
    p.app.walltimeMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          ac.abort();
        }, p.app.walltimeMs)
      : undefined;
  const startedAt = Date.now();
  let error: string | null = null;
  let exitCode: number | null = 0;
  try {
    const result = await (await ctx.workers()).run(
      p.app.worker!,
      p.params,
      { taskId: task.id, workdir: p.workdir, site: ctx.site.dir, attempt: task.attempts },
      ac.signal,
    );
    writeFileSync(join(p.workdir, "result.json"), `${JSON.stringify(result)}\n`);
  } catch (e) {
    exitCode = 1;
    error = ac.signal.aborted
      ? timedOut
        ? null
        : "worker task aborted"
      : `worker threw: ${errorMessage(e)}`;
  } finally {
    clearTimeout(timer);
  }
  return {
    exitCode: timedOut ? null : exitCode,
    signal: null,
    timedOut,
    error,
    startedAt,
    endedAt: Date.now(),
    stdoutTail: null,
    stderrTail: null,
  };
}

function lastLine(text: string | null): string {
  const lines = (text ?? "").trim().split("\n");
  return lines[lines.length - 1]?.slice(0, 200) ?? "";
}

async function finish(
  ctx: RunContext,
  task: TaskRecord,
  p: Prepared,
  attemptId: number,
  e: Ended,
): Promise<void> {
  const { store } = ctx.site;
  let to: "JOB_FINISHED" | "RUN_ERROR" | "RUN_TIMEOUT" = "JOB_FINISHED";
  let error: string | null = e.error;
  let outputs: Record<string, string> = {};
  if (e.timedOut) {
    to = "RUN_TIMEOUT";
    error = `walltime of ${p.app.walltimeMs} ms exceeded (SIGTERM, then SIGKILL after ${ctx.killGraceMs} ms)`;
  } else if (error !== null) {
    to = "RUN_ERROR";
  } else if (e.exitCode !== 0) {
    to = "RUN_ERROR";
    const tail = lastLine(e.stderrTail);
    error = `${e.signal ? `killed by signal ${e.signal}` : `exit code ${e.exitCode}`}${tail ? `: ${tail}` : ""}`;
  } else {
    try {
      const declared = (p.app.outputs ?? []).map((o) =>
        renderString(p.app.name, o, { ...p.params, taskId: task.id, workdir: p.workdir, site: ctx.site.dir }),
      );
      outputs = await hashDeclared("output", declared, p.workdir);
      await p.app.hooks?.postprocess?.({ ...p.hook, exitCode: 0, signal: null });
    } catch (err) {
      to = "RUN_ERROR";
      error = `${errorCode(err)}: ${errorMessage(err)}`;
    }
  }
  const end: AttemptEnd = {
    status: to === "JOB_FINISHED" ? "done" : to === "RUN_TIMEOUT" ? "timeout" : "error",
    endedAt: e.endedAt,
    exitCode: e.exitCode,
    signal: e.signal,
    stdoutTail: e.stdoutTail,
    stderrTail: e.stderrTail,
    outputs,
    error,
  };
  if (!(await store.endRun(task.id, ctx.launcherId, attemptId, to, end))) {
    ctx.stats.abandoned++;
    return;
  }
  if (to === "JOB_FINISHED") {
    ctx.stats.finished++;
    ctx.log.debug({ task: task.id }, "task finished");
    return;
  }
  await decideRetry(ctx, task, p, to === "RUN_TIMEOUT", error ?? "run failed", e);
}

async function decideRetry(
  ctx: RunContext,
  task: TaskRecord,
  p: Prepared,
  timeout: boolean,
  error: string,
  e: Ended,
): Promise<void> {
  const { store } = ctx.site;
  const policy = { ...DEFAULT_RETRY, ...(p.app.retry ?? {}) };
  const used = timeout ? task.timeoutRetries : task.errorRetries;
  const max = timeout ? policy.timeoutRetries : policy.maxRetries;
  const hookName = timeout ? "onTimeout" : "onError";
  let reason: string | null = null;
  let hr: HookResult | undefined;
  let params: Record<string, unknown> | undefined;
  let resources: Partial<Resources> | undefined;
  try {
    hr = (await p.app.hooks?.[hookName]?.({
      ...p.hook,
      exitCode: e.exitCode,
      signal: e.signal,
      stderrTail: e.stderrTail ?? undefined,
      error,
    })) as HookResult | undefined;
    if (hr?.retry === false) reason = `${error} (${hookName} hook declined a retry)`;
    else if (used >= max) {
      reason = `${error} (${timeout ? "timeout" : "error"} retries exhausted: ${used} of ${max})`;
    } else {
      if (hr?.params) params = validateParams(p.app, { ...task.params, ...hr.params });
      if (hr?.resources)
        resources = checkResources({ ...(task.resources ?? {}), ...hr.resources }, "hook resources");
    }
  } catch (err) {
    reason = `${error} (${hookName} hook failed: ${errorMessage(err)})`;
  }
  if (reason !== null) {
    if (await store.afterFailure(task.id, ctx.launcherId, { retry: false, reason })) {
      ctx.stats.failed++;
      ctx.stats.failedIds.push(task.id);
    }
    ctx.log.warn({ task: task.id, reason }, "task failed");
    return;
  }
  const runAfter = Date.now() + backoffDelay(policy, used + 1);
  await store.afterFailure(task.id, ctx.launcherId, {
    retry: true,
    counter: timeout ? "timeout" : "error",
    runAfter,
    params,
    resources,
    reason: error,
  });
  ctx.stats.retried++;
  ctx.log.info({ task: task.id, error, runAfter }, "task will be retried");
}
