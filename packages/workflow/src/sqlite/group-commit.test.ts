import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { freshSite } from "../../test/helpers.js";
import { StateConflictError } from "../errors.js";
import { openSite, registerApp } from "../site.js";
import type { AttemptStart } from "../store.js";
import { addTasks, eventsSince, getTask, taskAttempts } from "../tasks.js";

const attempt = (): AttemptStart => ({
  n: 1,
  host: hostname(),
  pid: 4242,
  argv: ["true"],
  envDigest: "x",
  claimedAt: Date.now(),
  startedAt: Date.now(),
  inputs: {},
  toolVersions: {},
});

describe("group commit of runs started and ended", () => {
  it("writes queued in one turn commit together; one that conflicts is rolled back and rejected alone", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "ok", argv: ["true"] });
    const [a, b, c] = await addTasks(site, [{ app: "ok" }, { app: "ok" }, { app: "ok" }]);
    await site.store.registerLauncher({ id: "L", host: hostname(), pid: process.pid, leaseMs: 60_000 });
    await site.store.claim("L", 10, (tasks) => tasks.map((t) => t.id));
    // queued in the same turn: b's start names a launcher that does not hold it
    const outcomes = await Promise.allSettled([
      site.store.startRun(a, "L", attempt()),
      site.store.startRun(b, "not-L", attempt()),
      site.store.startRun(c, "L", attempt()),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(StateConflictError);
    expect((await getTask(site, a)).state).toBe("RUNNING");
    expect((await getTask(site, b)).state).toBe("STAGED_IN");
    expect((await getTask(site, c)).state).toBe("RUNNING");
    expect(await taskAttempts(site, b)).toEqual([]);
    expect((await eventsSince(site, 0, { taskId: b })).map((e) => e.to)).toEqual(["READY", "STAGED_IN"]);
    const [runA, runC] = [await taskAttempts(site, a), await taskAttempts(site, c)];
    expect(runA.map((r) => r.status)).toEqual(["running"]);
    expect(runC.map((r) => r.id)).toEqual([(outcomes[2] as PromiseFulfilledResult<number>).value]);
  });

  it("a write still queued when the store closes is committed, and seen by the next opener", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "ok", argv: ["true"] });
    const [a] = await addTasks(site, [{ app: "ok" }]);
    await site.store.registerLauncher({ id: "L", host: hostname(), pid: process.pid, leaseMs: 60_000 });
    await site.store.claim("L", 10, (tasks) => tasks.map((t) => t.id));
    const started = site.store.startRun(a, "L", attempt());
    await site.store.close();
    expect(await started).toBeGreaterThan(0);
    const again = await openSite(site.dir);
    try {
      expect((await getTask(again, a)).state).toBe("RUNNING");
    } finally {
      await again.store.close();
    }
  });
});
