import { join } from "node:path";
import type pino from "pino";
import { siteLogger } from "../logger.js";
import { openSite } from "../site.js";
import { CLAIMED_STATES, type TaskState } from "../states.js";
import { JobSpecError } from "./errors.js";
import { FINAL_JOB_STATES } from "./job-states.js";
import { PbsScheduler } from "./pbs-scheduler.js";
import { type PilotOptions, submitPilot } from "./pilot.js";
import { type JobStatus, SlurmScheduler, type SubmittedJob, slurmJobCompLog } from "./slurm.js";
import type { BatchJobSpec } from "./slurm-script.js";

/** A scheduler the elastic queue submits to, polls and cancels through. */
export interface ElasticScheduler {
  submit(spec: BatchJobSpec): Promise<SubmittedJob>;
  poll(ids: readonly string[]): Promise<Map<string, JobStatus>>;
  cancel(ids: readonly string[]): Promise<void>;
}

/** Options of {@link runElasticQueue}: a pilot's options plus how many to keep queued. */
export interface ElasticOptions extends Omit<PilotOptions, "scheduler"> {
  /** At most this many pilots pending in the queue at once. */
  maxQueued: number;
  /** READY tasks one pilot is expected to take: the backlog asks for ⌈backlog / tasksPerPilot⌉ pilots. */
  tasksPerPilot: number;
  /** Seconds between looks at the backlog and the queue (default 10). */
  pollSeconds?: number;
  /** Stop (cancelling the pilots still pending) when aborted. */
  signal?: AbortSignal;
  /** Called on each submission, cancellation and pilot end. */
  onEvent?: (event: ElasticEvent) => void;
  /** The scheduler (default: Slurm or PBS through their commands, scripts in `<site>/jobs`). */
  scheduler?: ElasticScheduler;
}

/** What the elastic queue did. */
export type ElasticEvent =
  | { kind: "submitted"; job: string; backlog: number; queued: number; running: number }
  | { kind: "cancelled"; job: string; backlog: number }
  | { kind: "ended"; job: string; state: string; exitCode?: number };

/** Result of {@link runElasticQueue}. */
export interface ElasticSummary {
  submitted: number;
  cancelled: number;
  /** Pilots by final state. */
  ended: Record<string, number>;
  /** The most pilots pending at once. */
  maxQueuedSeen: number;
  reason: "idle" | "stopped";
}

const RUNNABLE: readonly TaskState[] = ["READY", "RESTART_READY"];

/**
 * The elastic queue (Balsam's): every `pollSeconds`, count the site's runnable backlog and this
 * queue's pilots (one scheduler call), keep ⌈backlog / tasksPerPilot⌉ − running pilots queued — at
 * most `maxQueued` — cancelling pending ones the backlog no longer needs, and stop once nothing is
 * runnable, no task is running and none of its pilots is left.
 */
export async function runElasticQueue(options: ElasticOptions): Promise<ElasticSummary> {
  for (const field of ["maxQueued", "tasksPerPilot"] as const) {
    const v = options[field];
    if (!(Number.isInteger(v) && v >= 1)) throw new JobSpecError(field, "an integer ≥ 1", String(v));
  }
  const pollMs = (options.pollSeconds ?? 10) * 1000;
  if (!(pollMs > 0)) throw new JobSpecError("pollSeconds", "a number > 0", String(options.pollSeconds));
  const site = await openSite(options.site);
  const log: pino.Logger = siteLogger(site.dir).child({ elastic: process.pid });
  const jobsDir = join(site.dir, "jobs");
  const scheduler: ElasticScheduler =
    options.scheduler ??
    (options.backend === "pbs"
      ? new PbsScheduler({ jobsDir, pbs: options.pbs })
      : new SlurmScheduler({ jobsDir, jobCompLog: await slurmJobCompLog().catch(() => undefined) }));
  const emit = (e: ElasticEvent) => {
    log.info(e, `elastic queue: ${e.kind}`);
    options.onEvent?.(e);
  };
  const live = new Set<string>();
  const summary: ElasticSummary = { submitted: 0, cancelled: 0, ended: {}, maxQueuedSeen: 0, reason: "idle" };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        options.signal?.removeEventListener("abort", done);
        resolve();
      };
      const t = setTimeout(done, ms);
      options.signal?.addEventListener("abort", done, { once: true });
    });
  try {
    while (true) {
      const statuses = await scheduler.poll([...live]);
      const pending: string[] = [];
      let running = 0;
      for (const id of live) {
        const s = statuses.get(id);
        if (!s) continue;
        if (FINAL_JOB_STATES.has(s.state)) {
          live.delete(id);
          summary.ended[s.state] = (summary.ended[s.state] ?? 0) + 1;
          emit({
            kind: "ended",
            job: id,
            state: s.state,
            ...(s.exitCode === undefined ? {} : { exitCode: s.exitCode }),
          });
        } else if (s.state === "PENDING" && s.stuck) {
          // pending for a reason that never clears (bad partition, account …): more would wait too
          await scheduler.cancel([...live].filter((j) => statuses.get(j)?.state === "PENDING"));
          throw new JobSpecError("pilot job", "a job the scheduler can start", `${id} pending: ${s.reason}`);
        } else if (s.state === "PENDING") pending.push(id);
        else running++;
      }
      const counts = await site.store.countTasks();
      const backlog = RUNNABLE.reduce((a, st) => a + counts[st], 0);
      const busy = CLAIMED_STATES.reduce((a, st) => a + counts[st], 0);
      if (options.signal?.aborted || (backlog === 0 && busy === 0 && live.size === pending.length)) {
        // nothing left to run (or asked to stop): pending pilots are not needed
        if (pending.length > 0) await scheduler.cancel(pending);
        for (const id of pending) {
          summary.cancelled++;
          emit({ kind: "cancelled", job: id, backlog });
        }
        if (options.signal?.aborted) summary.reason = "stopped";
        if (live.size === pending.length || options.signal?.aborted) break;
      }
      const wanted = Math.max(
        0,
        Math.min(options.maxQueued, Math.ceil(backlog / options.tasksPerPilot) - running),
      );
      if (pending.length > wanted) {
        // the backlog shrank: cancel the newest pending pilots
        const extra = pending.slice(wanted);
        await scheduler.cancel(extra);
        for (const id of extra) {
          summary.cancelled++;
          emit({ kind: "cancelled", job: id, backlog });
        }
        pending.length = wanted;
      }
      for (let n = pending.length; n < wanted; n++) {
        const job = await submitPilot({ ...options, scheduler });
        live.add(job.id);
        pending.push(job.id);
        summary.submitted++;
        emit({ kind: "submitted", job: job.id, backlog, queued: pending.length, running });
      }
      summary.maxQueuedSeen = Math.max(summary.maxQueuedSeen, pending.length);
      await sleep(pollMs);
    }
  } finally {
    await site.store.close();
  }
  return summary;
}
