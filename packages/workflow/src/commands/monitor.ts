import { parse } from "@tessera/cli";
import type { Command } from "commander";
import { TASK_STATES } from "../states.js";
import { countTasks, eventsSince, listTasks } from "../tasks.js";
import { examples, sinceOption, siteOption, taskId, withSite } from "./common.js";

/** `events` and `status`: what happened on a site, and where it stands. */
export function registerMonitorCommands(program: Command): void {
  const events = program
    .command("events")
    .description("the event log: every state transition, oldest first")
    .addOption(siteOption())
    .option("--since <time>", "ms since epoch, ISO date, or -30s/-5m/-2h (default: all)", sinceOption, 0)
    .option("--task <id>", "only this task", taskId)
    .option("--limit <n>", "at most n", parse.integer(1, 10_000_000, "1000"), 1000)
    .option("--json", "print JSON")
    .action(async (o: { site?: string; since: number; task?: number; limit: number; json?: boolean }) =>
      withSite(o, async (s) => {
        const list = await eventsSince(s, o.since, { taskId: o.task, limit: o.limit });
        if (o.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else
          for (const e of list) {
            process.stdout.write(
              `${new Date(e.ts).toISOString()}\t${e.taskId}\t${e.from ?? "-"} -> ${e.to}${e.data ? `\t${JSON.stringify(e.data)}` : ""}\n`,
            );
          }
      }),
    );
  examples(events, "events --site ./site --since -5m", "events --site ./site --task 12 --json");

  const status = program
    .command("status")
    .description("counts by state, throughput over the last minute, failures with their errors")
    .addOption(siteOption())
    .option("--json", "print JSON")
    .action(async (o: { site?: string; json?: boolean }) =>
      withSite(o, async (s) => {
        const counts = await countTasks(s);
        const recent = await eventsSince(s, Date.now() - 60_000, { limit: 100_000 });
        const finishedPerSecond = recent.filter((e) => e.to === "JOB_FINISHED").length / 60;
        const failed = await listTasks(s, { state: "FAILED", limit: 20 });
        const failures = [];
        for (const t of failed) {
          const last = (await s.store.attempts(t.id)).at(-1);
          failures.push({ id: t.id, app: t.app, error: t.lastError, stderrTail: last?.stderrTail ?? null });
        }
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ counts, finishedPerSecond, failures }, null, 2)}\n`);
          return;
        }
        for (const st of TASK_STATES)
          if (counts[st] > 0) process.stdout.write(`${st.padEnd(17)} ${counts[st]}\n`);
        process.stdout.write(`throughput        ${finishedPerSecond.toFixed(2)} tasks/s (last minute)\n`);
        for (const f of failures) {
          process.stdout.write(`FAILED ${f.id} ${f.app}: ${f.error ?? ""}\n`);
          const tail = (f.stderrTail ?? "").trimEnd().split("\n").slice(-3).filter(Boolean);
          for (const line of tail) process.stdout.write(`  | ${line}\n`);
        }
      }),
    );
  examples(status, "status --site ./site", "status --site ./site --json");
}
