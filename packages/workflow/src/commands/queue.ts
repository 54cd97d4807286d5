import { parse } from "@tessera/cli";
import { type Command, Option } from "commander";
import { JobSpecError } from "../backends/errors.js";
import { submitPilot } from "../backends/pilot.js";
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
};

/** `queue submit`: a pilot job that runs the launcher inside a batch allocation. */
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
    .addOption(siteOption())
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
    .option("--place <how>", "PBS: -l place= (default scatter)")
    .action(async (o: QueueSubmitOptions) => {
      const job = await withSite(o, async (site) => {
        try {
          return await submitPilot({
            site: site.dir,
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
          });
        } catch (error) {
          if (error instanceof JobSpecError && FLAG_OF[error.field]) {
            throw new JobSpecError(FLAG_OF[error.field], error.expected, error.found);
          }
          throw error;
        }
      });
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
}
