import type { Resources } from "../app.js";
import { gpuAffinityArgv, mpiexecArgv, type RankGpus } from "../backends/pbs.js";
import { InvalidFieldError } from "../errors.js";

/**
 * How a launcher inside a batch allocation starts tasks that span ranks or other nodes: `srun`
 * (Slurm: `srun --exact`, one job step per task) or `mpiexec` (PBS: Cray PALS on ALCF machines, or
 * Open MPI's). Serial tasks placed on the launcher's own node run directly.
 */
export interface MpiLaunch {
  launcher: "srun" | "mpiexec";
  /** `mpiexec` dialect (default "pals": `--ppn --depth --cpu-bind depth`; "openmpi": `--map-by ppr:P:node`). */
  flavour?: "pals" | "openmpi";
  /** `srun --mpi=<plugin>` (default: the cluster's `MpiDefault`; Open MPI programs need "pmix"). */
  srunMpi?: string;
}

/** Check an {@link MpiLaunch}; throws {@link InvalidFieldError} naming the field. */
export function checkMpiLaunch(m: MpiLaunch): MpiLaunch {
  if (m.launcher !== "srun" && m.launcher !== "mpiexec")
    throw new InvalidFieldError("mpi.launcher", '"srun" or "mpiexec"', JSON.stringify(m.launcher));
  if (m.flavour !== undefined && m.flavour !== "pals" && m.flavour !== "openmpi")
    throw new InvalidFieldError("mpi.flavour", '"pals" or "openmpi"', JSON.stringify(m.flavour));
  if (m.srunMpi !== undefined && !/^[\w.-]+$/.test(m.srunMpi))
    throw new InvalidFieldError("mpi.srunMpi", "a Slurm MPI plugin name (pmix, pmi2, none …)", m.srunMpi);
  return m;
}

/** A task's command line through the allocation's launcher, and the host file it needs (mpiexec). */
export interface RankedLaunch {
  argv: string[];
  /** Contents of the host file to write at `hostfilePath` first (mpiexec only). */
  hostfile?: string;
}

/**
 * The command line that runs `argv` as `nodes × ranksPerNode` ranks of `threadsPerRank` cores on the
 * named nodes: `srun --exact -N n -n R --ntasks-per-node P -c T -w nodes [--mpi X]
 * --kill-on-bad-exit=1 argv…`, or `mpiexec` with a host file listing the nodes (PALS: `-n R --ppn P
 * --depth T --cpu-bind depth`; Open MPI: `-n R --map-by ppr:P:node --bind-to none`, `slots=P` per
 * host). With `gpus`, a wrapper gives each rank the `CUDA_VISIBLE_DEVICES` of its host and local rank.
 */
export function rankedArgv(
  argv: readonly string[],
  r: Resources,
  nodeNames: readonly string[],
  m: MpiLaunch,
  hostfilePath: string,
  gpus?: RankGpus,
): RankedLaunch {
  const ranks = r.nodes * r.ranksPerNode;
  if (m.launcher === "srun") {
    return {
      argv: [
        "srun",
        "--exact",
        `--nodes=${r.nodes}`,
        `--ntasks=${ranks}`,
        `--ntasks-per-node=${r.ranksPerNode}`,
        `--cpus-per-task=${r.threadsPerRank}`,
        `--nodelist=${nodeNames.join(",")}`,
        ...(m.srunMpi ? [`--mpi=${m.srunMpi}`] : []),
        "--kill-on-bad-exit=1",
        ...gpuAffinityArgv(gpus),
        ...argv,
      ],
    };
  }
  if ((m.flavour ?? "pals") === "pals") {
    return {
      argv: mpiexecArgv(argv, {
        ranks,
        ranksPerNode: r.ranksPerNode,
        depth: r.threadsPerRank,
        gpus,
        hostfile: hostfilePath,
      }),
      hostfile: `${nodeNames.join("\n")}\n`,
    };
  }
  return {
    argv: [
      "mpiexec",
      "-n",
      String(ranks),
      "--map-by",
      `ppr:${r.ranksPerNode}:node`,
      "--bind-to",
      "none",
      "--hostfile",
      hostfilePath,
      ...gpuAffinityArgv(gpus),
      ...argv,
    ],
    hostfile: nodeNames.map((n) => `${n} slots=${r.ranksPerNode}\n`).join(""),
  };
}
