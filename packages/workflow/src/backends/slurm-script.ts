import { JobSpecError } from "./errors.js";

/** What a batch job asks for and runs (scheduler-neutral; rendered by each backend). */
export interface BatchJobSpec {
  /** Job name (letters, digits, `._-`). */
  name: string;
  /** Shell command(s) the job runs (bash). */
  command: string;
  /** Nodes (default 1). */
  nodes?: number;
  /** Tasks (ranks) in all (default 1). */
  tasks?: number;
  /** CPUs per task (default 1). */
  cpusPerTask?: number;
  /** The whole node(s), all their cores (`--exclusive`). */
  exclusive?: boolean;
  /** Submit held (`--hold`): pending until released with `scontrol release`. */
  hold?: boolean;
  /** Walltime in minutes (default: the partition's limit). */
  walltimeMinutes?: number;
  /** Partition (Slurm) / queue (PBS). */
  queue?: string;
  /** Account / project to charge. */
  account?: string;
  /** Working directory of the job. */
  workdir: string;
  /** File for the job's stdout and stderr. */
  output: string;
  /** File the job's wrapper writes the command's exit status to (read back by the tracker). */
  exitFile: string;
  /** Extra environment for the command. */
  env?: Record<string, string>;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

function positiveInt(field: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= 1))
    throw new JobSpecError(field, "an integer ≥ 1", String(v));
}

/** Check a spec's fields (typed error naming the first bad one). */
export function checkJobSpec(spec: BatchJobSpec): void {
  if (!NAME.test(spec.name))
    throw new JobSpecError("name", "1–64 of [A-Za-z0-9._-]", JSON.stringify(spec.name));
  if (typeof spec.command !== "string" || spec.command.trim() === "")
    throw new JobSpecError("command", "a non-empty shell command", JSON.stringify(spec.command));
  for (const field of ["workdir", "output", "exitFile"] as const) {
    const v = spec[field];
    if (typeof v !== "string" || !v.startsWith("/") || /\s/.test(v))
      throw new JobSpecError(field, "an absolute path without whitespace", JSON.stringify(v));
  }
  for (const field of ["queue", "account"] as const) {
    const v = spec[field];
    if (v !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(v))
      throw new JobSpecError(field, "1–64 of [A-Za-z0-9._-]", JSON.stringify(v));
  }
  positiveInt("nodes", spec.nodes);
  positiveInt("tasks", spec.tasks);
  positiveInt("cpusPerTask", spec.cpusPerTask);
  positiveInt("walltimeMinutes", spec.walltimeMinutes);
  for (const [k, v] of Object.entries(spec.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new JobSpecError(`env.${k}`, "a shell variable name", k);
    if (typeof v !== "string") throw new JobSpecError(`env.${k}`, "a string", String(v));
  }
}

/** Single-quote a string for bash. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Slurm's walltime format for minutes: `D-HH:MM:00` or `HH:MM:00`. */
export function slurmWalltime(minutes: number): string {
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const hm = `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:00`;
  return d > 0 ? `${d}-${hm}` : hm;
}

/**
 * The sbatch script of a job: `#SBATCH` lines for the resources, then a wrapper that runs the
 * command and writes its exit status to `exitFile` (atomically: a temporary name, then `mv`), so
 * the tracker reads the real status rather than guessing from the scheduler's state.
 */
export function renderSlurmScript(spec: BatchJobSpec): string {
  checkJobSpec(spec);
  const lines = ["#!/bin/bash", `#SBATCH --job-name=${spec.name}`, `#SBATCH --output=${spec.output}`];
  lines.push(`#SBATCH --chdir=${spec.workdir}`);
  lines.push(`#SBATCH --nodes=${spec.nodes ?? 1}`, `#SBATCH --ntasks=${spec.tasks ?? 1}`);
  lines.push(`#SBATCH --cpus-per-task=${spec.cpusPerTask ?? 1}`);
  if (spec.exclusive) lines.push("#SBATCH --exclusive");
  if (spec.hold) lines.push("#SBATCH --hold");
  if (spec.walltimeMinutes !== undefined) lines.push(`#SBATCH --time=${slurmWalltime(spec.walltimeMinutes)}`);
  if (spec.queue !== undefined) lines.push(`#SBATCH --partition=${spec.queue}`);
  if (spec.account !== undefined) lines.push(`#SBATCH --account=${spec.account}`);
  return [...lines, ...wrapperLines(spec)].join("\n");
}

/**
 * The body shared by every backend's script: the environment, the command in a subshell, and its
 * exit status written to `exitFile` (temporary name, then `mv`) and returned.
 */
export function wrapperLines(spec: BatchJobSpec): string[] {
  const lines = ["# rendered by @tessera/workflow; the wrapper below records the command's exit status"];
  for (const [k, v] of Object.entries(spec.env ?? {})) lines.push(`export ${k}=${shellQuote(v)}`);
  const exit = shellQuote(spec.exitFile);
  lines.push(
    "(",
    spec.command,
    ")",
    "status=$?",
    `printf '%s\\n' "$status" > ${exit}.tmp && mv -f ${exit}.tmp ${exit}`,
    'exit "$status"',
    "",
  );
  return lines;
}
