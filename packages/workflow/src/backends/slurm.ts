import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { JobSpecError } from "./errors.js";
import { readExitFile } from "./exit-file.js";
import { type JobState, SLURM_STUCK_REASONS, slurmJobState } from "./job-states.js";
import { runCommand } from "./run-command.js";
import { type BatchJobSpec, renderSlurmScript } from "./slurm-script.js";

/** What the tracker knows of a job after a poll. */
export interface JobStatus {
  id: string;
  state: JobState;
  /** Slurm's reason (pending reason, or why it ended), when it gave one. */
  reason?: string;
  /** A pending job whose reason never clears by itself (see {@link SLURM_STUCK_REASONS}). */
  stuck?: boolean;
  /** The command's exit status from the wrapper's exit file, once the job has ended and written it. */
  exitCode?: number;
  /** Where the state came from: the batched `squeue` (or PBS's `qstat`), `scontrol`, the jobcomp log, or none (LOST). */
  source: "squeue" | "qstat" | "scontrol" | "jobcomp" | "none";
}

/** A submitted job: its id and the files that make it reproducible. */
export interface SubmittedJob {
  id: string;
  /** The rendered script, kept beside the job's output as provenance. */
  script: string;
  exitFile: string;
  output: string;
}

/** Options of {@link SlurmScheduler}. */
export interface SlurmSchedulerOptions {
  /** Where job scripts are kept (provenance). */
  jobsDir: string;
  /** The jobcomp log (`JobCompLoc` of slurm.conf, jobcomp/filetxt), read for jobs squeue has purged. */
  jobCompLog?: string;
  /** Seconds each scheduler command may take (default 30). */
  commandTimeoutSeconds?: number;
}

/** Calls made to the scheduler, by command (the tracker's load on slurmctld). */
export type CommandCounts = Record<"sbatch" | "squeue" | "scontrol" | "scancel", number>;

/**
 * Slurm through its commands: `sbatch --parsable` to submit (the rendered script kept), `scancel`,
 * and **batched** status: one `squeue` call for every tracked job. A job missing from `squeue` is
 * looked up with `scontrol show job -o`, then in the jobcomp log; if none knows it, it is LOST —
 * never assumed completed. Exit statuses come from the file the job's wrapper writes.
 */
export class SlurmScheduler {
  readonly counts: CommandCounts = { sbatch: 0, squeue: 0, scontrol: 0, scancel: 0 };
  readonly #opts: Required<Omit<SlurmSchedulerOptions, "jobCompLog">> & { jobCompLog?: string };
  readonly #exitFiles = new Map<string, string>();

  constructor(options: SlurmSchedulerOptions) {
    this.#opts = { commandTimeoutSeconds: 30, ...options };
  }

  #run(command: keyof CommandCounts, args: string[], allowFailure = false) {
    this.counts[command]++;
    return runCommand(command, args, {
      backend: "slurm",
      timeoutMs: this.#opts.commandTimeoutSeconds * 1000,
      allowFailure,
    });
  }

  /** Render, keep and submit a job; resolves with its id. sbatch's refusal is a SchedulerCommandError with its stderr. */
  async submit(spec: BatchJobSpec): Promise<SubmittedJob> {
    const script = renderSlurmScript(spec);
    await mkdir(this.#opts.jobsDir, { recursive: true });
    const pending = join(this.#opts.jobsDir, `${spec.name}.${process.pid}.${Date.now()}.sbatch`);
    await writeFile(pending, script, { flag: "wx" });
    const out = await this.#run("sbatch", ["--parsable", pending]);
    const id = out.stdout.trim().split(";")[0];
    if (!/^\d+$/.test(id)) throw new JobSpecError("sbatch output", "a job id", JSON.stringify(out.stdout));
    const kept = join(this.#opts.jobsDir, `${id}.sbatch`);
    await rename(pending, kept);
    this.#exitFiles.set(id, spec.exitFile);
    return { id, script: kept, exitFile: spec.exitFile, output: spec.output };
  }

  /** Cancel jobs (ids unknown to Slurm are ignored by scancel). */
  async cancel(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.#run("scancel", [...ids]);
  }

  /** Remember the exit file of a job submitted elsewhere (e.g. by an earlier process). */
  track(id: string, exitFile?: string): void {
    if (exitFile) this.#exitFiles.set(id, exitFile);
  }

  /**
   * The status of each job: one `squeue` call for all of them, then `scontrol` and the jobcomp log
   * for those squeue no longer lists.
   */
  async poll(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    const result = new Map<string, JobStatus>();
    if (ids.length === 0) return result;
    const wanted = new Set(ids);
    // all jobs, then filter: `squeue -j <unknown id>` fails for the whole call
    const q = await this.#run("squeue", ["--states=all", "--noheader", "--format=%i|%T|%r"]);
    for (const line of q.stdout.split("\n")) {
      const [id, state, reason] = line.trim().split("|");
      if (!wanted.has(id)) continue;
      const s = slurmJobState(state ?? "");
      if (s) result.set(id, this.#status(id, s, reason, "squeue"));
    }
    for (const id of ids) {
      if (result.has(id)) continue;
      result.set(id, await this.#lookup(id));
    }
    for (const status of result.values()) await readExitFile(status, this.#exitFiles.get(status.id));
    return result;
  }

  #status(id: string, state: JobState, reason: string | undefined, source: JobStatus["source"]): JobStatus {
    const r = reason && reason !== "None" && reason !== "(null)" ? reason : undefined;
    return {
      id,
      state,
      ...(r ? { reason: r } : {}),
      ...(state === "PENDING" && r && SLURM_STUCK_REASONS.has(r) ? { stuck: true } : {}),
      source,
    };
  }

  async #lookup(id: string): Promise<JobStatus> {
    const sc = await this.#run("scontrol", ["show", "job", "-o", id], true);
    if (sc.status === 0) {
      const state = slurmJobState(/\bJobState=(\S+)/.exec(sc.stdout)?.[1] ?? "");
      if (state) return this.#status(id, state, /\bReason=(\S+)/.exec(sc.stdout)?.[1], "scontrol");
    }
    const log = this.#opts.jobCompLog;
    if (log) {
      let text = "";
      try {
        text = await readFile(log, "utf8");
      } catch {
        // no log (yet): the job is not there
      }
      let last: string | undefined;
      for (const line of text.split("\n")) if (line.startsWith(`JobId=${id} `)) last = line;
      const state = last ? slurmJobState(/\bJobState=(\S+)/.exec(last)?.[1] ?? "") : undefined;
      if (state) return this.#status(id, state, undefined, "jobcomp");
    }
    return { id, state: "LOST", source: "none" };
  }
}

/**
 * The cluster's job-completion log when slurm.conf writes one as text (`JobCompType=jobcomp/filetxt`):
 * its `JobCompLoc`, from `scontrol show config`; undefined otherwise.
 */
export async function slurmJobCompLog(): Promise<string | undefined> {
  const out = await runCommand("scontrol", ["show", "config"], { backend: "slurm" });
  const type = /^JobCompType\s*=\s*(\S+)/m.exec(out.stdout)?.[1];
  const loc = /^JobCompLoc\s*=\s*(\S+)/m.exec(out.stdout)?.[1];
  return type === "jobcomp/filetxt" && loc ? loc : undefined;
}
