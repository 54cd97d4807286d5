import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SchedulerCommandError } from "./errors.js";
import { readExitFile } from "./exit-file.js";
import { type PbsOptions, parseQstatJson, parseQsubId, renderPbsScript } from "./pbs.js";
import { runCommand } from "./run-command.js";
import type { JobStatus, SubmittedJob } from "./slurm.js";
import type { BatchJobSpec } from "./slurm-script.js";

/** Options of {@link PbsScheduler}. */
export interface PbsSchedulerOptions {
  /** Where job scripts are kept (provenance). */
  jobsDir: string;
  /** PBS resources of every job it submits (system, place, filesystems). */
  pbs?: PbsOptions;
  /** Seconds each scheduler command may take (default 30). */
  commandTimeoutSeconds?: number;
  /** The client commands (default: qsub, qstat, qdel on PATH). */
  commands?: Partial<Record<"qsub" | "qstat" | "qdel", string>>;
}

/** Calls made to the PBS server, by command. */
export type PbsCommandCounts = Record<"qsub" | "qstat" | "qdel", number>;

/**
 * PBS Pro through its commands: `qsub` (the rendered script kept), `qdel`, and **batched** status:
 * one `qstat -x -f -F json` call for every tracked job. `-x` lists finished jobs too, so a job's end
 * is seen (state F with its `Exit_status`), never inferred from its absence; a job the server does
 * not know is LOST. Exit statuses come from the file the job's wrapper writes when it wrote one.
 */
export class PbsScheduler {
  readonly counts: PbsCommandCounts = { qsub: 0, qstat: 0, qdel: 0 };
  readonly #opts: PbsSchedulerOptions & { commandTimeoutSeconds: number };
  readonly #exitFiles = new Map<string, string>();

  constructor(options: PbsSchedulerOptions) {
    this.#opts = { commandTimeoutSeconds: 30, ...options };
  }

  #run(command: keyof PbsCommandCounts, args: string[], allowFailure = false) {
    this.counts[command]++;
    return runCommand(this.#opts.commands?.[command] ?? command, args, {
      backend: "pbs",
      timeoutMs: this.#opts.commandTimeoutSeconds * 1000,
      allowFailure,
    });
  }

  /** Render, keep and submit a job; resolves with its id. qsub's refusal is a SchedulerCommandError with its stderr. */
  async submit(spec: BatchJobSpec): Promise<SubmittedJob> {
    const script = renderPbsScript(spec, this.#opts.pbs);
    await mkdir(this.#opts.jobsDir, { recursive: true });
    const pending = join(this.#opts.jobsDir, `${spec.name}.${process.pid}.${Date.now()}.pbs`);
    await writeFile(pending, script, { flag: "wx" });
    const out = await this.#run("qsub", [pending]);
    const id = parseQsubId(out.stdout);
    const kept = join(this.#opts.jobsDir, `${id}.pbs`);
    await rename(pending, kept);
    this.#exitFiles.set(id, spec.exitFile);
    return { id, script: kept, exitFile: spec.exitFile, output: spec.output };
  }

  /** Delete jobs (`qdel -x` also purges finished ones from the history; not used). */
  async cancel(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.#run("qdel", [...ids]);
  }

  /** Remember the exit file of a job submitted elsewhere. */
  track(id: string, exitFile?: string): void {
    if (exitFile) this.#exitFiles.set(id, exitFile);
  }

  /** The status of each job: one `qstat -x -f -F json <ids>` call. */
  async poll(ids: readonly string[]): Promise<Map<string, JobStatus>> {
    if (ids.length === 0) return new Map();
    // unknown ids make qstat exit non-zero while still printing the jobs it knows
    const args = ["-x", "-f", "-F", "json", ...ids];
    const q = await this.#run("qstat", args, true);
    const unknownOnly = q.stderr
      .split("\n")
      .filter((l) => l.trim() !== "")
      .every((l) => /Unknown Job Id/i.test(l));
    if (q.status !== 0 && q.stdout.trim() === "" && !unknownOnly) {
      // the server did not answer: nothing is known, nothing is LOST
      throw new SchedulerCommandError("qstat", args, q.status, q.stderr);
    }
    const result = parseQstatJson(q.stdout.trim() === "" ? "{}" : q.stdout, ids);
    for (const status of result.values()) await readExitFile(status, this.#exitFiles.get(status.id));
    return result;
  }
}
