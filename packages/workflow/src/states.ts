import { IllegalTransitionError } from "./errors.js";

/** Every state a task can be in (Balsam's, plus UPSTREAM_FAILED). */
export const TASK_STATES = [
  "CREATED",
  "AWAITING_PARENTS",
  "READY",
  "STAGED_IN",
  "PREPROCESSED",
  "RUNNING",
  "RUN_DONE",
  "POSTPROCESSED",
  "STAGED_OUT",
  "JOB_FINISHED",
  "RUN_ERROR",
  "RUN_TIMEOUT",
  "RESTART_READY",
  "FAILED",
  "KILLED",
  "UPSTREAM_FAILED",
] as const;

/** A task state. */
export type TaskState = (typeof TASK_STATES)[number];

const ALLOWED: Record<TaskState, readonly TaskState[]> = {
  CREATED: ["AWAITING_PARENTS", "READY", "UPSTREAM_FAILED"],
  AWAITING_PARENTS: ["READY", "UPSTREAM_FAILED", "KILLED"],
  READY: ["STAGED_IN", "FAILED", "KILLED", "UPSTREAM_FAILED"],
  STAGED_IN: ["PREPROCESSED", "FAILED", "KILLED", "RESTART_READY"],
  PREPROCESSED: ["RUNNING", "FAILED", "KILLED", "RESTART_READY"],
  RUNNING: ["RUN_DONE", "RUN_ERROR", "RUN_TIMEOUT", "KILLED", "RESTART_READY"],
  RUN_DONE: ["POSTPROCESSED", "RUN_ERROR", "KILLED", "RESTART_READY"],
  POSTPROCESSED: ["STAGED_OUT", "RUN_ERROR", "KILLED", "RESTART_READY"],
  STAGED_OUT: ["JOB_FINISHED", "KILLED", "RESTART_READY"],
  JOB_FINISHED: [],
  RUN_ERROR: ["RESTART_READY", "FAILED", "KILLED"],
  RUN_TIMEOUT: ["RESTART_READY", "FAILED", "KILLED"],
  RESTART_READY: ["STAGED_IN", "FAILED", "KILLED", "UPSTREAM_FAILED"],
  FAILED: ["RESTART_READY"],
  KILLED: ["RESTART_READY", "AWAITING_PARENTS"],
  UPSTREAM_FAILED: ["AWAITING_PARENTS", "KILLED"],
};

/** States a launcher can claim a task from. */
export const RUNNABLE_STATES: readonly TaskState[] = ["READY", "RESTART_READY"];

/** States in which a launcher holds the task (it must renew its lease). */
export const CLAIMED_STATES: readonly TaskState[] = [
  "STAGED_IN",
  "PREPROCESSED",
  "RUNNING",
  "RUN_DONE",
  "POSTPROCESSED",
  "STAGED_OUT",
];

/** States a task never leaves on its own (only `task retry` reopens FAILED, KILLED, UPSTREAM_FAILED). */
export const FINAL_STATES: readonly TaskState[] = ["JOB_FINISHED", "FAILED", "KILLED", "UPSTREAM_FAILED"];

/** Whether `from -> to` is a legal transition. */
export function canTransition(from: TaskState, to: TaskState): boolean {
  return ALLOWED[from]?.includes(to) ?? false;
}

/** The states reachable from `from` in one step. */
export function nextStates(from: TaskState): readonly TaskState[] {
  return ALLOWED[from] ?? [];
}

/** Throw {@link IllegalTransitionError} unless `from -> to` is legal. */
export function assertTransition(taskId: number, from: TaskState, to: TaskState): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(taskId, from, to);
}

/** Whether `value` is one of {@link TASK_STATES}. */
export function isTaskState(value: string): value is TaskState {
  return (TASK_STATES as readonly string[]).includes(value);
}
