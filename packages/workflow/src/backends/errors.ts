import { WorkflowError } from "../errors.js";

/** A scheduler command (sbatch, squeue, qsub …) is not installed or not on PATH. */
export class SchedulerCommandMissingError extends WorkflowError {
  constructor(
    readonly command: string,
    readonly backend: string,
  ) {
    super(
      "SCHEDULER_COMMAND_MISSING",
      `the ${backend} command "${command}" was not found on PATH: run on a login node of the cluster, or install the scheduler's client commands`,
    );
  }
}

/** A scheduler command failed; `stderr` is what it said (shown in the message). */
export class SchedulerCommandError extends WorkflowError {
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly status: number | null,
    readonly stderr: string,
  ) {
    super(
      "SCHEDULER_COMMAND_FAILED",
      `${command} ${args.join(" ")} failed (exit ${status ?? "signal"}): ${stderr.trim().split("\n").slice(-5).join(" | ") || "no message"}`,
    );
  }
}

/** A job spec the scheduler cannot run, caught before submission (field named). */
export class JobSpecError extends WorkflowError {
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super("BAD_JOB_SPEC", `job spec field ${field}: expected ${expected}, found ${found}`);
  }
}
