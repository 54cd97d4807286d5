import { JobSpecError } from "./errors.js";
import type { JobState } from "./job-states.js";
import type { JobStatus } from "./slurm.js";
import { type BatchJobSpec, checkJobSpec, shellQuote, wrapperLines } from "./slurm-script.js";

/** PBS Pro resources beyond the neutral spec (ALCF Polaris/Aurora conventions). */
export interface PbsOptions {
  /** `system=` in the select statement (e.g. "polaris"). */
  system?: string;
  /** `place=` (default "scatter": one chunk per node). */
  place?: string;
  /** `-l filesystems=` (e.g. "home:eagle"). */
  filesystems?: string;
}

/** PBS walltime `HH:MM:SS` for minutes (hours may exceed 24). */
export function pbsWalltime(minutes: number): string {
  const h = Math.floor(minutes / 60);
  return `${String(h).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}:00`;
}

/**
 * The qsub script of a job: `#PBS` lines (`-N`, `-l select=N[:system=…]`, `-l place=`, `-l
 * walltime=`, `-l filesystems=`, `-A`, `-q`, `-o` with `-j oe`), then the same exit-status wrapper
 * as the Slurm script, run from the job's working directory.
 */
export function renderPbsScript(spec: BatchJobSpec, pbs: PbsOptions = {}): string {
  checkJobSpec(spec);
  for (const field of ["system", "place", "filesystems"] as const) {
    const v = pbs[field];
    if (v !== undefined && !/^[A-Za-z0-9._:=-]{1,128}$/.test(v))
      throw new JobSpecError(field, "letters, digits and ._:=-", JSON.stringify(v));
  }
  const select = `${spec.nodes ?? 1}${pbs.system ? `:system=${pbs.system}` : ""}`;
  const lines = [
    "#!/bin/bash",
    `#PBS -N ${spec.name}`,
    `#PBS -l select=${select}`,
    `#PBS -l place=${pbs.place ?? "scatter"}`,
  ];
  if (spec.walltimeMinutes !== undefined) lines.push(`#PBS -l walltime=${pbsWalltime(spec.walltimeMinutes)}`);
  if (pbs.filesystems) lines.push(`#PBS -l filesystems=${pbs.filesystems}`);
  if (spec.account !== undefined) lines.push(`#PBS -A ${spec.account}`);
  if (spec.queue !== undefined) lines.push(`#PBS -q ${spec.queue}`);
  lines.push(`#PBS -o ${spec.output}`, "#PBS -j oe");
  lines.push(`cd ${shellQuote(spec.workdir)} || exit 1`);
  return [...lines, ...wrapperLines(spec)].join("\n");
}

/** The job id qsub prints (`123456.server.domain`); a typed error for anything else. */
export function parseQsubId(stdout: string): string {
  const id = stdout.trim();
  if (!/^\d+(\[\d*\])?(\.[A-Za-z0-9._-]+)?$/.test(id))
    throw new JobSpecError("qsub output", "a job id such as 123.server", JSON.stringify(stdout));
  return id;
}

/** PBS exit statuses with a meaning of their own (negative: PBS's JOB_EXEC_* codes). */
export const PBS_EXIT = {
  /** JOB_EXEC_KILL_NCPUS_SUM: the job used more CPUs than requested. */
  killNcpusSum: -25,
  /** JOB_EXEC_KILL_MEM: the job exceeded its memory. */
  killMem: -27,
  /** JOB_EXEC_KILL_WALLTIME: the job ran past its walltime. */
  killWalltime: -29,
} as const;

interface QstatJob {
  job_state?: string;
  Exit_status?: number;
  comment?: string;
  [key: string]: unknown;
}

/** The {@link JobState} of one job of `qstat -x -f -F json` (finished jobs are seen, not inferred from absence). */
export function pbsJobState(job: QstatJob): { state: JobState; reason?: string; exitCode?: number } {
  const s = job.job_state ?? "";
  const comment = typeof job.comment === "string" ? job.comment : undefined;
  switch (s) {
    case "Q":
    case "W":
    case "T":
      return { state: "PENDING", ...(comment ? { reason: comment } : {}) };
    case "H":
      return { state: "PENDING", reason: comment ?? "held" };
    case "M":
      return { state: "PENDING", reason: comment ?? "moved to another server" };
    case "R":
    case "B":
      return { state: "RUNNING" };
    case "S":
    case "U":
      return { state: "SUSPENDED" };
    case "E":
      return { state: "COMPLETING" };
    case "F":
    case "X": {
      const e = job.Exit_status;
      if (typeof e !== "number") return { state: "CANCELLED", reason: comment ?? "deleted before it ran" };
      const base = { exitCode: e, ...(comment ? { reason: comment } : {}) };
      if (e === 0) return { state: "COMPLETED", ...base };
      if (e === PBS_EXIT.killWalltime) return { state: "TIMEOUT", ...base };
      if (e === PBS_EXIT.killMem) return { state: "OUT_OF_MEMORY", ...base };
      // 256 + n: the job's shell was killed by signal n (qdel of a running job, or a site's own
      // limits): reported as FAILED with the signal, since the code alone does not say who sent it
      if (e > 256)
        return {
          state: "FAILED",
          exitCode: e,
          reason: `killed by signal ${e - 256}${comment ? `; ${comment}` : ""}`,
        };
      return { state: "FAILED", ...base };
    }
    default:
      return { state: "LOST", reason: `unknown PBS job_state ${JSON.stringify(s)}` };
  }
}

/**
 * Statuses of the jobs in the JSON of `qstat -x -f -F json [ids]` (`{ timestamp, pbs_version,
 * pbs_server, Jobs: { "<id>": { job_state, Exit_status, comment, … } } }`). Ids are matched by the
 * number before the server name, so `123` finds `123.polaris-pbs-01`.
 */
export function parseQstatJson(text: string, ids: readonly string[]): Map<string, JobStatus> {
  let doc: { Jobs?: Record<string, QstatJob> };
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new JobSpecError("qstat output", "the JSON of qstat -x -f -F json", (e as Error).message);
  }
  const byNumber = new Map<string, [string, QstatJob]>();
  for (const [id, job] of Object.entries(doc.Jobs ?? {})) byNumber.set(id.split(".")[0], [id, job]);
  const out = new Map<string, JobStatus>();
  for (const id of ids) {
    const hit = byNumber.get(id.split(".")[0]);
    if (!hit) {
      out.set(id, { id, state: "LOST", source: "none" });
      continue;
    }
    const { state, reason, exitCode } = pbsJobState(hit[1]);
    out.set(id, {
      id,
      state,
      ...(reason ? { reason } : {}),
      ...(exitCode !== undefined ? { exitCode } : {}),
      source: "qstat",
    });
  }
  return out;
}

/** The allocation's nodes from `$PBS_NODEFILE` (one line per node or per slot): unique, in order. */
export function pbsNodes(nodefileText: string): string[] {
  const seen = new Set<string>();
  for (const line of nodefileText.split("\n")) {
    const host = line.trim();
    if (host) seen.add(host);
  }
  return [...seen];
}

/** A multi-rank task's launch on PBS (Cray PALS `mpiexec`, ALCF conventions). */
export interface MpiexecOptions {
  /** Ranks in all. */
  ranks: number;
  /** Ranks per node. */
  ranksPerNode: number;
  /** Cores per rank (`--depth`), bound with `--cpu-bind depth`. */
  depth?: number;
  /** GPUs per node: each rank gets GPU (local rank mod gpusPerNode) through CUDA_VISIBLE_DEVICES. */
  gpusPerNode?: number;
  /** Host file (default $PBS_NODEFILE). */
  hostfile?: string;
  /** GPUs of each rank by host and local rank (instead of `gpusPerNode`'s 0 … n−1). */
  gpus?: RankGpus;
}

/**
 * The `mpiexec` command line of a task: `mpiexec -n R --ppn P --depth D --cpu-bind depth
 * [--hostfile F] [gpu wrapper] argv…`. With GPUs, a small `sh -c` wrapper sets
 * `CUDA_VISIBLE_DEVICES` from the rank's local id (`PALS_LOCAL_RANKID`, else `PMI_LOCAL_RANK`,
 * else `OMPI_COMM_WORLD_LOCAL_RANK`).
 */
export function mpiexecArgv(argv: readonly string[], o: MpiexecOptions): string[] {
  const positive = (field: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1))
      throw new JobSpecError(field, "an integer ≥ 1", String(v));
  };
  positive("ranks", o.ranks);
  positive("ranksPerNode", o.ranksPerNode);
  positive("depth", o.depth);
  positive("gpusPerNode", o.gpusPerNode);
  if (argv.length === 0) throw new JobSpecError("argv", "a command", "[]");
  const out = ["mpiexec", "-n", String(o.ranks), "--ppn", String(o.ranksPerNode)];
  out.push("--depth", String(o.depth ?? 1), "--cpu-bind", "depth");
  if (o.hostfile) out.push("--hostfile", o.hostfile);
  return [...out, ...gpuAffinityArgv(o.gpus ?? o.gpusPerNode), ...argv];
}

/** GPUs a rank sees: by host (short name; "*" for any) and local rank (mod the list's length). */
export type RankGpus = Record<string, string[]>;

/**
 * With GPUs, the `sh -c` wrapper that sets each rank's `CUDA_VISIBLE_DEVICES` from its host's short
 * name and its local rank (`PALS_LOCAL_RANKID`, `PMI_LOCAL_RANK`, `OMPI_COMM_WORLD_LOCAL_RANK` or
 * `SLURM_LOCALID`), then execs the command after it. `gpusPerNode` n means rank r gets GPU r mod n
 * on every host; nothing without GPUs.
 */
export function gpuAffinityArgv(gpus: number | RankGpus | undefined): string[] {
  if (!gpus) return [];
  const table: RankGpus =
    typeof gpus === "number" ? { "*": Array.from({ length: gpus }, (_, i) => String(i)) } : gpus;
  const arms: string[] = [];
  for (const [host, perRank] of Object.entries(table)) {
    if (!/^[\w.*-]+$/.test(host)) throw new JobSpecError("gpus", "host names", host);
    perRank.forEach((ids, r) => {
      if (!/^[\d,]+$/.test(ids)) throw new JobSpecError("gpus", "GPU ids like 0,1", ids);
      arms.push(`${host.split(".")[0]}/${r}) d=${ids};;`);
    });
  }
  const n = Object.values(table)[0].length;
  return [
    "sh",
    "-c",
    `r=\${PALS_LOCAL_RANKID:-\${PMI_LOCAL_RANK:-\${OMPI_COMM_WORLD_LOCAL_RANK:-\${SLURM_LOCALID:-0}}}}; h=$(hostname); case "\${h%%.*}/$((r % ${n}))" in ${arms.join(" ")} esac; CUDA_VISIBLE_DEVICES=$d exec "$@"`,
    "gpu-affinity",
  ];
}
