import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, freshSite, requireBin, waitFor } from "../../test/helpers.js";
import { registerApp } from "../site.js";
import { addTasks, eventsSince, getTask, killTask, listTasks, taskAttempts } from "../tasks.js";
import { launch } from "./launch.js";

const fast = { pollMs: 20, killGraceMs: 200, leaseMs: 2000 };

describe("run-time control", () => {
  it("kills a running task and its descendants; the process is stopped", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "long", argv: ["sleep", "60"] });
    await registerApp(site, { name: "ok", argv: ["true"] });
    const [root, child, grandchild, other] = await addTasks(site, [
      { key: "r", app: "long" },
      { key: "c", app: "ok", parents: ["r"] },
      { key: "g", app: "ok", parents: ["c"] },
      { key: "o", app: "ok" },
    ]);
    const running = launch({ site, maxCpus: 2, ...fast });
    await waitFor(async () => (await getTask(site, root)).state === "RUNNING", "the long task to run");
    expect(await killTask(site, root)).toEqual([root, child, grandchild]);
    const summary = await running; // returns only once the sleep process is gone
    expect(summary.abandoned).toBe(1);
    for (const id of [root, child, grandchild]) expect((await getTask(site, id)).state).toBe("KILLED");
    expect((await getTask(site, other)).state).toBe("JOB_FINISHED");
    const [a] = await taskAttempts(site, root);
    expect(a.status).toBe("killed");
    expect(a.signal).toBe("SIGTERM");
  });

  it("stops gracefully on abort: running tasks go back to RESTART_READY and a later launch finishes them", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "long", argv: ["sleep", "60"] });
    await registerApp(site, { name: "short", argv: ["true"] });
    const [l1, l2] = await addTasks(site, [{ app: "long" }, { app: "long" }]);
    const ac = new AbortController();
    const running = launch({ site, maxCpus: 2, signal: ac.signal, onStop: "requeue", ...fast });
    await waitFor(
      async () => (await listTasks(site, { state: "RUNNING" })).length === 2,
      "two running tasks",
    );
    ac.abort();
    const summary = await running;
    expect(summary).toMatchObject({ reason: "stopped", abandoned: 2, finished: 0 });
    for (const id of [l1, l2]) {
      expect((await getTask(site, id)).state).toBe("RESTART_READY");
      expect((await taskAttempts(site, id))[0].status).toBe("stopped");
    }
    await registerApp(site, { name: "long", argv: ["true"] });
    const again = await launch({ site, maxCpus: 2, ...fast });
    expect(again.finished).toBe(2);
  });

  it("on a finishing stop lets running tasks end and claims nothing new", async () => {
    const site = await freshSite();
    const gate = join(site.dir, "gate");
    await registerApp(site, {
      name: "wait",
      argv: ["sh", "-c", 'while [ ! -e "$0" ]; do sleep 0.02; done', gate],
    });
    const ids = await addTasks(site, [{ app: "wait" }, { app: "wait" }, { app: "wait" }]);
    const ac = new AbortController();
    const running = launch({ site, maxCpus: 1, signal: ac.signal, ...fast });
    // any of the three may start first: they are staged in ahead of the one slot
    const first = await waitFor(
      async () => (await listTasks(site, { state: "RUNNING" }))[0],
      "one running task",
    );
    ac.abort();
    writeFileSync(gate, "");
    const summary = await running;
    expect(summary).toMatchObject({ finished: 1, started: 1, reason: "stopped" });
    expect((await getTask(site, first.id)).state).toBe("JOB_FINISHED");
    for (const id of ids.filter((i) => i !== first.id)) {
      // never run; a task staged in ahead of a free slot was given back
      expect(["READY", "RESTART_READY"]).toContain((await getTask(site, id)).state);
      expect(await taskAttempts(site, id)).toEqual([]);
    }
  });

  it("requeues the tasks of a launcher whose lease expired, and never records its completion", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "ok", argv: ["true"] });
    const [id, failing] = await addTasks(site, [{ app: "ok" }, { app: "ok" }]);
    // a launcher that claims and starts both tasks, sees one fail, then goes silent
    await site.store.registerLauncher({ id: "ghost", host: hostname(), pid: 1, leaseMs: 200 });
    const claimed = await site.store.claim("ghost", 10, (ts) => ts.map((t) => t.id));
    expect(claimed.map((t) => t.id)).toEqual([id, failing]);
    const start = (taskId: number) =>
      site.store.startRun(taskId, "ghost", {
        n: 1,
        host: hostname(),
        pid: null,
        argv: ["true"],
        envDigest: "x",
        claimedAt: Date.now(),
        startedAt: Date.now(),
        inputs: {},
        toolVersions: {},
      });
    const attemptId = await start(id);
    const failedAttempt = await start(failing);
    const end = {
      status: "error" as const,
      endedAt: Date.now(),
      exitCode: 1,
      signal: null,
      stdoutTail: null,
      stderrTail: null,
      outputs: {},
      error: "exit code 1",
    };
    expect(await site.store.endRun(failing, "ghost", failedAttempt, "RUN_ERROR", end)).toBe(true);
    const summary = await launch({ site, maxCpus: 1, ...fast, leaseMs: 400 });
    expect(summary.finished).toBe(2);
    expect((await getTask(site, failing)).state).toBe("JOB_FINISHED");
    const late = await site.store.endRun(id, "ghost", attemptId, "JOB_FINISHED", {
      status: "done",
      endedAt: Date.now(),
      exitCode: 0,
      signal: null,
      stdoutTail: null,
      stderrTail: null,
      outputs: {},
      error: null,
    });
    expect(late).toBe(false);
    expect((await taskAttempts(site, id)).map((a) => [a.launcherId, a.status])).toEqual([
      ["ghost", "lost"],
      [summary.launcherId, "done"],
    ]);
    const events = await eventsSince(site, 0, { taskId: id });
    expect(events.filter((e) => e.to === "JOB_FINISHED")).toHaveLength(1);
    expect(events.find((e) => e.to === "RESTART_READY")?.data).toMatchObject({
      reason: "lease expired",
      launcher: "ghost",
    });
  });
});

describe("dynamic workflows", () => {
  it("a running task adds children through the CLI with TESSERA_SITE and TESSERA_TASK_ID", async () => {
    requireBin();
    const site = await freshSite();
    await registerApp(site, {
      name: "leaf",
      argv: ["sh", "-c", 'echo "$0" > leaf.txt', "{i}"],
      outputs: ["leaf.txt"],
    });
    await registerApp(site, {
      name: "fanout",
      argv: [
        "sh",
        "-c",
        'for i in 1 2 3; do "$0" "$1" task add --app leaf --parent "$TESSERA_TASK_ID" -p i=$i --tag dyn || exit 1; done',
        process.execPath,
        BIN,
      ],
    });
    const [root] = await addTasks(site, [{ app: "fanout" }]);
    const summary = await launch({ site, maxCpus: 2, ...fast });
    expect((await getTask(site, root)).state).toBe("JOB_FINISHED");
    const leaves = await listTasks(site, { tag: "dyn" });
    expect(leaves.map((t) => t.params.i).sort()).toEqual([1, 2, 3]);
    for (const leaf of leaves) {
      expect(leaf.state).toBe("JOB_FINISHED");
      expect(await site.store.parentsOf(leaf.id)).toEqual([root]);
      // a child of a running task waits for it
      expect((await eventsSince(site, 0, { taskId: leaf.id }))[0].to).toBe("AWAITING_PARENTS");
      expect(readFileSync(join(site.dir, "data", leaf.workdir, "leaf.txt"), "utf8").trim()).toBe(
        String(leaf.params.i),
      );
    }
    expect(summary.finished).toBe(4);
  });

  it("tasks added through the JS API while the parent runs wait for it", async () => {
    const site = await freshSite();
    const gate = join(site.dir, "gate");
    await registerApp(site, {
      name: "wait",
      argv: ["sh", "-c", 'while [ ! -e "$0" ]; do sleep 0.02; done', gate],
    });
    await registerApp(site, { name: "after", argv: ["sh", "-c", 'test -e "$0"', gate] });
    const [parent] = await addTasks(site, [{ app: "wait" }]);
    const running = launch({ site, maxCpus: 2, ...fast });
    await waitFor(async () => (await getTask(site, parent)).state === "RUNNING", "the parent to run");
    const [child] = await addTasks(site, [{ app: "after", parents: [parent] }]);
    expect((await getTask(site, child)).state).toBe("AWAITING_PARENTS");
    writeFileSync(gate, "");
    await running;
    expect((await getTask(site, child)).state).toBe("JOB_FINISHED");
  });
});

describe("worker threads", () => {
  it("runs apps that opt in inside worker threads, with errors and walltime", async () => {
    const site = await freshSite();
    const mod = join(site.dir, "fns.mjs");
    writeFileSync(
      mod,
      [
        "export function square(params, ctx) { return { v: params.x * params.x, task: ctx.taskId }; }",
        'export function boom() { throw new Error("bad block"); }',
        "export async function hang() { await new Promise((r) => setTimeout(r, 60000)); }",
      ].join("\n"),
    );
    await registerApp(site, { name: "square", worker: { module: mod, exportName: "square" } });
    await registerApp(site, { name: "boom", worker: { module: mod, exportName: "boom" } });
    await registerApp(site, { name: "hang", worker: { module: mod, exportName: "hang" }, walltimeMs: 200 });
    const ids = await addTasks(site, [
      { app: "square", params: { x: 3 } },
      { app: "square", params: { x: 4 } },
      { app: "boom" },
      { app: "hang" },
    ]);
    await launch({ site, maxCpus: 2, ...fast });
    const [a, b, c, d] = await Promise.all(ids.map((id) => getTask(site, id)));
    expect(a.state).toBe("JOB_FINISHED");
    expect(JSON.parse(readFileSync(join(site.dir, "data", a.workdir, "result.json"), "utf8"))).toEqual({
      v: 9,
      task: a.id,
    });
    expect(existsSync(join(site.dir, "data", b.workdir, "result.json"))).toBe(true);
    expect(c.state).toBe("FAILED");
    expect(c.lastError).toContain("worker threw: bad block");
    expect(d.state).toBe("FAILED");
    expect(d.lastError).toContain("walltime of 200 ms exceeded");
    expect((await taskAttempts(site, a.id))[0].argv).toEqual(["worker", mod, "square"]);
  });
});
