import { parse } from "@tessera/cli";
import { type Command, Option } from "commander";
import { runElasticQueue } from "../backends/elastic.js";
import { JobSpecError } from "../backends/errors.js";
import { type PilotOptions, submitPilot } from "../backends/pilot.js";
import { examples, siteOption, withSite } from "./common.js";

interface QueueSubmitOptions {
  site?: string;
  backend: "slurm" | "pbs";
  nodes: number;
  walltime: number;
  stopClaiming?: number;
  queue?: string;
  project?: string;
  maxCpus?: number;
  srunMpi?: string;
  mpiFlavour?: "pals" | "openmpi";
  system?: string;
  filesystems?: string;
  place?: string;
}

/** The option a user typed for each field of the pilot's spec (errors name what was typed). */
const FLAG_OF: Record<string, string> = {
  walltimeMinutes: "--walltime",
  stopClaimingSeconds: "--stop-claiming",
  nodes: "--nodes",
  maxCpus: "--max-cpus",
  cpusPerTask: "--max-cpus",
  queue: "--queue",
  account: "--project",
  srunMpi: "--srun-mpi",
  mpiFlavour: "--mpi-flavour",
  system: "--system",
  filesystems: "--filesystems",
  place: "--place",
  maxQueued: "--max-queued",
  tasksPerPilot: "--tasks-per-pilot",
  pollSeconds: "--poll",
};

/** The pilot options shared by `queue submit` and `queue elastic`. */
function pilotOptions(command: Command): Command {
  return command
    .addOption(new Option("--backend <name>", "scheduler").choices(["slurm", "pbs"]).default("slurm"))
    .option("--nodes <n>", "nodes of the allocation", parse.integer(1, 100_000, "2"), 1)
    .requiredOption(
      "--walltime <minutes>",
      "walltime of the allocation, minutes",
      parse.integer(1, 10_080, "30"),
    )
    .option(
      "--stop-claiming <seconds>",
      "stop claiming tasks this long before the walltime ends (default 10 % of it, 30 s … 10 min)",
      parse.integer(0, 604_800, "60"),
    )
    .option("--queue <name>", "partition (Slurm) or queue (PBS)")
    .option("--project <account>", "account / project to charge")
    .option(
      "--max-cpus <n>",
      "cores of each node to pack tasks into (default: the whole node)",
      parse.integer(1, 100_000, "8"),
    )
    .option("--srun-mpi <plugin>", "Slurm: srun --mpi=<plugin> for MPI tasks (pmix for Open MPI)")
    .addOption(
      new Option("--mpi-flavour <kind>", "PBS: mpiexec dialect (default pals, Cray PALS)").choices([
        "pals",
        "openmpi",
      ]),
    )
    .option("--system <name>", "PBS: select=N:system=<name> (e.g. polaris)")
    .option("--filesystems <list>", "PBS: -l filesystems=<list> (e.g. home:eagle)")
    .option("--place <how>", "PBS: -l place= (default scatter)");
}

function toPilotOptions(site: string, o: QueueSubmitOptions): Omit<PilotOptions, "scheduler"> {
  return {
    site,
    backend: o.backend,
    nodes: o.nodes,
    walltimeMinutes: o.walltime,
    stopClaimingSeconds: o.stopClaiming,
    queue: o.queue,
    project: o.project,
    maxCpus: o.maxCpus,
    srunMpi: o.srunMpi,
    mpiFlavour: o.mpiFlavour,
    pbs: { system: o.system, filesystems: o.filesystems, place: o.place },
  };
}

/** Errors of the pilot's spec name the option the user typed, not the API field. */
async function namingFlags<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof JobSpecError && FLAG_OF[error.field]) {
      throw new JobSpecError(FLAG_OF[error.field], error.expected, error.found);
    }
    throw error;
  }
}

/** `queue submit` (one pilot job) and `queue elastic` (pilots kept queued in step with the backlog). */
export function registerQueueCommands(program: Command): void {
  const queue = examples(
    program.command("queue").description("pilot jobs on a batch scheduler (Slurm, PBS Pro)"),
    "queue submit --site ./site --walltime 60 --queue debug",
  );
  const submit = queue
    .command("submit")
    .description(
      "submit a pilot job: the allocation runs the launcher on the site's READY tasks (multi-rank ones through srun or mpiexec) and stops claiming before its walltime ends",
    )
    .addOption(siteOption());
  pilotOptions(submit);
  submit.action(async (o: QueueSubmitOptions) => {
    const job = await withSite(o, (site) => namingFlags(submitPilot(toPilotOptions(site.dir, o))));
    process.stdout.write(
      `${JSON.stringify({ job: job.id, script: job.script, output: job.output, claimForSeconds: job.claimForSeconds })}\n`,
    );
  });
  examples(
    submit,
    "queue submit --site ./site --walltime 60 --queue debug",
    "queue submit --site ./site --nodes 4 --walltime 30 --srun-mpi pmix --project MyProject",
    "queue submit --site ./site --backend pbs --nodes 2 --walltime 60 --queue debug --project MyProject --system polaris --filesystems home:eagle",
  );
  const elastic = queue
    .command("elastic")
    .description(
      "keep pilot jobs queued in proportion to the site's READY backlog (at most --max-queued pending), cancel the ones no longer needed, and stop when no work is left; one JSON line per submission, cancellation and pilot end",
    )
    .addOption(siteOption());
  pilotOptions(elastic)
    .requiredOption(
      "--max-queued <k>",
      "at most this many pilots pending at once",
      parse.integer(1, 10_000, "2"),
    )
    .option(
      "--tasks-per-pilot <n>",
      "READY tasks one pilot is expected to take (default 100)",
      parse.integer(1, 10_000_000, "100"),
      100,
    )
    .option(
      "--poll <seconds>",
      "seconds between looks at the backlog and the queue (default 10)",
      parse.number(0.1, 3600, "10"),
      10,
    )
    .action(async (o: QueueSubmitOptions & { maxQueued: number; tasksPerPilot: number; poll: number }) => {
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        const summary = await withSite(o, (site) =>
          namingFlags(
            runElasticQueue({
              ...toPilotOptions(site.dir, o),
              maxQueued: o.maxQueued,
              tasksPerPilot: o.tasksPerPilot,
              pollSeconds: o.poll,
              signal: ac.signal,
              onEvent: (e) => process.stdout.write(`${JSON.stringify(e)}\n`),
            }),
          ),
        );
        process.stdout.write(`${JSON.stringify({ kind: "summary", ...summary })}\n`);
        if (summary.reason === "stopped") process.exitCode = 130;
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
    });
  examples(
    elastic,
    "queue elastic --site ./site --walltime 60 --max-queued 2 --tasks-per-pilot 500 --queue debug",
    "queue elastic --site ./site --backend pbs --nodes 8 --walltime 120 --max-queued 4 --project MyProject --system polaris",
  );
}
