import type { Resources } from "./app.js";
import type { TaskState } from "./states.js";

/** A task to create. `parents` are existing task ids or `key`s of tasks in the same batch. */
export interface TaskSpec {
  app: string;
  params?: Record<string, unknown>;
  tags?: string[];
  parents?: Array<number | string>;
  /** Name of this task inside the batch, so later specs can list it as a parent. */
  key?: string;
  /** Resources override (merged over the app's). */
  resources?: Partial<Resources>;
  /** Work directory relative to the site's `data/` folder (default `<app>/<id>`). */
  workdir?: string;
}

/** A task as stored. */
export interface TaskRecord {
  id: number;
  app: string;
  state: TaskState;
  params: Record<string, unknown>;
  /** Resources override (null: the app's). */
  resources: Partial<Resources> | null;
  tags: string[];
  /** Work directory relative to the site's `data/` folder. */
  workdir: string;
  /** Attempts started so far. */
  attempts: number;
  errorRetries: number;
  timeoutRetries: number;
  /** Not claimable before this time (ms since epoch; retry backoff). */
  runAfter: number;
  launcherId: string | null;
  pendingParents: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** One row of the event log: a state transition. */
export interface EventRecord {
  id: number;
  taskId: number;
  /** ms since epoch. */
  ts: number;
  from: TaskState | null;
  to: TaskState;
  data: Record<string, unknown> | null;
}

/** Outcome of an attempt. */
export type AttemptStatus = "running" | "done" | "error" | "timeout" | "killed" | "lost" | "stopped";

/** Provenance of one run of a task. */
export interface AttemptRecord {
  id: number;
  taskId: number;
  /** 1-based attempt number. */
  n: number;
  launcherId: string;
  host: string;
  pid: number | null;
  status: AttemptStatus;
  argv: string[];
  /** sha256 of the sorted environment the process got. */
  envDigest: string;
  claimedAt: number;
  startedAt: number;
  endedAt: number | null;
  exitCode: number | null;
  signal: string | null;
  stdoutTail: string | null;
  stderrTail: string | null;
  /** Declared inputs: path → sha256. */
  inputs: Record<string, string>;
  /** Declared outputs: path → sha256. */
  outputs: Record<string, string>;
  toolVersions: Record<string, string>;
  error: string | null;
}

/** Filter for task queries; pages with `afterId` (ids ascending). */
export interface TaskQuery {
  state?: TaskState | TaskState[];
  tag?: string;
  app?: string;
  /** Default 1000. */
  limit?: number;
  /** Only ids greater than this (keyset paging). */
  afterId?: number;
}

/** Filter for event queries. */
export interface EventQuery {
  /** Only events at or after this time (ms since epoch). */
  since?: number;
  taskId?: number;
  /** Only ids greater than this (paging). */
  afterId?: number;
  /** Default 1000. */
  limit?: number;
}

/** A launcher registered on the site. */
export interface LauncherInfo {
  id: string;
  host: string;
  pid: number;
  leaseMs: number;
}
