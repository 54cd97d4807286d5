import { join } from "node:path";
import { cpusOf, gpusOf, type Resources } from "../app.js";
import type { RankGpus } from "../backends/pbs.js";
import { type MpiLaunch, rankedArgv } from "./mpi-launch.js";
import type { Placement } from "./node-pool.js";
import type { AllocationNodes } from "./nodes.js";

/** What a task takes from the node pool: nodes, and cores and GPUs on each. */
export interface TaskShape {
  nodes: number;
  cpusPerNode: number;
  gpusPerNode: number;
}

/**
 * A task's shape. Without an MPI launcher everything runs on this machine: one "node" with all the
 * task's cores and GPUs. With one, `nodes` nodes of `ranksPerNode × threadsPerRank` cores each.
 */
export function taskShape(r: Resources, mpi: MpiLaunch | undefined): TaskShape {
  if (!mpi) return { nodes: 1, cpusPerNode: cpusOf(r), gpusPerNode: gpusOf(r) };
  return {
    nodes: r.nodes,
    cpusPerNode: r.ranksPerNode * r.threadsPerRank,
    gpusPerNode: r.ranksPerNode * r.gpusPerRank,
  };
}

/** How a placed task is started. */
export interface PlacedCommand {
  argv: string[];
  /** `CUDA_VISIBLE_DEVICES` of a task run directly. */
  cudaVisibleDevices?: string;
  /** A host file to write before starting (mpiexec). */
  hostfile?: { path: string; text: string };
}

/**
 * The command that runs a placed task: directly when it is one rank on the launcher's own node (or
 * there is no MPI launcher), else through `srun`/`mpiexec` on its nodes, each rank with its share
 * of the GPUs the task holds there.
 */
export function placedCommand(
  argv: string[],
  r: Resources,
  placement: Placement,
  alloc: AllocationNodes,
  mpi: MpiLaunch | undefined,
  workdir: string,
): PlacedCommand {
  const ranks = r.nodes * r.ranksPerNode;
  const direct = !mpi || (ranks === 1 && placement.nodes[0] === alloc.head);
  if (direct) {
    const ids = placement.gpuIds.flat();
    return { argv, ...(ids.length > 0 ? { cudaVisibleDevices: ids.join(",") } : {}) };
  }
  const names = placement.nodes.map((i) => alloc.names[i]);
  let gpus: RankGpus | undefined;
  if (r.gpusPerRank > 0) {
    gpus = {};
    placement.nodes.forEach((_, k) => {
      const held = placement.gpuIds[k];
      const perRank = Array.from({ length: r.ranksPerNode }, (_, rank) =>
        held.slice(rank * r.gpusPerRank, (rank + 1) * r.gpusPerRank).join(","),
      );
      (gpus as RankGpus)[names[k].split(".")[0]] = perRank;
    });
  }
  const path = join(workdir, "tessera-hosts.txt");
  const launch = rankedArgv(argv, r, names, mpi, path, gpus);
  return {
    argv: launch.argv,
    ...(launch.hostfile === undefined ? {} : { hostfile: { path, text: launch.hostfile } }),
  };
}
