import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidFieldError } from "../errors.js";
import { checkMpiLaunch } from "../launcher/mpi-launch.js";
import { openSite } from "../site.js";
import { FINAL_STATES, type TaskState } from "../states.js";
import { JobSpecError } from "./errors.js";
import type { PbsOptions } from "./pbs.js";
import { PbsScheduler } from "./pbs-scheduler.js";
import { SlurmScheduler, type SubmittedJob, slurmJobCompLog } from "./slurm.js";
import { type BatchJobSpec, shellQuote } from "./slurm-script.js";

/** Options of {@link submitPilot}. */
export interface PilotOptions {
  /** The site folder (its task database is what the pilot works from). */
  site: string;
  /** The site's scheduler. */
  backend: "slurm" | "pbs";
  /**
   * Nodes of the allocation (default 1). The launcher runs on the first; tasks of several ranks, and
   * tasks placed on the other nodes, start with `srun --exact`.
   */
  nodes?: number;
  /** `srun --mpi=<plugin>` for multi-rank tasks (Open MPI programs need "pmix"; default: the cluster's). */
  srunMpi?: string;
  /** Walltime of the allocation, minutes. */
  walltimeMinutes: number;
  /** Stop claiming tasks this many seconds before the walltime ends (default: 10 % of it, 30 s … 10 min). */
  stopClaimingSeconds?: number;
  /** Partition. */
  queue?: string;
  /** Account / project. */
  project?: string;
  /** Cores of each node the launcher packs tasks into (default: the allocation's, `SLURM_CPUS_ON_NODE`). */
  maxCpus?: number;
  /** Job name (default tessera-pilot). */
  name?: string;
  /** PBS only: `system=`, `place=`, `filesystems=` of the job (ALCF conventions). */
  pbs?: PbsOptions;
  /** PBS only: the `mpiexec` dialect of multi-rank tasks (default "pals", Cray PALS). */
  mpiFlavour?: "pals" | "openmpi";
  /** The scheduler to submit through (default: a new SlurmScheduler or PbsScheduler on `<site>/jobs`). */
  scheduler?: { submit(spec: BatchJobSpec): Promise<SubmittedJob> };
}

/** A submitted pilot: the job and when, relative to its start, it stops claiming. */
export interface SubmittedPilot extends SubmittedJob {
  claimForSeconds: number;
}

/** The committed `tessera-workflow` launcher of this package (bin/tessera-workflow.js). */
export function workflowBin(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "@tessera/workflow") {
      return join(dir, "bin", "tessera-workflow.js");
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("@tessera/workflow's package.json not found above its code");
    dir = up;
  }
}

/**
 * Refuse a pilot in which no waiting task could finish: every app with work left has a walltime,
 * and the shortest of them is longer than the pilot's. (Apps without a walltime are not judged.)
 */
async function checkTasksFit(siteDir: string, walltimeMinutes: number): Promise<void> {
  const site = await openSite(siteDir);
  try {
    let shortest: { app: string; ms: number } | undefined;
    for (const app of site.apps.values()) {
      const counts = await site.store.countTasks({ app: app.name });
      const waiting = Object.entries(counts).some(
        ([st, n]) => n > 0 && !FINAL_STATES.includes(st as TaskState),
      );
      if (!waiting) continue;
      if (app.walltimeMs === undefined) return;
      if (!shortest || app.walltimeMs < shortest.ms) shortest = { app: app.name, ms: app.walltimeMs };
    }
    if (shortest && shortest.ms > walltimeMinutes * 60_000) {
      throw new JobSpecError(
        "walltimeMinutes",
        `at least ${Math.ceil(shortest.ms / 60_000)} (the shortest waiting task, app "${shortest.app}", has a walltime of ${shortest.ms / 1000} s; none could finish)`,
        String(walltimeMinutes),
      );
    }
  } finally {
    await site.store.close();
  }
}

/**
 * Submit a pilot job: an allocation that runs the Tessera launcher on the site's READY tasks,
 * packing them into the allocation's cores, and stops claiming `stopClaimingSeconds` before its
 * walltime ends so that running tasks finish (a task cut by the walltime is taken over by the next
 * launcher when its lease expires). The job script (kept in `<site>/jobs/<id>.sbatch`), its output
 * and exit file are in `<site>/jobs/`.
 */
export async function submitPilot(options: PilotOptions): Promise<SubmittedPilot> {
  const backend = options.backend;
  if (backend !== "slurm" && backend !== "pbs") {
    throw new JobSpecError("backend", '"slurm" or "pbs"', String(backend));
  }
  const nodes = options.nodes ?? 1;
  if (!(Number.isInteger(nodes) && nodes >= 1))
    throw new JobSpecError("nodes", "an integer ≥ 1", String(nodes));
  try {
    // the launch the pilot's launcher will be asked for, checked the same way here
    checkMpiLaunch({
      launcher: backend === "slurm" ? "srun" : "mpiexec",
      flavour: options.mpiFlavour,
      srunMpi: options.srunMpi,
    });
  } catch (error) {
    if (!(error instanceof InvalidFieldError)) throw error;
    const field = { "mpi.flavour": "mpiFlavour", "mpi.srunMpi": "srunMpi" }[error.field] ?? error.field;
    throw new JobSpecError(field, error.expected, error.found);
  }
  const w = options.walltimeMinutes;
  if (!(Number.isInteger(w) && w >= 1))
    throw new JobSpecError("walltimeMinutes", "an integer ≥ 1", String(w));
  const stop = options.stopClaimingSeconds ?? Math.min(600, Math.max(30, Math.round(w * 6)));
  if (!(Number.isInteger(stop) && stop >= 0 && stop < w * 60)) {
    throw new JobSpecError(
      "stopClaimingSeconds",
      `an integer in [0, ${w * 60}) (below the walltime)`,
      String(stop),
    );
  }
  const site = resolve(options.site);
  await checkTasksFit(site, w);
  const jobs = join(site, "jobs");
  const stamp = `${Date.now()}-${process.pid}`;
  // the cores of each node, expanded by the job's shell
  const cpus =
    options.maxCpus !== undefined
      ? String(options.maxCpus)
      : backend === "slurm"
        ? `"$\{SLURM_CPUS_ON_NODE:-1}"`
        : `"$\{NCPUS:-$(nproc)}"`;
  const mpi =
    backend === "slurm"
      ? ["--mpi srun", ...(options.srunMpi ? [`--srun-mpi ${options.srunMpi}`] : [])]
      : ["--mpi mpiexec", `--mpi-flavour ${options.mpiFlavour ?? "pals"}`];
  const command = [
    shellQuote(process.execPath),
    shellQuote(workflowBin()),
    "launch --site",
    shellQuote(site),
    `--max-cpus ${cpus}`,
    ...mpi,
    `--claim-until "$(( $(date +%s) + ${w * 60 - stop} ))"`,
    "--no-progress",
  ].join(" ");
  const scheduler =
    options.scheduler ??
    (backend === "slurm"
      ? new SlurmScheduler({ jobsDir: jobs, jobCompLog: await slurmJobCompLog().catch(() => undefined) })
      : new PbsScheduler({ jobsDir: jobs, pbs: options.pbs }));
  const job = await scheduler.submit({
    name: options.name ?? "tessera-pilot",
    command,
    nodes,
    // one task per node: with fewer, Slurm shrinks the allocation to that many nodes
    tasks: nodes,
    cpusPerTask: options.maxCpus,
    exclusive: options.maxCpus === undefined,
    walltimeMinutes: w,
    queue: options.queue,
    account: options.project,
    workdir: site,
    output: join(jobs, `pilot-${stamp}.out`),
    exitFile: join(jobs, `pilot-${stamp}.exit`),
  });
  return { ...job, claimForSeconds: w * 60 - stop };
}
