import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { JobSpecError } from "./errors.js";
import { SlurmScheduler, type SubmittedJob, slurmJobCompLog } from "./slurm.js";
import { shellQuote } from "./slurm-script.js";

/** Options of {@link submitPilot}. */
export interface PilotOptions {
  /** The site folder (its task database is what the pilot works from). */
  site: string;
  /** Only "slurm" for now. */
  backend: "slurm";
  /** Nodes of the allocation (only 1 for now: the pilot runs the local launcher on its node). */
  nodes?: number;
  /** Walltime of the allocation, minutes. */
  walltimeMinutes: number;
  /** Stop claiming tasks this many seconds before the walltime ends (default: 10 % of it, 30 s … 10 min). */
  stopClaimingSeconds?: number;
  /** Partition. */
  queue?: string;
  /** Account / project. */
  project?: string;
  /** Cores the launcher packs tasks into (default: the allocation's, `SLURM_CPUS_ON_NODE`). */
  maxCpus?: number;
  /** Job name (default tessera-pilot). */
  name?: string;
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
 * Submit a pilot job: an allocation that runs the Tessera launcher on the site's READY tasks,
 * packing them into the allocation's cores, and stops claiming `stopClaimingSeconds` before its
 * walltime ends so that running tasks finish (a task cut by the walltime is taken over by the next
 * launcher when its lease expires). The job script (kept in `<site>/jobs/<id>.sbatch`), its output
 * and exit file are in `<site>/jobs/`.
 */
export async function submitPilot(options: PilotOptions): Promise<SubmittedPilot> {
  if (options.backend !== "slurm") {
    throw new JobSpecError("backend", '"slurm" (PBS is not implemented yet)', String(options.backend));
  }
  const nodes = options.nodes ?? 1;
  if (nodes !== 1) {
    throw new JobSpecError("nodes", "1 (multi-node pilots are not implemented yet)", String(nodes));
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
  const jobs = join(site, "jobs");
  const stamp = `${Date.now()}-${process.pid}`;
  // the allocation's cores, expanded by the job's shell
  const cpus = options.maxCpus === undefined ? `"$\{SLURM_CPUS_ON_NODE:-1}"` : String(options.maxCpus);
  const command = [
    shellQuote(process.execPath),
    shellQuote(workflowBin()),
    "launch --site",
    shellQuote(site),
    `--max-cpus ${cpus}`,
    `--claim-until "$(( $(date +%s) + ${w * 60 - stop} ))"`,
    "--no-progress",
  ].join(" ");
  const slurm = new SlurmScheduler({
    jobsDir: jobs,
    jobCompLog: await slurmJobCompLog().catch(() => undefined),
  });
  const job = await slurm.submit({
    name: options.name ?? "tessera-pilot",
    command,
    nodes,
    tasks: 1,
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
