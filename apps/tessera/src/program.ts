import { join, resolve } from "node:path";
import { meshCommand, serveCommand } from "@tessera/mesh/cli";
import { segmentCommand } from "@tessera/segment/cli";
import { startProgressBar } from "@tessera/volume";
import { openRunLog, volumeCommand } from "@tessera/volume/cli";
import { registerWorkflowCommands } from "@tessera/workflow";
import { Command, InvalidArgumentError } from "commander";
import { formatDemoSummary, runDemo } from "./demo.js";

function shapeOption(value: string): [number, number, number] {
  const numbers = value.split(",").map(Number);
  if (numbers.length !== 3 || numbers.some((n) => !Number.isInteger(n) || n < 2)) {
    throw new InvalidArgumentError(`expected three integers ≥ 2 like 64,256,256, got "${value}"`);
  }
  return numbers as [number, number, number];
}

/** The `tessera` command line program with every stage's commands mounted. */
export function createProgram(): Command {
  const program = new Command("tessera")
    .description("Composable, blockwise pipeline stages for connectomics and cosmology")
    .version("0.1.0");

  program
    .command("demo")
    .description("end-to-end demo: phantom EM volume → zarr → verify → segment → score against ground truth")
    .option("--out <dir>", "output folder", "tessera-demo")
    .option("--shape <z,y,x>", "phantom shape", shapeOption)
    .option("--seed <n>", "phantom seed", (v) => Number.parseInt(v, 10), 1)
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
        if (!summary.arrays.every((a) => a.verified)) process.exitCode = 1;
      } finally {
        bar.stop();
      }
    });

  program.addCommand(volumeCommand());
  program.addCommand(segmentCommand());
  program.addCommand(meshCommand());
  program.addCommand(serveCommand());
  registerWorkflowCommands(program);
  return program;
}
