#!/usr/bin/env node
// Pilot jobs on the real Slurm of tools/slurm/cluster.sh (start it first; build first):
//  1. utilisation of one pilot allocation running --tasks tasks of 1, 1.5 or 2 s (sleep) on the
//     node's cores: busy core-seconds (each task's start → end, from the site's attempt records) /
//     allocated core-seconds (the job's StartTime → EndTime × NumCPUs, from `scontrol show job`);
//  2. side by side, the same tasks as one `sbatch` per task: makespan ratio (first submission → last
//     end, vs the pilot's submission → end);
//  3. scheduler load while --tracked jobs are tracked: status calls per minute (one squeue per poll).
// Usage: node tools/bench/backends/run.mjs [--tasks 500] [--tracked 200] [--track-seconds 60]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const wf = await import(resolve(here, "../../../packages/workflow/dist/index.js"));
const { values: opt } = parseArgs({
  options: {
    tasks: { type: "string", default: "500" },
    tracked: { type: "string", default: "200" },
    "track-seconds": { type: "string", default: "60" },
  },
});
const N = Number(opt.tasks);
const work = mkdtempSync(join(tmpdir(), "tessera-bench-backends-"));
const duration = (i) => [1, 1.5, 2][i % 3];
const scontrol = (id) => {
  const out = execFileSync("scontrol", ["show", "job", "-o", id], { encoding: "utf8" });
  const get = (k) => new RegExp(`\\b${k}=(\\S+)`).exec(out)?.[1];
  return {
    start: Date.parse(get("StartTime")),
    end: Date.parse(get("EndTime")),
    cpus: Number(get("NumCPUs")),
    state: get("JobState"),
  };
};
const poll = { minIntervalMs: 500, maxIntervalMs: 2000 };
try {
  // ---- 1. one pilot
  const site = await wf.createSite(join(work, "site"));
  await wf.registerApp(site, { name: "work", argv: ["sleep", "{s}"] });
  await wf.addTasks(
    site,
    Array.from({ length: N }, (_, i) => ({ app: "work", params: { s: String(duration(i)) } })),
  );
  const t0 = Date.now();
  const pilot = await wf.submitPilot({ site: site.dir, backend: "slurm", walltimeMinutes: 60 });
  const slurm = new wf.SlurmScheduler({ jobsDir: join(work, "jobs") });
  slurm.track(pilot.id, pilot.exitFile);
  const p = await wf.waitForJobs(slurm, [pilot.id], { ...poll, timeoutMs: 3_600_000 });
  const pilotMakespan = (Date.now() - t0) / 1000;
  if (p.statuses.get(pilot.id)?.state !== "COMPLETED")
    throw new Error(`pilot ended ${JSON.stringify(p.statuses.get(pilot.id))}`);
  const job = scontrol(pilot.id);
  const tasks = await wf.listTasks(site, {});
  let busy = 0;
  for (const t of tasks) {
    if (t.state !== "JOB_FINISHED") throw new Error(`task ${t.id} ended ${t.state}`);
    for (const a of await wf.taskAttempts(site, t.id)) busy += (a.endedAt - a.startedAt) / 1000;
  }
  const allocated = ((job.end - job.start) / 1000) * job.cpus; // scontrol times have 1-s resolution
  await wf.closeSite(site);
  console.log(
    `pilot: ${N} tasks, busy ${busy.toFixed(1)} core-s / allocated ${allocated.toFixed(0)} core-s, makespan ${pilotMakespan.toFixed(1)} s`,
  );

  // ---- 2. one sbatch per task
  const per = new wf.SlurmScheduler({ jobsDir: join(work, "jobs-per-task") });
  const t1 = Date.now();
  const ids = [];
  for (let i = 0; i < N; i++) {
    const j = await per.submit({
      name: `task-${i}`,
      command: `sleep ${duration(i)}`,
      workdir: work,
      output: join(work, "per-task.out"),
      exitFile: join(work, `per-task-${i}.exit`),
    });
    ids.push(j.id);
  }
  const q = await wf.waitForJobs(per, ids, { ...poll, timeoutMs: 3_600_000 });
  const perMakespan = (Date.now() - t1) / 1000;
  const notDone = [...q.statuses.values()].filter((s) => s.state !== "COMPLETED").length;
  console.log(`one sbatch per task: makespan ${perMakespan.toFixed(1)} s`);

  // ---- 3. scheduler load while jobs are tracked
  const M = Number(opt.tracked);
  const load = new wf.SlurmScheduler({ jobsDir: join(work, "jobs-tracked") });
  const tracked = [];
  for (let i = 0; i < M; i++) {
    // held jobs: pending, never run
    const j = await load.submit({
      name: `held-${i}`,
      command: "true",
      workdir: work,
      output: join(work, "held.out"),
      exitFile: join(work, `held-${i}.exit`),
      hold: true,
    });
    tracked.push(j.id);
  }
  const counts0 = { ...load.counts };
  const seconds = Number(opt["track-seconds"]);
  const r = await wf.waitForJobs(load, tracked, {
    minIntervalMs: 2000,
    maxIntervalMs: 2000,
    timeoutMs: seconds * 1000,
  });
  await load.cancel(tracked);
  const perMinute = (k) => ((load.counts[k] - counts0[k]) / seconds) * 60;

  const cores = job.cpus;
  console.log(`pilot jobs on Slurm (single node, ${cores} cores), ${N} tasks of 1 / 1.5 / 2 s (sleep)`);
  console.log("measure | value");
  console.log("---|---");
  console.log(
    `pilot: busy core-seconds / allocated core-seconds | ${busy.toFixed(1)} / ${allocated.toFixed(0)} = **${((100 * busy) / allocated).toFixed(1)} %** (goal ≥ 97 %)`,
  );
  console.log(
    `pilot makespan (submission → end) | ${pilotMakespan.toFixed(1)} s (ideal ${((N * 1.5) / cores).toFixed(1)} s of work per core)`,
  );
  console.log(`one sbatch per task, makespan | ${perMakespan.toFixed(1)} s (${notDone} not COMPLETED)`);
  console.log(`makespan ratio, sbatch per task / pilot | **${(perMakespan / pilotMakespan).toFixed(2)}×**`);
  console.log(
    `tracking ${M} held jobs for ${seconds} s: status calls per minute | squeue ${perMinute("squeue").toFixed(1)}, scontrol ${perMinute("scontrol").toFixed(1)} (${r.polls} polls: one squeue per poll)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
