import { join, resolve } from "node:path";
import { alignCommand } from "@tessera/align/cli";
import { ExitCode, parse } from "@tessera/cli";
import { haloCommand } from "@tessera/halo/cli";
import { membraneCommand } from "@tessera/membrane/cli";
import { meshCommand, serveCommand } from "@tessera/mesh/cli";
import { segmentCommand } from "@tessera/segment/cli";
import { validateCommand } from "@tessera/validate/cli";
import { startProgressBar } from "@tessera/volume";
import { openRunLog, volumeCommand } from "@tessera/volume/cli";
import { registerWorkflowCommands } from "@tessera/workflow";
import { Command } from "commander";
import { formatDemoSummary, runDemo } from "./demo.js";

const shapeOption = parse.integers("64,256,256", { count: 3, min: 2 }) as (
  value: string,
) => [number, number, number];

/** The `tessera` command line program with every stage's commands mounted. */
export function createProgram(): Command {
  const program = new Command("tessera")
    .description("Composable, blockwise pipeline stages for connectomics and cosmology")
    .version("0.1.0")
    .addHelpText(
      "after",
      `
Examples:
  $ tessera demo                                   end-to-end demo on a phantom (also: npm start)
  $ tessera volume import stack/ em.zarr --resolution 40,4,4
  $ tessera align -i sections/ -o aligned.zarr --mode elastic --resolution 40,4,4
  $ tessera membrane predict -i aligned.zarr -o boundaries.zarr -m my-model
  $ tessera segment init-config --from boundaries.zarr > run.json
  $ tessera mesh --help
  $ tessera site init my-site && tessera status --site my-site

Exit status: 0 ok, 1 some work failed, 2 bad input, 3 internal error, 130 interrupted.
Set TESSERA_DEBUG=1 to print stack traces.`,
    );

  program
    .command("demo")
    .description(
      "end-to-end demo: phantom EM volume → zarr → verify → membrane U-Net → segment → score → meshes",
    )
    .option("--out <dir>", "output folder", "tessera-demo")
    .option("--shape <z,y,x>", "phantom shape", shapeOption)
    .option("--seed <n>", "phantom seed", parse.integer(0, 2 ** 31 - 1, "7"), 1)
    .addHelpText(
      "after",
      `
Examples:
  $ tessera demo
  $ tessera demo --out /tmp/demo --shape 32,128,128 --seed 7`,
    )
    .action(async (opts: { out: string; shape?: [number, number, number]; seed: number }) => {
      const outDir = resolve(opts.out);
      const logFile = join(outDir, "demo.log");
      const logger = openRunLog(logFile, "tessera-demo");
      const bar = startProgressBar("write", "blocks");
      try {
        const summary = await runDemo({
          outDir,
          shape: opts.shape,
          seed: opts.seed,
          logger,
          onProgress: bar.update,
        });
        bar.stop();
        process.stdout.write(formatDemoSummary(summary, logFile));
        if (!summary.arrays.every((a) => a.verified)) process.exitCode = ExitCode.workFailed;
      } finally {
        bar.stop();
      }
    });

  program.addCommand(volumeCommand());
  program.addCommand(alignCommand());
  program.addCommand(membraneCommand());
  program.addCommand(haloCommand());
  program.addCommand(validateCommand());
  program.addCommand(segmentCommand());
  program.addCommand(meshCommand());
  program.addCommand(serveCommand());
  registerWorkflowCommands(program);
  return program;
}
