// Pilot jobs on the real Slurm of tools/slurm/cluster.sh: the launcher inside an allocation.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freshSite, requireBin } from "../../test/helpers.js";
import { registerApp } from "../site.js";
import { addTasks, listTasks, taskAttempts } from "../tasks.js";
import { waitForJobs } from "./job-tracker.js";
import { submitPilot } from "./pilot.js";
import { SlurmScheduler } from "./slurm.js";
import { runSlurmTests } from "./slurm-test-kit.js";

const poll = { minIntervalMs: 500, maxIntervalMs: 2000 };

describe.skipIf(!runSlurmTests())("pilot jobs on Slurm", () => {
  it("one pilot packs 8 tasks into its allocation; every task done once", {
    timeout: 180_000,
  }, async () => {
    requireBin(); // the pilot runs the built launcher
    const site = await freshSite();
    await registerApp(site, {
      name: "work",
      argv: ["sh", "-c", 'sleep 0.5; echo "$0 on $(hostname)"', "{n}"],
    });
    await addTasks(
      site,
      Array.from({ length: 8 }, (_, n) => ({ app: "work", params: { n: `t${n}` } })),
    );
    const job = await submitPilot({ site: site.dir, backend: "slurm", walltimeMinutes: 5 });
    expect(job.claimForSeconds).toBe(300 - 30);
    const slurm = new SlurmScheduler({ jobsDir: join(site.dir, "jobs") });
    slurm.track(job.id, job.exitFile);
    const { statuses } = await waitForJobs(slurm, [job.id], { ...poll, timeoutMs: 150_000 });
    expect(statuses.get(job.id)).toMatchObject({ state: "COMPLETED", exitCode: 0 });
    const tasks = await listTasks(site, {});
    expect(tasks.map((t) => t.state)).toEqual(new Array(8).fill("JOB_FINISHED"));
    for (const t of tasks) expect((await taskAttempts(site, t.id)).length).toBe(1);
  });

  it("a pilot that stops claiming before its walltime leaves the rest READY; a second pilot finishes, each task done once", {
    timeout: 240_000,
  }, async () => {
    requireBin();
    const site = await freshSite();
    await registerApp(site, { name: "slow", argv: ["sh", "-c", "sleep 6"] });
    await addTasks(
      site,
      Array.from({ length: 10 }, (_, n) => ({ app: "slow", params: { n } })),
    );
    const slurm = new SlurmScheduler({ jobsDir: join(site.dir, "jobs") });
    // 1-minute allocation that claims for 10 s only, on 2 cores: a few 6-s tasks, then it exits
    const first = await submitPilot({
      site: site.dir,
      backend: "slurm",
      walltimeMinutes: 1,
      stopClaimingSeconds: 50,
    });
    slurm.track(first.id, first.exitFile);
    const a = await waitForJobs(slurm, [first.id], { ...poll, timeoutMs: 120_000 });
    expect(a.statuses.get(first.id)).toMatchObject({ state: "COMPLETED", exitCode: 0 });
    const afterFirst = await listTasks(site, {});
    const doneFirst = afterFirst.filter((t) => t.state === "JOB_FINISHED").length;
    expect(doneFirst).toBeGreaterThan(0);
    expect(doneFirst).toBeLessThan(10);
    // the rest runnable again: never claimed (READY) or claimed, staged and handed back (RESTART_READY)
    for (const t of afterFirst) expect(["JOB_FINISHED", "READY", "RESTART_READY"]).toContain(t.state);
    const second = await submitPilot({ site: site.dir, backend: "slurm", walltimeMinutes: 5 });
    slurm.track(second.id, second.exitFile);
    const b = await waitForJobs(slurm, [second.id], { ...poll, timeoutMs: 150_000 });
    expect(b.statuses.get(second.id)).toMatchObject({ state: "COMPLETED", exitCode: 0 });
    const tasks = await listTasks(site, {});
    expect(tasks.map((t) => t.state)).toEqual(new Array(10).fill("JOB_FINISHED"));
    for (const t of tasks) expect((await taskAttempts(site, t.id)).length).toBe(1);
  });

  it("a pilot sbatch refuses (unknown partition) is an error with sbatch's words; no task is marked running", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "work", argv: ["true"] });
    await addTasks(site, [{ app: "work" }, { app: "work" }]);
    const error = await submitPilot({
      site: site.dir,
      backend: "slurm",
      walltimeMinutes: 5,
      queue: "no_such_partition",
    }).catch((e) => e);
    expect(String(error.message)).toMatch(/sbatch .*invalid partition/i);
    const tasks = await listTasks(site, {});
    expect(tasks.map((t) => t.state)).toEqual(["READY", "READY"]);
    for (const t of tasks) expect(await taskAttempts(site, t.id)).toEqual([]);
  });
});
