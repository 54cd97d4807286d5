import type { AppSpec, Resources } from "./app.js";
import type { TaskState } from "./states.js";
import type {
  AttemptRecord,
  AttemptStatus,
  EventQuery,
  EventRecord,
  LauncherInfo,
  TaskQuery,
  TaskRecord,
} from "./types.js";

/** A task row to insert; parents are existing ids or indexes of earlier rows in the same batch. */
export interface NewTask {
  app: string;
  params: Record<string, unknown>;
  resources: Partial<Resources> | null;
  tags: string[];
  workdir: string | null;
  parentIds: number[];
  parentIndexes: number[];
}

/** Fields recorded when an attempt starts. */
export interface AttemptStart {
  n: number;
  host: string;
  pid: number | null;
  argv: string[];
  envDigest: string;
  claimedAt: number;
  startedAt: number;
  inputs: Record<string, string>;
  toolVersions: Record<string, string>;
}

/** Fields recorded when an attempt ends. */
export interface AttemptEnd {
  status: AttemptStatus;
  endedAt: number;
  exitCode: number | null;
  signal: string | null;
  stdoutTail: string | null;
  stderrTail: string | null;
  outputs: Record<string, string>;
  error: string | null;
}

/** What happens after RUN_ERROR / RUN_TIMEOUT. */
export type AfterFailure =
  | {
      retry: true;
      runAfter: number;
      counter: "error" | "timeout";
      params?: Record<string, unknown>;
      resources?: Partial<Resources> | null;
      reason: string;
    }
  | { retry: false; reason: string };

/** A task a dead launcher held, with the process it had started (to stop an orphan on the same host). */
export interface LostTask {
  taskId: number;
  host: string | null;
  pid: number | null;
}

/**
 * Persistence of a site: tasks, DAG, event log, attempts, apps, launchers. Every state change goes
 * through it, in one transaction with its events. The launcher talks only to this interface, so a
 * PostgreSQL store can be added beside {@link SqliteStore}.
 */
export interface TaskStore {
  /** Backend name, e.g. `sqlite`. */
  readonly kind: string;
  close(): Promise<void>;

  upsertApp(spec: AppSpec): Promise<void>;
  listApps(): Promise<AppSpec[]>;

  /** Insert tasks in order (parents first); returns their ids. Throws UnknownParentError. */
  insertTasks(rows: NewTask[]): Promise<number[]>;
  getTask(id: number): Promise<TaskRecord | undefined>;
  listTasks(query: TaskQuery): Promise<TaskRecord[]>;
  /** Counts by state (every state present, zeros included). */
  countTasks(filter?: { app?: string; tag?: string }): Promise<Record<TaskState, number>>;
  /** Tasks not in a final state. */
  countActive(): Promise<number>;
  parentsOf(id: number): Promise<number[]>;
  childrenOf(id: number): Promise<number[]>;
  events(query: EventQuery): Promise<EventRecord[]>;
  attempts(taskId: number): Promise<AttemptRecord[]>;
  statesOf(ids: number[]): Promise<Map<number, TaskState>>;

  /** A checked transition (IllegalTransitionError otherwise); FAILED/KILLED propagate to descendants. */
  transition(id: number, to: TaskState, data?: Record<string, unknown>): Promise<TaskRecord>;
  /** Kill a task and every descendant not yet final; returns the ids now KILLED. */
  kill(id: number): Promise<number[]>;
  /** Reopen a FAILED, KILLED or UPSTREAM_FAILED task and the descendants it had stopped. */
  retry(id: number): Promise<number[]>;

  registerLauncher(info: LauncherInfo): Promise<void>;
  /** Renew the lease; false when the launcher was declared dead meanwhile. */
  heartbeat(launcherId: string): Promise<boolean>;
  stopLauncher(launcherId: string): Promise<void>;
  /**
   * Requeue (RESTART_READY) the tasks of launchers whose lease expired (claimed, running, or waiting
   * for a retry decision); closes their attempts as lost.
   */
  requeueExpired(now: number): Promise<LostTask[]>;

  /**
   * Atomically claim runnable tasks (READY, RESTART_READY past its backoff) for a launcher: `pick`
   * chooses among up to `candidates` of them (it sees `id`, `app`, `state` and `resources` only); the
   * chosen go to STAGED_IN and are returned in full.
   */
  claim(
    launcherId: string,
    candidates: number,
    pick: (tasks: TaskRecord[]) => number[],
  ): Promise<TaskRecord[]>;
  /** STAGED_IN → PREPROCESSED → RUNNING and the attempt row; StateConflictError when not held any more. */
  startRun(taskId: number, launcherId: string, attempt: AttemptStart): Promise<number>;
  /** STAGED_IN → FAILED before a run (bad input), with the reason. */
  failClaimed(taskId: number, launcherId: string, reason: string): Promise<boolean>;
  /**
   * End an attempt: `JOB_FINISHED` walks RUN_DONE, POSTPROCESSED, STAGED_OUT; RUN_ERROR/RUN_TIMEOUT
   * wait for {@link TaskStore.afterFailure}. False when the task is no longer held (killed, requeued):
   * the attempt is then closed with status `killed` or `lost` and nothing else changes.
   */
  endRun(
    taskId: number,
    launcherId: string,
    attemptId: number,
    to: "JOB_FINISHED" | "RUN_ERROR" | "RUN_TIMEOUT",
    end: AttemptEnd,
  ): Promise<boolean>;
  /** RUN_ERROR/RUN_TIMEOUT → RESTART_READY (with backoff and hook changes) or FAILED. */
  afterFailure(taskId: number, launcherId: string, next: AfterFailure): Promise<boolean>;
  /** Give a held task back (graceful stop): → RESTART_READY. */
  release(taskId: number, launcherId: string, reason: string): Promise<boolean>;
}
