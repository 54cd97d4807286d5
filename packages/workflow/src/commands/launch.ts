import { ExitCode, parse } from "@tessera/cli";
import { type Command, Option } from "commander";
import { launch } from "../launcher/launch.js";
import { FINAL_STATES, type TaskState } from "../states.js";
import { examples, siteOption, withSite } from "./common.js";
import { launchReport } from "./launch-report.js";

interface LaunchCliOptions {
  site?: string;
  maxCpus?: number;
  maxGpus?: number;
  leaseMs?: number;
  pollMs?: number;
  killGraceMs?: number;
  onStop: "finish" | "requeue";
  keepRunning?: boolean;
  claimUntil?: number;
  spawnHelper: "auto" | "python" | "perl" | "node" | false;
  progress: boolean;
  mpi?: "srun" | "mpiexec";
  mpiFlavour?: "pals" | "openmpi";
  srunMpi?: string;
}

/** A progress bar on stderr when it is a terminal (cli-progress, loaded only then). */
async function progressBar(enabled: boolean) {
  const cliProgress = enabled && process.stderr.isTTY ? (await import("cli-progress")).default : undefined;
  if (!cliProgress) return undefined;
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: "{bar} {value}/{total} final | {running} running" },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(counts: Record<TaskState, number>) {
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const final = FINAL_STATES.reduce((a, st) => a + counts[st], 0);
      const payload = { running: counts.RUNNING };
      if (!started) {
        bar.start(total, final, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(final, payload);
      }
    },
    stop: () => bar.stop(),
  };
}

/**
 * `launch`: run READY tasks here until none is left, then print a report. Exit status 1
 * (`ExitCode.workFailed`) when a task ended FAILED in this run, 130 when a signal stopped it before
 * the work was done (without `--keep-running`), else 0.
 */
export function registerLaunchCommand(program: Command): void {
  const command = program
    .command("launch")
    .description(
      "run READY tasks on this machine until none is left (SIGINT: stop gracefully); exit 1 if a task ended FAILED",
    )
    .addOption(siteOption())
    .addOption(new Option("--backend <name>", "backend").choices(["local"]).default("local"))
    .option("--max-cpus <n>", "cores to use (default: all)", parse.integer(1, 100_000, "4"))
    .option("--max-gpus <n>", "GPUs to use (default 0)", parse.integer(0, 10_000, "1"))
    .option("--lease-ms <ms>", "launcher lease (default 20000)", parse.integer(100, 86_400_000, "20000"))
    .option("--poll-ms <ms>", "poll interval when idle (default 100)", parse.integer(1, 3_600_000, "100"))
    .option(
      "--kill-grace-ms <ms>",
      "SIGTERM to SIGKILL delay (default 5000)",
      parse.integer(0, 3_600_000, "5000"),
    )
    .addOption(
      new Option("--on-stop <mode>", "on SIGINT/SIGTERM").choices(["finish", "requeue"]).default("finish"),
    )
    .option("--keep-running", "wait for new tasks instead of exiting when idle")
    .option(
      "--claim-until <epoch-seconds>",
      "claim no task after this time, finish the running ones and exit (a pilot's walltime)",
      parse.integer(0, 2 ** 40, "1767225600"),
    )
    .addOption(
      new Option(
        "--spawn-helper <kind>",
        "process that starts the tasks (auto: python3, else perl, else node, the first on the PATH that runs)",
      )
        .choices(["auto", "python", "perl", "node"])
        .default("auto"),
    )
    .option("--no-spawn-helper", "start tasks from threads of the launcher instead of a helper process")
    .addOption(
      new Option(
        "--mpi <launcher>",
        "inside an allocation: start multi-rank tasks and tasks on other nodes with srun (Slurm) or mpiexec (PBS); nodes from $SLURM_JOB_NODELIST or $PBS_NODEFILE",
      ).choices(["srun", "mpiexec"]),
    )
    .addOption(
      new Option(
        "--mpi-flavour <kind>",
        "mpiexec's dialect (default pals: Cray PALS on Polaris/Aurora)",
      ).choices(["pals", "openmpi"]),
    )
    .option(
      "--srun-mpi <plugin>",
      "srun --mpi=<plugin> for MPI tasks (pmix for Open MPI; default: the cluster's)",
    )
    .option("--no-progress", "no progress bar")
    .action(async (o: LaunchCliOptions, cmd: Command) =>
      withSite(o, async (s) => {
        const bar = await progressBar(o.progress);
        const summary = await launch({
          site: s,
          backend: "local",
          maxCpus: o.maxCpus,
          maxGpus: o.maxGpus,
          leaseMs: o.leaseMs,
          pollMs: o.pollMs,
          killGraceMs: o.killGraceMs,
          onStop: o.onStop,
          untilIdle: !o.keepRunning,
          ...(o.claimUntil === undefined ? {} : { claimUntil: o.claimUntil * 1000 }),
          spawnHelper: o.spawnHelper,
          ...(o.mpi ? { mpi: { launcher: o.mpi, flavour: o.mpiFlavour, srunMpi: o.srunMpi } } : {}),
          handleSignals: true,
          onProgress: bar?.update,
        });
        bar?.stop();
        let root = cmd;
        while (root.parent) root = root.parent;
        process.stdout.write(await launchReport(s, summary, root.name()));
        if (summary.failedIds.length > 0) process.exitCode = ExitCode.workFailed;
        else if (summary.reason === "stopped" && !o.keepRunning) process.exitCode = ExitCode.interrupted;
      }),
    );
  examples(
    command,
    "launch --site ./site --max-cpus 2",
    "launch --site ./site --max-cpus 8 --max-gpus 1 --keep-running   # until SIGINT/SIGTERM",
    "{program} launch --site ./site || {program} status --site ./site   # exit 1: some task FAILED",
  );
}
