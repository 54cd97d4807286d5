// A two-node pilot on the `multi` partition of tools/slurm/cluster.sh: two virtual nodes (a second
// and third slurmd on this machine), so allocations, node lists and job steps are Slurm's own.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freshSite, requireBin } from "../../test/helpers.js";
import { registerApp } from "../site.js";
import { addTasks, listTasks, taskAttempts } from "../tasks.js";
import type { AttemptRecord } from "../types.js";
import { waitForJobs } from "./job-tracker.js";
import { submitPilot } from "./pilot.js";
import { SlurmScheduler } from "./slurm.js";
import { requireSlurm, runSlurmTests } from "./slurm-test-kit.js";

/** Whether the `multi` partition of virtual nodes is up (it is in CI: tools/slurm/cluster.sh). */
function multiUp(): boolean {
  const r = spawnSync("sinfo", ["-h", "-p", "multi", "-o", "%D %T"], { encoding: "utf8" });
  const up = r.status === 0 && /^2 (idle|mixed|allocated)/m.test(r.stdout);
  if (!up && requireSlurm)
    throw new Error("partition multi (2 nodes) is not up: tools/slurm/cluster.sh start");
  return up;
}

describe.skipIf(!runSlurmTests())("a two-node pilot on Slurm", () => {
  it("places serial tasks on both nodes and 2-node tasks across them; every task once; never more than a node's cores on a node", {
    timeout: 300_000,
  }, async () => {
    requireBin();
    if (!multiUp()) return;
    const site = await freshSite();
    await registerApp(site, { name: "serial", argv: ["sh", "-c", 'sleep 0.4; echo "$SLURMD_NODENAME"'] });
    await registerApp(site, {
      name: "wide",
      argv: ["sh", "-c", 'sleep 0.4; echo "$SLURMD_NODENAME" > "rank-$SLURM_PROCID.txt"'],
      resources: { nodes: 2, ranksPerNode: 1 },
    });
    const kinds = Array.from({ length: 40 }, (_, n) => (n % 5 === 2 ? "wide" : "serial"));
    const ids = await addTasks(
      site,
      kinds.map((app) => ({ app })),
    );
    const job = await submitPilot({
      site: site.dir,
      backend: "slurm",
      nodes: 2,
      queue: "multi",
      walltimeMinutes: 4,
    });
    expect(readFileSync(job.script, "utf8")).toMatch(/#SBATCH --nodes=2/);
    const slurm = new SlurmScheduler({ jobsDir: join(site.dir, "jobs") });
    slurm.track(job.id, job.exitFile);
    const { statuses } = await waitForJobs(slurm, [job.id], {
      minIntervalMs: 500,
      maxIntervalMs: 2000,
      timeoutMs: 260_000,
    });
    expect(statuses.get(job.id), readFileSync(job.output, "utf8")).toMatchObject({
      state: "COMPLETED",
      exitCode: 0,
    });
    const tasks = await listTasks(site, {});
    expect(tasks.map((t) => t.state)).toEqual(new Array(40).fill("JOB_FINISHED"));
    const busy: Record<string, Array<[number, number]>> = { vnode1: [], vnode2: [] };
    const serialOn = new Set<string>();
    for (const [k, id] of ids.entries()) {
      const attempts = await taskAttempts(site, id);
      expect(attempts.length).toBe(1);
      const a: AttemptRecord = attempts[0];
      const dir = join(site.dir, "data", tasks.find((t) => t.id === id)!.workdir);
      if (kinds[k] === "wide") {
        expect(a.argv).toContain("--nodes=2");
        expect(a.argv).toContain("--nodelist=vnode1,vnode2");
        // one rank on each node, as Slurm itself reports
        expect(readFileSync(join(dir, "rank-0.txt"), "utf8")).toBe("vnode1\n");
        expect(readFileSync(join(dir, "rank-1.txt"), "utf8")).toBe("vnode2\n");
        for (const n of ["vnode1", "vnode2"]) busy[n].push([a.startedAt, a.endedAt as number]);
      } else {
        const node = readFileSync(join(dir, "stdout.log"), "utf8").trim();
        serialOn.add(node);
        // on the launcher's node (vnode1) directly; on the other through a one-task job step
        expect(a.argv[0]).toBe(node === "vnode1" ? "sh" : "srun");
        busy[node].push([a.startedAt, a.endedAt as number]);
      }
    }
    expect([...serialOn].sort()).toEqual(["vnode1", "vnode2"]);
    for (const [node, spans] of Object.entries(busy)) {
      const points = spans.flatMap(([s, e]) => [
        [s, 1],
        [e, -1],
      ]);
      points.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      let cur = 0;
      let peak = 0;
      for (const [, d] of points) peak = Math.max(peak, (cur += d));
      expect(peak, node).toBeLessThanOrEqual(2);
    }
  });
});
