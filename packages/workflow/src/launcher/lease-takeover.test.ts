import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { cliProcess, exited, freshSite, requireBin, waitFor } from "../../test/helpers.js";
import { registerApp, SITE_DB } from "../site.js";
import { addTasks, eventsSince, getTask, taskAttempts } from "../tasks.js";
import { launch } from "./launch.js";

/** `R`, `S`, `Z`, … from /proc/<pid>/stat, or null once the process is gone. */
function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return null;
  }
}

/** The process has exited (a zombie whose parent has not reaped it yet counts as exited). */
const hasExited = (pid: number) => {
  const st = procState(pid);
  return st === null || st === "Z";
};

/** Every thread of the process is stopped (`T`): a stop signal is delivered to each thread in turn. */
function allThreadsStopped(pid: number): boolean {
  return readdirSync(`/proc/${pid}/task`).every((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("T");
  });
}

/**
 * SIGSTOP `pid` at a moment it holds no write lock on the site database. A launcher frozen inside a
 * write transaction holds SQLite's single writer lock until it resumes, so every other writer waits out
 * its busy timeout (a limit of the embedded store, not of leases); freezing it there would test SQLite.
 * Tries a zero-timeout `BEGIN IMMEDIATE` while the process is stopped, and thaws and retries if busy.
 */
async function freezeOutsideWrite(pid: number, dbPath: string): Promise<void> {
  const probe = new Database(dbPath, { timeout: 0 });
  try {
    for (let tries = 0; tries < 200; tries++) {
      process.kill(pid, "SIGSTOP");
      await waitFor(() => allThreadsStopped(pid), `process ${pid} to stop`);
      try {
        probe.exec("BEGIN IMMEDIATE");
        probe.exec("ROLLBACK");
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== "SQLITE_BUSY") throw err;
        process.kill(pid, "SIGCONT");
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      }
    }
    throw new Error(`process ${pid} held the write lock on ${dbPath} at 200 tries`);
  } finally {
    probe.close();
  }
}

// Resumed, the frozen launcher's overdue heartbeat runs before anything else (its event loop wakes with
// timers due), finds the lease taken (refused: the launcher is marked expired) and gives its tasks back
// (refused: they belong to the second launcher now), then reads its tasks' late exits. Once with the
// spawn helper (it kept running and reaping while the launcher was frozen), once with spawner threads
// (frozen with it). A completion reported by a launcher that has not noticed the loss is refused by the
// store: see control.test.ts.
describe.each([
  ["spawn helper", []],
  ["spawner threads", ["--no-spawn-helper"]],
])("lease expiry with real launcher processes (%s)", (_how, flags) => {
  it("a launcher frozen (SIGSTOP) past its lease loses its tasks to a second launcher; resumed, its late completions are refused", async () => {
    requireBin();
    const site = await freshSite();
    const effects = join(site.dir, "effects.log");
    // each run waits for its own gate (task and attempt), then appends its effect line
    await registerApp(site, {
      name: "work",
      argv: [
        "sh",
        "-c",
        'g="$0/gate-$TESSERA_TASK_ID-$TESSERA_ATTEMPT"; while [ ! -e "$g" ]; do sleep 0.01; done; echo "$TESSERA_TASK_ID $TESSERA_ATTEMPT" >> "$0/effects.log"',
        site.dir,
      ],
    });
    const open = (task: number, attempt: number) =>
      writeFileSync(join(site.dir, `gate-${task}-${attempt}`), "");
    const lines = () => {
      try {
        return readFileSync(effects, "utf8").trim().split("\n").sort();
      } catch {
        return [];
      }
    };
    const [a, b] = await addTasks(site, [{ app: "work" }, { app: "work" }]);

    // launcher 1, a real process with a short lease, runs both tasks
    const first = cliProcess([
      "launch",
      "--site",
      site.dir,
      "--max-cpus",
      "2",
      "--lease-ms",
      "1500",
      "--poll-ms",
      "20",
      "--no-progress",
      ...flags,
    ]);
    let firstOut = "";
    first.stdout?.on("data", (d) => {
      firstOut += d;
    });
    const runningAttempt = async (id: number, n: number) => {
      const list = await taskAttempts(site, id);
      return list.length === n && list[n - 1].status === "running" && list[n - 1].pid !== null
        ? list[n - 1]
        : undefined;
    };
    const [a1, b1] = [
      await waitFor(() => runningAttempt(a, 1), "launcher 1 to run task a"),
      await waitFor(() => runningAttempt(b, 1), "launcher 1 to run task b"),
    ];
    const firstId = a1.launcherId;
    expect(b1.launcherId).toBe(firstId);

    // freeze launcher 1; task b's process completes meanwhile (its exit is not yet reported)
    await freezeOutsideWrite(first.pid!, join(site.dir, SITE_DB));
    open(b, 1);
    await waitFor(() => lines().includes(`${b} 1`) && hasExited(b1.pid!), "task b's first run to complete");

    // launcher 2 (in this process) requeues both tasks once launcher 1's lease expires, stops the
    // orphan of task a (same host) and runs both again; each new run waits for its gate
    const second = launch({ site, maxCpus: 2, leaseMs: 2000, pollMs: 20, killGraceMs: 200 });
    const [a2, b2] = [
      await waitFor(() => runningAttempt(a, 2), "launcher 2 to rerun task a"),
      await waitFor(() => runningAttempt(b, 2), "launcher 2 to rerun task b"),
    ];
    expect(a2.launcherId).not.toBe(firstId);
    expect(b2.launcherId).toBe(a2.launcherId);
    await waitFor(() => hasExited(a1.pid!), "task a's orphaned first run to be stopped");

    // resume launcher 1 while launcher 2 holds both tasks: it finds its lease lost, tries to give the
    // tasks back, sees b's exit 0 and a's kill late, and exits; none of that may touch the tasks or the
    // new attempts
    process.kill(first.pid!, "SIGCONT");
    expect((await exited(first)).code).toBe(0);
    expect(firstOut).toContain("(lease-lost)");
    for (const id of [a, b]) {
      const task = await getTask(site, id);
      expect(task.state, `task ${id}`).toBe("RUNNING");
      expect(task.launcherId, `task ${id}`).toBe(a2.launcherId);
      const [late, current] = await taskAttempts(site, id);
      expect(late, `task ${id}`).toMatchObject({ launcherId: firstId, status: "lost", exitCode: null });
      expect(current, `task ${id}`).toMatchObject({ launcherId: a2.launcherId, status: "running" });
    }

    open(a, 2);
    open(b, 2);
    const summary = await second;
    expect(summary).toMatchObject({ finished: 2, failed: 0, reason: "idle" });
    // task a's first run was stopped before its effect: done exactly once; task b's first run had
    // completed while its launcher was frozen (a process may run twice), yet it completes once
    expect(lines()).toEqual([`${a} 2`, `${b} 1`, `${b} 2`].sort());
    for (const id of [a, b]) {
      expect((await getTask(site, id)).state).toBe("JOB_FINISHED");
      const attempts = await taskAttempts(site, id);
      expect(attempts.map((x) => [x.launcherId, x.status, x.exitCode])).toEqual([
        [firstId, "lost", null],
        [summary.launcherId, "done", 0],
      ]);
      const events = await eventsSince(site, 0, { taskId: id });
      expect(events.filter((e) => e.to === "JOB_FINISHED")).toHaveLength(1);
      expect(events.find((e) => e.to === "RESTART_READY")?.data).toMatchObject({
        reason: "lease expired",
        launcher: firstId,
      });
    }
  });
});
