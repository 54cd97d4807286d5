import type { TaskState } from "../states.js";
import type { AttemptRecord, AttemptStatus, EventRecord, TaskRecord } from "../types.js";

/** Raw `tasks` row. */
export interface TaskRow {
  id: number;
  app: string;
  state: string;
  params: string;
  resources: string | null;
  tags: string | null;
  workdir: string | null;
  attempts: number;
  error_retries: number;
  timeout_retries: number;
  run_after: number;
  launcher_id: string | null;
  pending_parents: number;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** Map a `tasks` row to a {@link TaskRecord}. */
export function toTask(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    app: row.app,
    state: row.state as TaskState,
    params: JSON.parse(row.params),
    resources: row.resources ? JSON.parse(row.resources) : null,
    tags: row.tags ? JSON.parse(row.tags) : [],
    workdir: row.workdir ?? `${row.app}/${row.id}`,
    attempts: row.attempts,
    errorRetries: row.error_retries,
    timeoutRetries: row.timeout_retries,
    runAfter: row.run_after,
    launcherId: row.launcher_id,
    pendingParents: row.pending_parents,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Map an `events` row. */
export function toEvent(row: {
  id: number;
  task_id: number;
  ts: number;
  from_state: string | null;
  to_state: string;
  data: string | null;
}): EventRecord {
  return {
    id: row.id,
    taskId: row.task_id,
    ts: row.ts,
    from: row.from_state as TaskState | null,
    to: row.to_state as TaskState,
    data: row.data ? JSON.parse(row.data) : null,
  };
}

/** Map an `attempts` row. */
export function toAttempt(row: Record<string, unknown>): AttemptRecord {
  return {
    id: row.id as number,
    taskId: row.task_id as number,
    n: row.n as number,
    launcherId: row.launcher_id as string,
    host: row.host as string,
    pid: (row.pid as number | null) ?? null,
    status: row.status as AttemptStatus,
    argv: JSON.parse(row.argv as string),
    envDigest: row.env_digest as string,
    claimedAt: row.claimed_at as number,
    startedAt: row.started_at as number,
    endedAt: (row.ended_at as number | null) ?? null,
    exitCode: (row.exit_code as number | null) ?? null,
    signal: (row.signal as string | null) ?? null,
    stdoutTail: (row.stdout_tail as string | null) ?? null,
    stderrTail: (row.stderr_tail as string | null) ?? null,
    inputs: JSON.parse(row.inputs as string),
    outputs: JSON.parse(row.outputs as string),
    toolVersions: JSON.parse(row.tool_versions as string),
    error: (row.error as string | null) ?? null,
  };
}
