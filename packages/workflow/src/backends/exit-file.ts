import { readFile } from "node:fs/promises";
import { FINAL_JOB_STATES } from "./job-states.js";
import type { JobStatus } from "./slurm.js";

/**
 * Set `status.exitCode` from the exit file the job's wrapper wrote, once the job has ended; left
 * unset when there is none (killed, timed out, never started).
 */
export async function readExitFile(status: JobStatus, file: string | undefined): Promise<void> {
  if (!file || !FINAL_JOB_STATES.has(status.state)) return;
  try {
    const v = Number((await readFile(file, "utf8")).trim());
    if (Number.isInteger(v)) status.exitCode = v;
  } catch {
    // the wrapper did not write it
  }
}
