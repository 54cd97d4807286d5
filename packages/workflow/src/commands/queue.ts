import { parse } from "@tessera/cli";
import { type Command, Option } from "commander";
import { submitPilot } from "../backends/pilot.js";
import { examples, siteOption, withSite } from "./common.js";

interface QueueSubmitOptions {
  site?: string;
  backend: "slurm";
  nodes: number;
  walltime: number;
  stopClaiming?: number;
  queue?: string;
  project?: string;
  maxCpus?: number;
}

/** `queue submit`: a pilot job that runs the launcher inside a batch allocation. */
export function registerQueueCommands(program: Command): void {
  const queue = examples(
    program.command("queue").description("pilot jobs on a batch scheduler (Slurm)"),
    "queue submit --site ./site --walltime 60 --queue debug",
  );
  const submit = queue
    .command("submit")
    .description(
      "submit a pilot job: the allocation runs the launcher on the site's READY tasks and stops claiming before its walltime ends",
    )
    .addOption(siteOption())
    .addOption(new Option("--backend <name>", "scheduler").choices(["slurm"]).default("slurm"))
    .option("--nodes <n>", "nodes (1 for now)", parse.integer(1, 100_000, "1"), 1)
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
    .option("--queue <partition>", "partition")
    .option("--project <account>", "account to charge")
    .option(
      "--max-cpus <n>",
      "cores to pack tasks into (default: the whole node, --exclusive)",
      parse.integer(1, 100_000, "8"),
    )
    .action(async (o: QueueSubmitOptions) => {
      const job = await withSite(o, (site) =>
        submitPilot({
          site: site.dir,
          backend: o.backend,
          nodes: o.nodes,
          walltimeMinutes: o.walltime,
          stopClaimingSeconds: o.stopClaiming,
          queue: o.queue,
          project: o.project,
          maxCpus: o.maxCpus,
        }),
      );
      process.stdout.write(
        `${JSON.stringify({ job: job.id, script: job.script, output: job.output, claimForSeconds: job.claimForSeconds })}\n`,
      );
    });
  examples(
    submit,
    "queue submit --site ./site --walltime 60 --queue debug",
    "queue submit --site ./site --walltime 30 --max-cpus 16 --project MyProject",
  );
}
