import { parse } from "@tessera/cli";
import { logged, openRunLog } from "@tessera/volume/cli";
import { Command, Option } from "commander";
import { byteSize } from "./byte-size.js";
import { checkMeshOptions, type MeshCliOptions } from "./mesh-options.js";
import { runMesh } from "./mesh-run.js";
import { assertOutputFree } from "./staged-output.js";

/** Default of `--max-output`: 1 GiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 ** 3;

const EXAMPLES = `
Examples:
  $ tessera mesh --input seg.zarr --output meshes --format ply --simplify 40
  $ tessera mesh -i seg.zarr -o ng-meshes --format precomputed --lods 3 --sharded --block 64,256,256
  $ tessera mesh -i seg.zarr -o meshes --labels 12,40 --resolution 40,4,4 --overwrite

The input must be a zarr array of integer labels (0 = background). Convert an HDF5 dataset first:
  $ tessera volume import labels.h5 seg.zarr --dataset stack
Before meshing, the output size is estimated from the labels and their surface voxel faces; past
--max-output (default 1G) the command stops unless --force. An existing output is refused unless
--overwrite; the output appears only once it is complete.
`;

/**
 * The `mesh` command: `tessera mesh --input seg.zarr --output meshes/ --format ply|glb|obj|precomputed
 * [--simplify 40]`, with progress bars for meshing and writing. Refuses float input, an existing
 * output (without `--overwrite`) and an estimated output over `--max-output` (without `--force`).
 */
export function meshCommand(): Command {
  return new Command("mesh")
    .description("surface meshes of every label of a segmentation (multi-label marching cubes)")
    .requiredOption("-i, --input <zarr>", "label volume (zarr array, integer dtype)")
    .requiredOption("-o, --output <dir>", "output folder (must not exist unless --overwrite)")
    .addOption(
      new Option("-f, --format <format>", "output format")
        .choices(["ply", "glb", "obj", "precomputed", "precomputed-legacy"])
        .default("ply"),
    )
    .option(
      "-s, --simplify <nm>",
      "quadric simplification with this maximum error in nm",
      parse.number(0, 1_000_000, "40"),
    )
    .option(
      "--smooth <iterations>",
      "Taubin smoothing passes before simplification",
      parse.integer(0, 1000, "10"),
    )
    .option("--labels <ids>", "mesh only these label ids", parse.integers("12,40"))
    .option(
      "--block <z,y,x>",
      "mesh block by block with this block shape",
      parse.integers("64,256,256", { count: 3 }),
    )
    .option(
      "--resolution <z,y,x>",
      "voxel size in nm (default: the volume's resolution attribute)",
      parse.numbers("40,4,4", { count: 3, positive: true }),
    )
    .option("--lods <n>", "levels of detail for --format precomputed", parse.integer(1, 16, "3"), 3)
    .option(
      "--threads <n>",
      "worker threads for marching cubes and simplification (default: all cores)",
      parse.integer(1, 1024, "4"),
    )
    .option("--sharded", "precomputed: write neuroglancer_uint64_sharded_v1 shards (murmurhash3)")
    .addOption(
      new Option(
        "--max-output <size>",
        "refuse when the estimated output is larger (K, M, G, T: powers of 1024)",
      )
        .argParser(byteSize)
        .default(DEFAULT_MAX_OUTPUT_BYTES, "1G"),
    )
    .option("--force", "mesh even when the estimated output is over --max-output (skips the estimate)")
    .option("--overwrite", "replace an existing output (once the new one is complete)")
    .option("--log <file>", "structured log (JSON lines; default <output>.log)")
    .addHelpText("after", EXAMPLES)
    .action(async (opts: MeshCliOptions, command: Command) => {
      checkMeshOptions(opts, (name) => command.getOptionValueSource(name) === "cli");
      await assertOutputFree(opts.output, opts.overwrite === true);
      const log = openRunLog(opts.log ?? `${opts.output.replace(/\/+$/, "")}.log`, "tessera-mesh");
      const what = { command: "mesh", input: opts.input, output: opts.output, format: opts.format };
      const summary = await logged(log, { ...what, simplify: opts.simplify }, () => runMesh(opts));
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    });
}
