import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { freshSite } from "../../test/helpers.js";
import { DEFAULT_RESOURCES, type Resources } from "../app.js";
import { launch } from "./launch.js";
import { rankedArgv } from "./mpi-launch.js";
import { NodePool } from "./node-pool.js";
import { placedCommand } from "./placement.js";

const res = (r: Partial<Resources>): Resources => ({ ...DEFAULT_RESOURCES, ...r });
const alloc = { names: ["n0", "n1", "n2"], head: 0, source: "SLURM_JOB_NODELIST" as const };
const here = hostname().split(".")[0];

/** Run a GPU wrapper (argv prefix) as local rank `rank` would, printing what it sets. */
function gpusSeen(wrapper: string[], env: Record<string, string>): string {
  const r = spawnSync(wrapper[0], [...wrapper.slice(1), "sh", "-c", 'printf %s "$CUDA_VISIBLE_DEVICES"'], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, ...env },
  });
  return r.stdout;
}

describe("placing tasks on the nodes of an allocation", () => {
  it("takes distinct nodes with room on each, the launcher's node first, and gives them back", () => {
    const pool = new NodePool(3, 4, 2, 1);
    expect(pool.take(1, 1, 0)).toEqual({ nodes: [1], gpuIds: [[]], cpusPerNode: 1, gpusPerNode: 0 });
    const wide = pool.take(3, 3, 1);
    expect(wide?.nodes).toEqual([1, 2, 0]);
    expect(wide?.gpuIds).toEqual([[0], [0], [0]]);
    // node 1 has 0 cores left; a 2-node task of 1 core takes nodes 2 and 0
    expect(pool.take(2, 1, 1)?.nodes).toEqual([2, 0]);
    expect(pool.take(1, 1, 0)).toBeUndefined();
    pool.give(wide!);
    expect(pool.take(1, 3, 0)?.nodes).toEqual([1]);
    expect(pool.fitsAtAll(4, 1, 0)).toBe(false);
    expect(pool.fitsAtAll(3, 4, 2)).toBe(true);
  });

  it("runs a serial task on the launcher's node directly, anything else through srun --exact on its nodes", () => {
    const serial = res({});
    const onHead = placedCommand(
      ["app", "x"],
      serial,
      { nodes: [0], gpuIds: [[1]], cpusPerNode: 1, gpusPerNode: 1 },
      alloc,
      { launcher: "srun" },
      "/w",
    );
    expect(onHead).toEqual({ argv: ["app", "x"], cudaVisibleDevices: "1" });
    const elsewhere = placedCommand(
      ["app"],
      serial,
      { nodes: [2], gpuIds: [[]], cpusPerNode: 1, gpusPerNode: 0 },
      alloc,
      { launcher: "srun" },
      "/w",
    );
    expect(elsewhere.argv).toEqual([
      "srun",
      "--exact",
      "--nodes=1",
      "--ntasks=1",
      "--ntasks-per-node=1",
      "--cpus-per-task=1",
      "--nodelist=n2",
      "--kill-on-bad-exit=1",
      "app",
    ]);
    const mpi = placedCommand(
      ["./solver", "--in", "a b"],
      res({ nodes: 2, ranksPerNode: 4, threadsPerRank: 3 }),
      { nodes: [0, 1], gpuIds: [[], []], cpusPerNode: 12, gpusPerNode: 0 },
      alloc,
      { launcher: "srun", srunMpi: "pmix" },
      "/w",
    );
    expect(mpi.argv).toEqual([
      "srun",
      "--exact",
      "--nodes=2",
      "--ntasks=8",
      "--ntasks-per-node=4",
      "--cpus-per-task=3",
      "--nodelist=n0,n1",
      "--mpi=pmix",
      "--kill-on-bad-exit=1",
      "./solver",
      "--in",
      "a b",
    ]);
    // without an MPI launcher everything runs here
    expect(
      placedCommand(
        ["app"],
        res({ ranksPerNode: 2 }),
        { nodes: [0], gpuIds: [[0, 1]], cpusPerNode: 2, gpusPerNode: 2 },
        alloc,
        undefined,
        "/w",
      ),
    ).toEqual({ argv: ["app"], cudaVisibleDevices: "0,1" });
  });

  it("writes mpiexec host files (PALS and Open MPI) and gives each rank the GPUs its task holds on its host", () => {
    const r = res({ nodes: 2, ranksPerNode: 2, threadsPerRank: 4, gpusPerRank: 1 });
    const names = { names: [here, "other"], head: 0, source: "PBS_NODEFILE" as const };
    const placement = {
      nodes: [0, 1],
      gpuIds: [
        [2, 3],
        [0, 1],
      ],
      cpusPerNode: 8,
      gpusPerNode: 2,
    };
    const pals = placedCommand(["./app"], r, placement, names, { launcher: "mpiexec" }, "/w");
    expect(pals.hostfile).toEqual({ path: "/w/tessera-hosts.txt", text: `${here}\nother\n` });
    expect(pals.argv.slice(0, 11)).toEqual([
      "mpiexec",
      "-n",
      "4",
      "--ppn",
      "2",
      "--depth",
      "4",
      "--cpu-bind",
      "depth",
      "--hostfile",
      "/w/tessera-hosts.txt",
    ]);
    expect(pals.argv.at(-1)).toBe("./app");
    const wrapper = pals.argv.slice(11, -1);
    // on this host (the first node) local ranks 0 and 1 get the GPUs the task holds here: 2 and 3
    expect(gpusSeen(wrapper, { PALS_LOCAL_RANKID: "0" })).toBe("2");
    expect(gpusSeen(wrapper, { PALS_LOCAL_RANKID: "1" })).toBe("3");
    expect(gpusSeen(wrapper, { SLURM_LOCALID: "1" })).toBe("3");
    const ompi = placedCommand(
      ["./app"],
      r,
      placement,
      names,
      { launcher: "mpiexec", flavour: "openmpi" },
      "/w",
    );
    expect(ompi.hostfile?.text).toBe(`${here} slots=2\nother slots=2\n`);
    expect(ompi.argv.slice(0, 9)).toEqual([
      "mpiexec",
      "-n",
      "4",
      "--map-by",
      "ppr:2:node",
      "--bind-to",
      "none",
      "--hostfile",
      "/w/tessera-hosts.txt",
    ]);
    expect(gpusSeen(ompi.argv.slice(9, -1), { OMPI_COMM_WORLD_LOCAL_RANK: "1" })).toBe("3");
    expect(() =>
      rankedArgv(["x"], r, ["bad host"], { launcher: "mpiexec" }, "/w/h", { "bad host": ["0", "1"] }),
    ).toThrow(/gpus/);
  });

  it("refuses srun outside a Slurm allocation, and several nodes without an MPI launcher", async () => {
    const site = await freshSite();
    const saved = process.env.SLURM_JOB_ID;
    delete process.env.SLURM_JOB_ID;
    try {
      await expect(launch({ site, mpi: { launcher: "srun" } })).rejects.toThrow(
        /srun only inside a Slurm allocation/,
      );
    } finally {
      if (saved !== undefined) process.env.SLURM_JOB_ID = saved;
    }
    await expect(launch({ site, nodes: ["a", "b"] })).rejects.toThrow(/an MPI launcher/);
    await expect(launch({ site, mpi: { launcher: "mpirun" as "srun" } })).rejects.toThrow(/mpi.launcher/);
  });
});
