// Pilots with MPI tasks on the real Slurm of tools/slurm/cluster.sh: `srun --exact` job steps for
// multi-rank tasks, and the PBS code path (PBS_NODEFILE + Open MPI's mpiexec) inside an allocation.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freshSite, requireBin } from "../../test/helpers.js";
import { launch } from "../launcher/launch.js";
import type { Site } from "../site.js";
import { registerApp } from "../site.js";
import { addTasks, listTasks, taskAttempts } from "../tasks.js";
import type { AttemptRecord } from "../types.js";
import { waitForJobs } from "./job-tracker.js";
import { submitPilot, workflowBin } from "./pilot.js";
import { SlurmScheduler } from "./slurm.js";
import { shellQuote } from "./slurm-script.js";
import { requireSlurm, runSlurmTests } from "./slurm-test-kit.js";

const poll = { minIntervalMs: 500, maxIntervalMs: 2000 };
const PYTHON = "/usr/bin/python3";
/** An MPI hello world: every rank writes itself and the allreduce of all ranks (needs real MPI). */
const HELLO = [
  "from mpi4py import MPI",
  "c = MPI.COMM_WORLD",
  "s = c.allreduce(c.Get_rank())",
  'line = "rank %d of %d sum %d\\n" % (c.Get_rank(), c.Get_size(), s)',
  // one file per rank: mpiexec's forwarding of the ranks' stdout may split lines
  'open("rank-%d.txt" % c.Get_rank(), "w").write(line)',
].join("\n");

function mpi4pyPresent(): boolean {
  const ok = spawnSync(PYTHON, ["-c", "import mpi4py"]).status === 0;
  if (!ok && requireSlurm)
    throw new Error("python3-mpi4py is missing (apt-get install -y python3-mpi4py libpmix-dev)");
  return ok;
}

/** The most cores in use at once, from the attempts' start and end times and each task's cores. */
function peakCores(runs: Array<{ a: AttemptRecord; cores: number }>): number {
  const points = runs.flatMap(({ a, cores }) => [
    [a.startedAt, cores],
    [a.endedAt as number, -cores],
  ]);
  points.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let cur = 0;
  let max = 0;
  for (const [, d] of points) max = Math.max(max, (cur += d));
  return max;
}

/** Every rank of an MPI task wrote its line, all with the sum 0 + 1 + … of the ranks. */
function expectHello(site: Site, workdir: string, ranks: number) {
  const sum = (ranks * (ranks - 1)) / 2;
  for (let r = 0; r < ranks; r++) {
    const line = readFileSync(join(site.dir, "data", workdir, `rank-${r}.txt`), "utf8");
    expect(line, `${workdir} rank ${r}`).toBe(`rank ${r} of ${ranks} sum ${sum}\n`);
  }
}

describe.skipIf(!runSlurmTests())("pilots running MPI tasks on Slurm", () => {
  it("a pilot runs 100 tasks of mixed sizes, MPI ones as srun --exact steps; each done once, cores never oversubscribed", {
    timeout: 420_000,
  }, async () => {
    requireBin();
    if (!mpi4pyPresent()) return;
    const site = await freshSite();
    writeFileSync(join(site.dir, "hello.py"), HELLO);
    await registerApp(site, { name: "serial", argv: ["sh", "-c", "sleep 0.3; echo {n}"] });
    await registerApp(site, {
      name: "threaded",
      argv: ["sh", "-c", 'sleep 0.5; echo "threads $OMP_NUM_THREADS"'],
      resources: { threadsPerRank: 2 },
    });
    await registerApp(site, {
      name: "mpi",
      argv: [PYTHON, "{site}/hello.py"],
      resources: { ranksPerNode: 2 },
    });
    const kinds = Array.from({ length: 100 }, (_, n) =>
      n % 7 === 3 ? "mpi" : n % 4 === 1 ? "threaded" : "serial",
    );
    const ids = await addTasks(
      site,
      kinds.map((app, n) => ({ app, params: app === "serial" ? { n } : {} })),
    );
    const job = await submitPilot({ site: site.dir, backend: "slurm", walltimeMinutes: 6, srunMpi: "pmix" });
    const slurm = new SlurmScheduler({ jobsDir: join(site.dir, "jobs") });
    slurm.track(job.id, job.exitFile);
    const { statuses } = await waitForJobs(slurm, [job.id], { ...poll, timeoutMs: 380_000 });
    expect(statuses.get(job.id)).toMatchObject({ state: "COMPLETED", exitCode: 0 });
    const tasks = await listTasks(site, {});
    expect(tasks.map((t) => t.state)).toEqual(new Array(100).fill("JOB_FINISHED"));
    const runs: Array<{ a: AttemptRecord; cores: number }> = [];
    for (const [k, id] of ids.entries()) {
      const attempts = await taskAttempts(site, id);
      expect(attempts.length, `task ${id}`).toBe(1);
      const a = attempts[0];
      const task = tasks.find((t) => t.id === id)!;
      if (kinds[k] === "mpi") {
        expect(a.argv.slice(0, 2)).toEqual(["srun", "--exact"]);
        expect(a.argv).toContain("--ntasks=2");
        expect(a.argv).toContain("--mpi=pmix");
        expectHello(site, task.workdir, 2);
      } else {
        // serial tasks on the launcher's node run directly
        expect(a.argv[0]).toBe("sh");
        const out = readFileSync(join(site.dir, "data", task.workdir, "stdout.log"), "utf8");
        expect(out).toBe(kinds[k] === "threaded" ? "threads 2\n" : `${k}\n`);
      }
      runs.push({ a, cores: kinds[k] === "serial" ? 1 : 2 });
    }
    expect(peakCores(runs)).toBeLessThanOrEqual(2);
  });

  it("the PBS code path inside a Slurm allocation: nodes from $PBS_NODEFILE, MPI tasks through Open MPI's mpiexec", {
    timeout: 300_000,
  }, async () => {
    requireBin();
    if (!mpi4pyPresent()) return;
    const site = await freshSite();
    writeFileSync(join(site.dir, "hello.py"), HELLO);
    // Open MPI refuses to run as root (CI) without these
    const env = { OMPI_ALLOW_RUN_AS_ROOT: "1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: "1" };
    await registerApp(site, {
      name: "mpi",
      argv: [PYTHON, "{site}/hello.py"],
      resources: { ranksPerNode: 2 },
      env,
    });
    await registerApp(site, { name: "serial", argv: ["sh", "-c", "echo serial {n}"] });
    const ids = await addTasks(site, [
      ...Array.from({ length: 6 }, () => ({ app: "mpi" })),
      ...Array.from({ length: 6 }, (_, n) => ({ app: "serial", params: { n } })),
    ]);
    const jobs = join(site.dir, "jobs");
    // a PBS-like environment: the node file PBS would give, and no Slurm variables for mpiexec to find
    const command = [
      'scontrol show hostnames "$SLURM_JOB_NODELIST" > pbs_nodefile',
      'export PBS_NODEFILE="$PWD/pbs_nodefile"',
      "for v in $(env | grep -o '^SLURM_[A-Z_]*'); do unset \"$v\"; done",
      [
        shellQuote(process.execPath),
        shellQuote(workflowBin()),
        "launch --site",
        shellQuote(site.dir),
        "--max-cpus 2 --mpi mpiexec --mpi-flavour openmpi --no-progress",
      ].join(" "),
    ].join("\n");
    const slurm = new SlurmScheduler({ jobsDir: jobs });
    const job = await slurm.submit({
      name: "pbs-path",
      command,
      exclusive: true,
      walltimeMinutes: 4,
      workdir: site.dir,
      output: join(jobs, "pbs-path.out"),
      exitFile: join(jobs, "pbs-path.exit"),
    });
    const { statuses } = await waitForJobs(slurm, [job.id], { ...poll, timeoutMs: 260_000 });
    expect(statuses.get(job.id), readFileSync(join(jobs, "pbs-path.out"), "utf8")).toMatchObject({
      state: "COMPLETED",
      exitCode: 0,
    });
    const nodes = readFileSync(join(site.dir, "pbs_nodefile"), "utf8").trim();
    const tasks = await listTasks(site, {});
    expect(tasks.map((t) => t.state)).toEqual(new Array(12).fill("JOB_FINISHED"));
    for (const [k, id] of ids.entries()) {
      const [a] = await taskAttempts(site, id);
      const task = tasks.find((t) => t.id === id)!;
      if (k < 6) {
        expect(a.argv.slice(0, 5)).toEqual(["mpiexec", "-n", "2", "--map-by", "ppr:2:node"]);
        const hosts = readFileSync(join(site.dir, "data", task.workdir, "tessera-hosts.txt"), "utf8");
        expect(hosts).toBe(`${nodes} slots=2\n`);
        expectHello(site, task.workdir, 2);
      } else {
        expect(a.argv[0]).toBe("sh");
      }
    }
  });

  it("the same DAG gives the same outputs through a pilot as through the local launcher", {
    timeout: 300_000,
  }, async () => {
    requireBin();
    const build = async () => {
      const site = await freshSite();
      await registerApp(site, { name: "gen", argv: ["sh", "-c", "echo {k} > value"] });
      await registerApp(site, {
        name: "square",
        argv: ["sh", "-c", 'v=$(cat "$0"); echo $((v * v)) > value', "{site}/data/gen-{k}/value"],
      });
      await registerApp(site, {
        name: "total",
        argv: [
          "sh",
          "-c",
          'cat "$@" | awk "{s += \\$1} END {print s}" > value',
          "total",
          ...Array.from({ length: 10 }, (_, i) => `{site}/data/square-${i + 1}/value`),
        ],
      });
      const specs = [];
      for (let k = 1; k <= 10; k++) {
        specs.push({ app: "gen", key: `g${k}`, params: { k }, workdir: `gen-${k}` });
        specs.push({
          app: "square",
          key: `s${k}`,
          params: { k },
          parents: [`g${k}`],
          workdir: `square-${k}`,
        });
      }
      specs.push({
        app: "total",
        parents: Array.from({ length: 10 }, (_, i) => `s${i + 1}`),
        workdir: "total",
      });
      await addTasks(site, specs);
      return site;
    };
    const local = await build();
    await launch({ site: local, maxCpus: 2, pollMs: 20 });
    const piloted = await build();
    const job = await submitPilot({ site: piloted.dir, backend: "slurm", walltimeMinutes: 4 });
    const slurm = new SlurmScheduler({ jobsDir: join(piloted.dir, "jobs") });
    slurm.track(job.id, job.exitFile);
    const { statuses } = await waitForJobs(slurm, [job.id], { ...poll, timeoutMs: 260_000 });
    expect(statuses.get(job.id)).toMatchObject({ state: "COMPLETED", exitCode: 0 });
    const read = (site: Site, dir: string) => readFileSync(join(site.dir, "data", dir, "value"), "utf8");
    // 1² + … + 10² = 385
    expect(read(local, "total")).toBe("385\n");
    for (const dir of ["total", ...Array.from({ length: 10 }, (_, i) => `square-${i + 1}`)]) {
      expect(read(piloted, dir), dir).toBe(read(local, dir));
    }
  });
});
