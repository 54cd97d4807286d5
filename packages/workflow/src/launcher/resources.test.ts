import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freshSite } from "../../test/helpers.js";
import { registerApp } from "../site.js";
import { addTasks, eventsSince, getTask, taskAttempts } from "../tasks.js";
import type { AttemptRecord } from "../types.js";
import { launch } from "./launch.js";
import { ResourcePool } from "./resource-pool.js";

const fast = { pollMs: 20, killGraceMs: 200, leaseMs: 2000 };

function maxOverlap(attempts: AttemptRecord[]): number {
  const points = attempts.flatMap((a) => [
    [a.startedAt, 1],
    [a.endedAt!, -1],
  ]);
  points.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let cur = 0;
  let max = 0;
  for (const [, d] of points) max = Math.max(max, (cur += d));
  return max;
}

describe("resource packing", () => {
  it("hands out cores and GPU ids and takes them back", () => {
    const pool = new ResourcePool(4, 2);
    expect(pool.take(2, 1)).toEqual([0]);
    expect(pool.take(2, 2)).toBeUndefined();
    expect(pool.take(2, 1)).toEqual([1]);
    expect(pool.take(1, 0)).toBeUndefined();
    pool.give(2, [0]);
    expect(pool.take(1, 1)).toEqual([0]);
    expect(pool.fitsAtAll(5, 0)).toBe(false);
  });

  it("never runs more threads than maxCpus at once, and gives each GPU to one task at a time", async () => {
    const site = await freshSite();
    await registerApp(site, {
      name: "wide",
      argv: ["sh", "-c", 'echo "$CUDA_VISIBLE_DEVICES" > gpus; sleep 0.15'],
      resources: { threadsPerRank: 2, gpusPerRank: 1 },
    });
    await registerApp(site, { name: "narrow", argv: ["sleep", "0.15"] });
    const wide = await addTasks(
      site,
      Array.from({ length: 4 }, () => ({ app: "wide" })),
    );
    const narrow = await addTasks(
      site,
      Array.from({ length: 4 }, () => ({ app: "narrow" })),
    );
    await launch({ site, maxCpus: 4, maxGpus: 2, ...fast });
    const wideAttempts = (await Promise.all(wide.map((id) => taskAttempts(site, id)))).flat();
    const narrowAttempts = (await Promise.all(narrow.map((id) => taskAttempts(site, id)))).flat();
    expect(wideAttempts.every((a) => a.status === "done")).toBe(true);
    expect(maxOverlap(wideAttempts)).toBeLessThanOrEqual(2);
    // cores in use never exceed 4: wide tasks count 2, narrow ones 1
    const all = [...wideAttempts.map((a) => ({ a, w: 2 })), ...narrowAttempts.map((a) => ({ a, w: 1 }))];
    const points = all.flatMap(({ a, w }) => [
      [a.startedAt, w],
      [a.endedAt!, -w],
    ]);
    points.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let cur = 0;
    for (const [, d] of points) {
      cur += d;
      expect(cur).toBeLessThanOrEqual(4);
    }
    for (const id of wide) {
      const t = await getTask(site, id);
      expect(["0", "1"]).toContain(readFileSync(join(site.dir, "data", t.workdir, "gpus"), "utf8").trim());
    }
  });

  it("gives a task's cores to the next task once its process has ended, while its end is still being recorded", async () => {
    const site = await freshSite();
    const hookMs = 400;
    await registerApp(site, {
      name: "slow-stage-out",
      argv: ["sleep", "0.05"],
      hooks: { postprocess: () => new Promise((r) => setTimeout(r, hookMs)) },
    });
    const [first, second] = await addTasks(site, [{ app: "slow-stage-out" }, { app: "slow-stage-out" }]);
    await launch({ site, maxCpus: 1, ...fast });
    const [a] = await taskAttempts(site, first);
    const [b] = await taskAttempts(site, second);
    expect([a.status, b.status]).toEqual(["done", "done"]);
    const finishedAt = async (id: number) =>
      (await eventsSince(site, 0, { taskId: id })).find((e) => e.to === "JOB_FINISHED")!.ts;
    // one core: the processes never overlap, but the second starts during the first's postprocess hook
    expect(b.startedAt).toBeGreaterThanOrEqual(a.endedAt!);
    expect(b.startedAt).toBeLessThan(await finishedAt(first));
    expect((await finishedAt(first)) - a.endedAt!).toBeGreaterThanOrEqual(hookMs - 50);
  });

  it("fails a task that asks for more GPUs than the launcher has", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "big", argv: ["true"], resources: { ranksPerNode: 1, gpusPerRank: 4 } });
    const [id] = await addTasks(site, [{ app: "big" }]);
    await launch({ site, maxCpus: 2, maxGpus: 2, ...fast });
    const t = await getTask(site, id);
    expect(t.state).toBe("FAILED");
    expect(t.lastError).toContain("found 1 cpus and 4 gpus");
  });
});
