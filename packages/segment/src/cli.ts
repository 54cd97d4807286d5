import { Command } from "commander";
import { runFragmentsBlock } from "./block-fragments.js";
import { runGraphBlock } from "./block-graph.js";
import { runRelabelBlock } from "./block-relabel.js";
import { prepareFragments } from "./block-run.js";
import { examples, hooks } from "./cli-common.js";
import { evaluateCommand } from "./cli-evaluate.js";
import { initConfigCommand } from "./cli-init-config.js";
import { agglomerateWithModelCommand, trainAgglomerationCommand } from "./cli-learned.js";
import { runCommand } from "./cli-run.js";
import { stepCommand } from "./cli-steps.js";
import { prepareRelabel } from "./relabel-group.js";
import { agglomerateStep, fragmentsStep, relabelStep } from "./run-steps.js";

/** The run config format, for `tessera segment --help`. */
const CONFIG_HELP = `
Run config (--config run.json): JSON with // line comments; every field is also a command-line
option, which overrides the file. \`tessera segment init-config [--from boundaries.zarr]\` prints a
complete, commented example. Fields (relative paths are relative to the config file's folder):
  boundaries        input boundary map, zarr [z,y,x], high = membrane (else boundary.invert)
  fragments         output zarr          graph   output folder      segmentation   output zarr
  blockShape        [z, y, x] (default: from the input chunks)   context  voxels around blocks (24)
  thresholdIndex    which agglomerate.thresholds entry relabel writes (default 0)
  relabelThresholds "all" or a list of agglomerate.thresholds: relabel writes a zarr group at
                    segmentation with one array per threshold, named by it (e.g. "0.5")
  boundary          { maxValue, invert }
  fragmentsOptions  { method: seeded|affinity, seeds: distance|minima, mode: 2d|3d, threshold,
                      minSeedDistance, minSize, resolutionNm, low, high, mergeAffinity }
  agglomerate       { thresholds: ascending in [0,1], scoring: "mean" or a quantile, histogramBins }
  overwrite         replace existing outputs (default false: steps refuse to write over them)
  sortRunEdges      edges per sorted run of the out-of-core agglomeration (default 2^20)
Every invalid field is reported at once. Outputs are written to a hidden staging path and moved into
place when complete. Errors are one line on stderr; exit status 0 ok, 2 bad input, 3 internal error
(the root README has the table).
HDF5 inputs: convert first, e.g. \`tessera volume import p.h5 p.zarr --dataset stack\` (evaluate reads HDF5).`;

/**
 * The `segment` command: `run` (the whole segmentation in one process), its steps `fragments`,
 * `agglomerate`, `relabel` (each over all blocks, or `block --id N` for one task), the learned
 * agglomeration `train-agglomeration` and `agglomerate-with-model` (whole volumes), `evaluate` (VOI,
 * adapted Rand error, CREMI score) and `init-config`. Actions throw typed errors; `runCli` from
 * `@tessera/cli` prints them as one line and sets the exit status.
 */
export function segmentCommand(): Command {
  const segment = new Command("segment")
    .description(
      "watershed fragments, region-graph agglomeration, blockwise relabelling and CREMI evaluation",
    )
    .enablePositionalOptions()
    .addHelpText("after", CONFIG_HELP);
  examples(
    segment,
    "tessera segment run --boundaries boundaries.zarr --out run/ --gt groundtruth.zarr",
    "tessera segment init-config --from boundaries.zarr > run.json",
    "tessera segment fragments --config run.json && tessera segment agglomerate --config run.json",
  );
  segment.addCommand(runCommand());
  segment.addCommand(
    stepCommand({
      name: "fragments",
      description: "watershed fragments of the boundary map, with globally unique ids",
      blockDescription: "fragments of one block (block + context read, write block written)",
      whole: (run, log) => fragmentsStep(run, hooks(log)),
      block: runFragmentsBlock,
      prepareBlock: prepareFragments,
      readsBoundaries: true,
    }),
  );
  segment.addCommand(
    stepCommand({
      name: "agglomerate",
      description: "region graph of every block, then global agglomeration at all thresholds",
      blockDescription: "region graph of one block (its faces towards earlier blocks included)",
      whole: (run, log) => agglomerateStep(run, hooks(log)),
      block: runGraphBlock,
    }),
  );
  segment.addCommand(
    stepCommand({
      name: "relabel",
      description:
        "write the segmentation of one threshold (or, with --thresholds, of several into a zarr group) through the fragment → segment lookup",
      blockDescription: "relabel one block (every threshold asked for, in one pass)",
      whole: (run, log) => relabelStep(run, hooks(log)),
      block: runRelabelBlock,
      prepareBlock: prepareRelabel,
    }),
  );
  segment.addCommand(trainAgglomerationCommand());
  segment.addCommand(agglomerateWithModelCommand());
  segment.addCommand(evaluateCommand());
  segment.addCommand(initConfigCommand());
  return segment;
}
