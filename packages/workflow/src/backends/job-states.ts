/**
 * The states of a batch job as Tessera tracks it, whatever the scheduler. Slurm's states map onto
 * these one to one where they matter to a launcher (TIMEOUT is not FAILED, OUT_OF_MEMORY and
 * NODE_FAIL are their own); `LOST` is ours: a job the scheduler no longer knows and whose end no
 * record shows — never assumed completed.
 */
export const JOB_STATES = [
  "PENDING",
  "RUNNING",
  "SUSPENDED",
  "COMPLETING",
  "COMPLETED",
  "FAILED",
  "TIMEOUT",
  "CANCELLED",
  "PREEMPTED",
  "OUT_OF_MEMORY",
  "NODE_FAIL",
  "BOOT_FAIL",
  "DEADLINE",
  "LOST",
] as const;

/** A batch job's state (see {@link JOB_STATES}). */
export type JobState = (typeof JOB_STATES)[number];

/** States after which the job will not run again by itself. */
export const FINAL_JOB_STATES: ReadonlySet<JobState> = new Set([
  "COMPLETED",
  "FAILED",
  "TIMEOUT",
  "CANCELLED",
  "PREEMPTED",
  "OUT_OF_MEMORY",
  "NODE_FAIL",
  "BOOT_FAIL",
  "DEADLINE",
  "LOST",
]);

/**
 * Slurm job state names (`squeue %T`, `scontrol JobState`, the jobcomp log) → {@link JobState}.
 * Transitional states count as the phase they belong to: CONFIGURING, REQUEUED, REQUEUE_HOLD,
 * REQUEUE_FED, RESV_DEL_HOLD and SPECIAL_EXIT are PENDING (the job will be scheduled again),
 * STAGE_OUT, SIGNALING and RESIZING RUNNING, STOPPED SUSPENDED; REVOKED (a sibling of a federated
 * job ran instead) is CANCELLED.
 */
const SLURM: Record<string, JobState> = {
  PENDING: "PENDING",
  CONFIGURING: "PENDING",
  REQUEUED: "PENDING",
  REQUEUE_HOLD: "PENDING",
  REQUEUE_FED: "PENDING",
  RESV_DEL_HOLD: "PENDING",
  SPECIAL_EXIT: "PENDING",
  RUNNING: "RUNNING",
  STAGE_OUT: "RUNNING",
  SIGNALING: "RUNNING",
  RESIZING: "RUNNING",
  SUSPENDED: "SUSPENDED",
  STOPPED: "SUSPENDED",
  COMPLETING: "COMPLETING",
  COMPLETED: "COMPLETED",
  FAILED: "FAILED",
  TIMEOUT: "TIMEOUT",
  CANCELLED: "CANCELLED",
  REVOKED: "CANCELLED",
  PREEMPTED: "PREEMPTED",
  OUT_OF_MEMORY: "OUT_OF_MEMORY",
  NODE_FAIL: "NODE_FAIL",
  BOOT_FAIL: "BOOT_FAIL",
  DEADLINE: "DEADLINE",
};

/**
 * The {@link JobState} of a Slurm state name (`CANCELLED by 0` and abbreviations such as `CA` are
 * accepted); undefined for a name Slurm does not use.
 */
export function slurmJobState(name: string): JobState | undefined {
  const word = name.trim().split(/\s+/)[0]?.toUpperCase() ?? "";
  return SLURM[word] ?? SLURM[SLURM_SHORT[word] ?? ""];
}

/** Slurm's compact state codes (`squeue %t`). */
const SLURM_SHORT: Record<string, string> = {
  PD: "PENDING",
  CF: "CONFIGURING",
  RQ: "REQUEUED",
  RH: "REQUEUE_HOLD",
  RF: "REQUEUE_FED",
  RD: "RESV_DEL_HOLD",
  SE: "SPECIAL_EXIT",
  R: "RUNNING",
  SO: "STAGE_OUT",
  SI: "SIGNALING",
  RS: "RESIZING",
  S: "SUSPENDED",
  ST: "STOPPED",
  CG: "COMPLETING",
  CD: "COMPLETED",
  F: "FAILED",
  TO: "TIMEOUT",
  CA: "CANCELLED",
  RV: "REVOKED",
  PR: "PREEMPTED",
  OOM: "OUT_OF_MEMORY",
  NF: "NODE_FAIL",
  BF: "BOOT_FAIL",
  DL: "DEADLINE",
};

/**
 * Pending reasons that never clear by themselves: the job asks for more than the partition has, a
 * limit it can never fit, or a dependency that failed. A launcher reports such a job instead of
 * waiting forever. (Reasons an administrator can clear — ReqNodeNotAvail, NodeDown, PartitionDown —
 * are not here: the job is reported as waiting on them.)
 */
export const SLURM_STUCK_REASONS: ReadonlySet<string> = new Set([
  "PartitionConfig",
  "PartitionNodeLimit",
  "PartitionTimeLimit",
  "DependencyNeverSatisfied",
  "BadConstraints",
  "InvalidAccount",
  "InvalidQOS",
  "QOSMaxWallDurationPerJobLimit",
  "QOSMaxCpuPerJobLimit",
  "QOSMaxNodePerJobLimit",
  "AssocMaxWallDurationPerJobLimit",
  "AssocMaxCpuPerJobLimit",
  "AssocMaxNodePerJobLimit",
]);
