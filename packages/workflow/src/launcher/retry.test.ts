import { describe, expect, it } from "vitest";
import { z } from "zod";
import { freshSite } from "../../test/helpers.js";
import type { HookContext } from "../app.js";
import { registerApp } from "../site.js";
import { addTasks, eventsSince, getTask, taskAttempts } from "../tasks.js";
import { backoffDelay } from "./backoff.js";
import { launch } from "./launch.js";

const fast = { pollMs: 20, killGraceMs: 200, leaseMs: 2000 };
// succeeds on the third run: counts runs in a file of the (persistent) work directory
const flaky = ["sh", "-c", 'n=$(cat runs 2>/dev/null || echo 0); n=$((n+1)); echo $n > runs; [ "$n" -ge 3 ]'];

describe("retries", () => {
  it("computes exponential backoff, capped", () => {
    const p = { maxRetries: 5, timeoutRetries: 0, backoffMs: 100, backoffFactor: 2, maxBackoffMs: 500 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(p, n))).toEqual([100, 200, 400, 500]);
  });

  it("retries a failing run with backoff until it succeeds within the budget", async () => {
    const site = await freshSite();
    await registerApp(site, {
      name: "flaky",
      argv: flaky,
      retry: { maxRetries: 2, backoffMs: 40, backoffFactor: 2 },
    });
    const [id] = await addTasks(site, [{ app: "flaky" }]);
    const summary = await launch({ site, maxCpus: 1, ...fast });
    expect(summary).toMatchObject({ finished: 1, retried: 2, failed: 0 });
    const t = await getTask(site, id);
    expect(t).toMatchObject({ state: "JOB_FINISHED", attempts: 3, errorRetries: 2 });
    expect((await taskAttempts(site, id)).map((a) => a.status)).toEqual(["error", "error", "done"]);
    const events = await eventsSince(site, 0, { taskId: id });
    const requeues = events.filter((e) => e.to === "RESTART_READY");
    const claims = events.filter((e) => e.from === "RESTART_READY" && e.to === "STAGED_IN");
    expect(requeues).toHaveLength(2);
    // each retry waited at least its backoff (40 ms, then 80 ms)
    expect(claims[0].ts - requeues[0].ts).toBeGreaterThanOrEqual(40);
    expect(claims[1].ts - requeues[1].ts).toBeGreaterThanOrEqual(80);
  });

  it("fails after the retry budget is spent and says so", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "flaky", argv: flaky, retry: { maxRetries: 1, backoffMs: 10 } });
    const [id] = await addTasks(site, [{ app: "flaky" }]);
    await launch({ site, maxCpus: 1, ...fast });
    const t = await getTask(site, id);
    expect(t.state).toBe("FAILED");
    expect(t.lastError).toBe("exit code 1 (error retries exhausted: 1 of 1)");
    expect(await taskAttempts(site, id)).toHaveLength(2);
  });
});

describe("walltime", () => {
  it("stops a run at its walltime and retries timeouts only within their own budget", async () => {
    const site = await freshSite();
    await registerApp(site, {
      name: "slow",
      argv: ["sleep", "30"],
      walltimeMs: 150,
      retry: { timeoutRetries: 1, maxRetries: 5, backoffMs: 10 },
    });
    const [id] = await addTasks(site, [{ app: "slow" }]);
    await launch({ site, maxCpus: 1, ...fast });
    const t = await getTask(site, id);
    expect(t).toMatchObject({ state: "FAILED", timeoutRetries: 1, errorRetries: 0 });
    expect(t.lastError).toMatch(/walltime of 150 ms exceeded .*\(timeout retries exhausted: 1 of 1\)/);
    const attempts = await taskAttempts(site, id);
    expect(attempts.map((a) => [a.status, a.signal])).toEqual([
      ["timeout", "SIGTERM"],
      ["timeout", "SIGTERM"],
    ]);
    const states = (await eventsSince(site, 0, { taskId: id })).map((e) => e.to);
    expect(states.filter((s) => s === "RUN_TIMEOUT")).toHaveLength(2);
  });

  it("sends SIGKILL to a process group that ignores SIGTERM", async () => {
    const site = await freshSite();
    // SIGTERM is ignored from exec on (env sets the disposition, sleep inherits it), and the
    // walltime leaves a heavily loaded machine (load 8 on 2 cores) time to get there: a shell's
    // `trap` came too late at 150 ms and at 1000 ms of walltime
    await registerApp(site, {
      name: "stubborn",
      argv: ["env", "--ignore-signal=TERM", "sleep", "30"],
      walltimeMs: 3000,
    });
    const [id] = await addTasks(site, [{ app: "stubborn" }]);
    await launch({ site, maxCpus: 1, ...fast });
    const [a] = await taskAttempts(site, id);
    expect(a).toMatchObject({ status: "timeout", signal: "SIGKILL" });
  });
});

describe("hooks", () => {
  it("onError changes the params of the retry; pre/postprocess see the task", async () => {
    const site = await freshSite();
    const seen: string[] = [];
    await registerApp(site, {
      name: "exit",
      argv: ["sh", "-c", "exit $0", "{code}"],
      params: z.object({ code: z.number().int() }),
      retry: { maxRetries: 1, backoffMs: 5 },
      hooks: {
        preprocess: (ctx) => void seen.push(`pre ${ctx.taskId} ${ctx.params.code}`),
        postprocess: (ctx) => void seen.push(`post ${ctx.taskId} ${ctx.exitCode}`),
        onError: (ctx) => {
          seen.push(`error ${ctx.exitCode} ${ctx.error}`);
          return { params: { code: 0 } };
        },
      },
    });
    const [id] = await addTasks(site, [{ app: "exit", params: { code: 3 } }]);
    await launch({ site, maxCpus: 1, ...fast });
    const t = await getTask(site, id);
    expect(t.state).toBe("JOB_FINISHED");
    expect(t.params).toEqual({ code: 0 });
    expect((await taskAttempts(site, id)).map((a) => a.argv[3])).toEqual(["3", "0"]);
    expect(seen).toEqual([`pre ${id} 3`, "error 3 exit code 3", `pre ${id} 0`, `post ${id} 0`]);
  });

  it("onTimeout can change resources and params; a hook may refuse the retry", async () => {
    const site = await freshSite();
    const contexts: HookContext[] = [];
    await registerApp(site, {
      name: "sleepy",
      argv: ["sh", "-c", 'echo "$OMP_NUM_THREADS" > threads; sleep "$0"', "{seconds}"],
      walltimeMs: 300,
      retry: { timeoutRetries: 3, backoffMs: 5 },
      hooks: {
        onTimeout: (ctx) => {
          contexts.push(ctx);
          return { params: { seconds: 0 }, resources: { threadsPerRank: 2 } };
        },
      },
    });
    await registerApp(site, {
      name: "hopeless",
      argv: ["false"],
      retry: { maxRetries: 3 },
      hooks: { onError: () => ({ retry: false }) },
    });
    const [id, h] = await addTasks(site, [{ app: "sleepy", params: { seconds: 30 } }, { app: "hopeless" }]);
    await launch({ site, maxCpus: 2, ...fast });
    const t = await getTask(site, id);
    expect(t.state).toBe("JOB_FINISHED");
    expect(t.resources).toEqual({ threadsPerRank: 2 });
    expect(contexts).toHaveLength(1);
    expect(contexts[0].resources.threadsPerRank).toBe(1);
    const { readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    expect(readFileSync(join(site.dir, "data", t.workdir, "threads"), "utf8").trim()).toBe("2");
    const hopeless = await getTask(site, h);
    expect(hopeless.state).toBe("FAILED");
    expect(hopeless.lastError).toContain("onError hook declined a retry");
    expect(hopeless.attempts).toBe(1);
  });

  it("a postprocess hook that throws makes the run an error", async () => {
    const site = await freshSite();
    await registerApp(site, {
      name: "check",
      argv: ["true"],
      hooks: {
        postprocess: () => {
          throw new Error("segmentation has 0 labels");
        },
      },
    });
    const [id] = await addTasks(site, [{ app: "check" }]);
    await launch({ site, maxCpus: 1, ...fast });
    const t = await getTask(site, id);
    expect(t.state).toBe("FAILED");
    expect(t.lastError).toContain("segmentation has 0 labels");
  });
});
