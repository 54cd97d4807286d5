// The elastic queue: against the real Slurm of tools/slurm/cluster.sh, and its decisions against a
// scripted scheduler.
import { describe, expect, it } from "vitest";
import { freshSite, requireBin } from "../../test/helpers.js";
import { registerApp } from "../site.js";
import { addTasks, listTasks, taskAttempts } from "../tasks.js";
import { type ElasticEvent, type ElasticScheduler, runElasticQueue } from "./elastic.js";
import type { JobStatus } from "./slurm.js";
import { runSlurmTests } from "./slurm-test-kit.js";

describe.skipIf(!runSlurmTests())("the elastic queue on Slurm", () => {
  it("keeps at most --max-queued pilots pending, runs the backlog to the end, cancels the pilots left over, and stops", {
    timeout: 300_000,
  }, async () => {
    requireBin();
    const site = await freshSite();
    await registerApp(site, { name: "work", argv: ["sh", "-c", "sleep 0.5; echo {n}"] });
    await addTasks(
      site,
      Array.from({ length: 30 }, (_, n) => ({ app: "work", params: { n } })),
    );
    const events: ElasticEvent[] = [];
    const summary = await runElasticQueue({
      site: site.dir,
      backend: "slurm",
      walltimeMinutes: 3,
      maxQueued: 2,
      tasksPerPilot: 10,
      pollSeconds: 1,
      onEvent: (e) => events.push(e),
    });
    const tasks = await listTasks(site, {});
    expect(tasks.map((t) => t.state)).toEqual(new Array(30).fill("JOB_FINISHED"));
    for (const t of tasks) expect((await taskAttempts(site, t.id)).length).toBe(1);
    expect(summary.reason).toBe("idle");
    // 30 READY tasks at 10 per pilot, at most 2 queued: 2 pilots at first
    expect(events.filter((e) => e.kind === "submitted").slice(0, 2)).toMatchObject([
      { backlog: 30, queued: 1, running: 0 },
      { backlog: 30, queued: 2, running: 0 },
    ]);
    expect(summary.maxQueuedSeen).toBeLessThanOrEqual(2);
    // every pilot submitted has ended, as the scheduler says: COMPLETED, or CANCELLED once not needed
    const ended = events.filter((e) => e.kind === "ended");
    expect(ended.length).toBe(summary.submitted);
    expect(ended.some((e) => e.kind === "ended" && e.state === "COMPLETED" && e.exitCode === 0)).toBe(true);
    const cancelled = events.filter((e) => e.kind === "cancelled").map((e) => e.job);
    for (const e of ended) {
      if (e.kind === "ended") expect(e.state).toBe(cancelled.includes(e.job) ? "CANCELLED" : "COMPLETED");
    }
  });
});

/** A scheduler whose jobs move as the test says: every job stays where `states` puts it. */
function scripted(states: Map<string, JobStatus>) {
  const calls: string[] = [];
  let next = 100;
  const scheduler: ElasticScheduler = {
    async submit(spec) {
      const id = String(next++);
      calls.push(`submit ${id}`);
      states.set(id, { id, state: "PENDING", source: "squeue" });
      return { id, script: "", exitFile: spec.exitFile, output: spec.output };
    },
    async poll(ids) {
      calls.push(`poll ${ids.length}`);
      return new Map(ids.map((id) => [id, states.get(id) ?? { id, state: "LOST", source: "none" }]));
    },
    async cancel(ids) {
      calls.push(`cancel ${ids.join(",")}`);
      for (const id of ids) states.set(id, { id, state: "CANCELLED", source: "squeue" });
    },
  };
  return { scheduler, calls };
}

describe("the elastic queue's decisions", () => {
  it("asks for ⌈backlog / tasks per pilot⌉ − running pilots, at most maxQueued pending, one poll per round", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "work", argv: ["true"] });
    await addTasks(
      site,
      Array.from({ length: 25 }, () => ({ app: "work" })),
    );
    const states = new Map<string, JobStatus>();
    const { scheduler, calls } = scripted(states);
    const ac = new AbortController();
    const events: ElasticEvent[] = [];
    let rounds = 0;
    const done = runElasticQueue({
      site: site.dir,
      backend: "slurm",
      walltimeMinutes: 10,
      maxQueued: 5,
      tasksPerPilot: 10,
      pollSeconds: 0.05,
      scheduler,
      signal: ac.signal,
      onEvent: (e) => {
        events.push(e);
        // once three are queued, one starts running: then two more are enough (⌈25/10⌉ − 1)
        if (e.kind === "submitted" && e.queued === 3 && rounds++ === 0) {
          states.set("100", { id: "100", state: "RUNNING", source: "squeue" });
          setTimeout(() => ac.abort(), 300);
        }
      },
    });
    const summary = await done;
    expect(
      events.filter((e) => e.kind === "submitted").map((e) => e.kind === "submitted" && e.queued),
    ).toEqual([1, 2, 3]);
    // after 100 started, 101 and 102 pending cover the backlog; no more submitted. Stop cancels the pending ones
    expect(summary).toMatchObject({ submitted: 3, reason: "stopped", cancelled: 2 });
    expect(calls.at(-1)).toBe("cancel 101,102");
    expect(calls.filter((c) => c.startsWith("poll")).length).toBeGreaterThan(2);
  });

  it("a pilot pending for a reason that never clears stops the queue with an error naming it", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "work", argv: ["true"] });
    await addTasks(site, [{ app: "work" }]);
    const states = new Map<string, JobStatus>();
    const { scheduler, calls } = scripted(states);
    const run = runElasticQueue({
      site: site.dir,
      backend: "slurm",
      walltimeMinutes: 10,
      maxQueued: 1,
      tasksPerPilot: 10,
      pollSeconds: 0.05,
      scheduler,
      onEvent: (e) => {
        if (e.kind === "submitted")
          states.set(e.job, {
            id: e.job,
            state: "PENDING",
            reason: "PartitionConfig",
            stuck: true,
            source: "squeue",
          });
      },
    });
    await expect(run).rejects.toThrow(/100 pending: PartitionConfig/);
    expect(calls.at(-1)).toBe("cancel 100");
  });
});
