import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliProcess, exited, freshSite, requireBin, waitFor } from "../../test/helpers.js";
import { registerApp } from "../site.js";
import { addTasks, countTasks, eventsSince, taskAttempts } from "../tasks.js";
import { launch } from "./launch.js";

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("launcher faults (real launcher processes)", () => {
  it("kill -9 of a launcher mid-run, then a restart: every task completes exactly once, nothing lost", async () => {
    requireBin();
    const site = await freshSite();
    const log = join(site.dir, "done.log");
    await registerApp(site, {
      name: "work",
      argv: [
        "sh",
        "-c",
        'sleep "$0"; echo "$TESSERA_TASK_ID" > out.txt; echo "$TESSERA_TASK_ID" >> "$1"',
        "{s}",
        log,
      ],
      outputs: ["out.txt"],
    });
    // the first tasks are long, so the kill surely catches them running
    const ids = await addTasks(
      site,
      Array.from({ length: 10 }, (_, i) => ({ app: "work", params: { s: i < 2 ? 20 : 0.05 } })),
    );
    const child = cliProcess([
      "launch",
      "--site",
      site.dir,
      "--max-cpus",
      "2",
      "--lease-ms",
      "600",
      "--poll-ms",
      "20",
      "--no-progress",
    ]);
    await waitFor(
      async () => [...(await site.store.statesOf(ids.slice(0, 2))).values()].every((st) => st === "RUNNING"),
      "the launcher to run both long tasks",
    );
    const victims = await taskAttempts(site, ids[0]);
    child.kill("SIGKILL");
    expect((await exited(child)).signal).toBe("SIGKILL");
    await registerApp(site, {
      name: "work",
      argv: ["sh", "-c", 'echo "$TESSERA_TASK_ID" > out.txt; echo "$TESSERA_TASK_ID" >> "$0"', log],
      outputs: ["out.txt"],
    });
    const summary = await launch({ site, maxCpus: 2, leaseMs: 600, pollMs: 20, killGraceMs: 200 });
    expect(summary.reason).toBe("idle");
    expect((await countTasks(site)).JOB_FINISHED).toBe(10);
    for (const id of ids) {
      const finished = (await eventsSince(site, 0, { taskId: id })).filter((e) => e.to === "JOB_FINISHED");
      expect(finished, `task ${id}`).toHaveLength(1);
      const attempts = await taskAttempts(site, id);
      expect(
        attempts.filter((a) => a.status === "done"),
        `task ${id}`,
      ).toHaveLength(1);
      expect(readFileSync(join(site.dir, "data", "work", String(id), "out.txt"), "utf8").trim()).toBe(
        String(id),
      );
    }
    // the two tasks the dead launcher held were requeued after its lease, and their orphans stopped
    for (const id of ids.slice(0, 2)) {
      const statuses = (await taskAttempts(site, id)).map((a) => a.status);
      expect(statuses).toEqual(["lost", "done"]);
    }
    expect(victims[0].pid).not.toBeNull();
    await waitFor(() => !processAlive(victims[0].pid!), "the orphaned sleep to be stopped", 10_000);
    const lines = readFileSync(log, "utf8").trim().split("\n").map(Number);
    expect(lines.sort((a, b) => a - b)).toEqual(ids);
  });

  it("two launchers on one site never run a task twice", async () => {
    requireBin();
    const site = await freshSite();
    const log = join(site.dir, "runs.log");
    await registerApp(site, {
      name: "mark",
      argv: ["sh", "-c", 'echo "$TESSERA_TASK_ID" >> "$0"; sleep 0.02', log],
    });
    const args = [
      "launch",
      "--site",
      site.dir,
      "--max-cpus",
      "2",
      "--poll-ms",
      "10",
      "--keep-running",
      "--no-progress",
    ];
    const a = cliProcess(args);
    const b = cliProcess(args);
    await waitFor(() => {
      const rows = site.store as unknown as { db: { prepare(s: string): { get(): { n: number } } } };
      return rows.db.prepare("SELECT count(*) AS n FROM launchers WHERE state = 'active'").get().n === 2;
    }, "both launchers to register");
    const ids = await addTasks(
      site,
      Array.from({ length: 80 }, () => ({ app: "mark" })),
    );
    await waitFor(async () => (await countTasks(site)).JOB_FINISHED === 80, "all tasks to finish");
    a.kill("SIGTERM");
    b.kill("SIGTERM");
    expect((await exited(a)).code).toBe(0);
    expect((await exited(b)).code).toBe(0);
    const runs = readFileSync(log, "utf8").trim().split("\n").map(Number);
    expect(runs).toHaveLength(80);
    expect(new Set(runs).size).toBe(80);
    expect([...runs].sort((x, y) => x - y)).toEqual(ids);
    const launchers = new Set<string>();
    for (const id of ids) {
      const attempts = await taskAttempts(site, id);
      expect(attempts).toHaveLength(1);
      launchers.add(attempts[0].launcherId);
    }
    expect(launchers.size).toBe(2);
    expect(existsSync(join(site.dir, "logs", "workflow.log"))).toBe(true);
  });

  it("SIGINT: a CLI launcher stops claiming and lets the running task finish; a second SIGINT requeues", async () => {
    requireBin();
    const site = await freshSite();
    const gate = join(site.dir, "gate");
    await registerApp(site, {
      name: "wait",
      argv: ["sh", "-c", 'while [ ! -e "$0" ]; do sleep 0.02; done', gate],
    });
    const ids = await addTasks(site, [{ app: "wait" }, { app: "wait" }, { app: "wait" }]);
    const args = ["launch", "--site", site.dir, "--max-cpus", "1", "--poll-ms", "20", "--no-progress"];
    // tasks are staged in ahead of the one slot, so any of the waiting ones may start first
    const runningOne = async (among: number[]) =>
      waitFor(async () => {
        const states = await site.store.statesOf(among);
        return among.find((id) => states.get(id) === "RUNNING");
      }, "a task to run");

    const stops = () => {
      const log = join(site.dir, "logs", "workflow.log");
      return existsSync(log) ? readFileSync(log, "utf8").split('"msg":"stopping"').length - 1 : 0;
    };

    const child = cliProcess(args);
    const first = (await runningOne(ids))!;
    child.kill("SIGINT");
    await waitFor(() => stops() === 1, "the launcher to stop claiming");
    writeFileSync(gate, "");
    // stopped by a signal before its work was done: exit 130 (interrupted)
    expect((await exited(child)).code).toBe(130);
    expect((await site.store.statesOf([first])).get(first)).toBe("JOB_FINISHED");
    const rest = ids.filter((id) => id !== first);
    for (const id of rest) expect(await taskAttempts(site, id)).toEqual([]);

    rmSync(gate);
    const again = cliProcess(args);
    const second = (await runningOne(rest))!;
    again.kill("SIGINT");
    await waitFor(() => stops() === 2, "the second launcher to stop claiming");
    again.kill("SIGINT");
    expect((await exited(again)).code).toBe(130);
    const states = await site.store.statesOf(rest);
    expect(rest.map((id) => states.get(id))).toEqual(["RESTART_READY", "RESTART_READY"]);
    expect((await taskAttempts(site, second)).map((a) => a.status)).toEqual(["stopped"]);
  });
});
