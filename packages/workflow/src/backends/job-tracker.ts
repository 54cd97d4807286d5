import { FINAL_JOB_STATES } from "./job-states.js";
import type { JobStatus } from "./slurm.js";

/** A scheduler the tracker can poll: one call for many jobs. */
export interface PollingScheduler {
  poll(ids: readonly string[]): Promise<Map<string, JobStatus>>;
}

/** Options of {@link waitForJobs}. */
export interface WaitOptions {
  /** First and shortest poll interval (default 1000 ms). */
  minIntervalMs?: number;
  /** Longest interval: it doubles while nothing changes, and drops back to the minimum on a change (default 30 s). */
  maxIntervalMs?: number;
  /** Give up after this long (default: never); the statuses so far are returned. */
  timeoutMs?: number;
  /** Called with every job whose state (or stuck flag) changed since the last poll. */
  onChange?: (status: JobStatus) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Poll until every job has ended (a final state, LOST included) or is stuck (pending for a reason
 * that never clears): one scheduler call per interval for all the jobs, the interval adapting
 * between `minIntervalMs` and `maxIntervalMs`. Returns the last status of each job and the number of
 * polls made.
 */
export async function waitForJobs(
  scheduler: PollingScheduler,
  ids: readonly string[],
  options: WaitOptions = {},
): Promise<{ statuses: Map<string, JobStatus>; polls: number }> {
  const min = options.minIntervalMs ?? 1000;
  const max = options.maxIntervalMs ?? 30_000;
  const deadline =
    options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
  const last = new Map<string, JobStatus>();
  let interval = min;
  let polls = 0;
  for (;;) {
    const now = await scheduler.poll(ids.filter((id) => !done(last.get(id))));
    polls++;
    let changed = false;
    for (const [id, s] of now) {
      const before = last.get(id);
      if (!before || before.state !== s.state || before.stuck !== s.stuck || before.exitCode !== s.exitCode) {
        changed = true;
        options.onChange?.(s);
      }
      last.set(id, s);
    }
    if (ids.every((id) => done(last.get(id))) || Date.now() >= deadline) return { statuses: last, polls };
    interval = changed ? min : Math.min(max, interval * 2);
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
  }
}

function done(s: JobStatus | undefined): boolean {
  return s !== undefined && (FINAL_JOB_STATES.has(s.state) || s.stuck === true);
}
