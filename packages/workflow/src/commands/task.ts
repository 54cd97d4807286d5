import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "@tessera/cli";
import { type Command, Option } from "commander";
import { OutputExistsError } from "../errors.js";
import { writeFileAtomic } from "../fs-atomic.js";
import { TASK_STATES, type TaskState } from "../states.js";
import { exportProvenance, getTask, killTask, listTasks, retryTask } from "../tasks.js";
import { examples, siteOption, taskId, withSite } from "./common.js";
import { registerTaskAdd } from "./task-add.js";

/** `task add|ls|show|kill|retry|export`. */
export function registerTaskCommands(program: Command): void {
  const task = examples(
    program.command("task").description("tasks: add, list, inspect, kill, retry, export provenance"),
    "task add --site ./site --app greet -p who=world",
    "task ls --site ./site --state FAILED",
  );
  registerTaskAdd(task);

  const ls = task
    .command("ls")
    .description("list tasks: id, state, app, tags, last error")
    .addOption(siteOption())
    .addOption(new Option("--state <state>", "only this state").choices(TASK_STATES))
    .option("--tag <tag>", "only this tag")
    .option("--app <name>", "only this app")
    .option("--limit <n>", "at most n", parse.integer(1, 10_000_000, "100"), 100)
    .option("--json", "print JSON")
    .action(
      async (o: {
        site?: string;
        state?: TaskState;
        tag?: string;
        app?: string;
        limit: number;
        json?: boolean;
      }) =>
        withSite(o, async (s) => {
          const tasks = await listTasks(s, { state: o.state, tag: o.tag, app: o.app, limit: o.limit });
          if (o.json) process.stdout.write(`${JSON.stringify(tasks, null, 2)}\n`);
          else
            for (const t of tasks) {
              process.stdout.write(
                `${t.id}\t${t.state}\t${t.app}\t${t.tags.join(",")}\t${t.lastError ?? ""}\n`,
              );
            }
        }),
    );
  examples(ls, "task ls --site ./site --state FAILED", "task ls --site ./site --tag demo --app greet --json");

  const show = task
    .command("show")
    .description("a task with its parents, attempts (provenance) and events")
    .argument("<id>", "task id", taskId)
    .addOption(siteOption())
    .option("--json", "print JSON")
    .action(async (id: number, o: { site?: string; json?: boolean }) =>
      withSite(o, async (s) => {
        await getTask(s, id);
        const [entry] = (await exportProvenance(s, [id])).tasks;
        if (o.json) {
          process.stdout.write(`${JSON.stringify(entry, null, 2)}\n`);
          return;
        }
        const t = entry.task;
        process.stdout.write(`task ${t.id} ${t.app} ${t.state}\nparams ${JSON.stringify(t.params)}\n`);
        process.stdout.write(`parents ${entry.parents.join(",") || "-"}\n`);
        if (t.lastError) process.stdout.write(`error ${t.lastError}\n`);
        for (const a of entry.attempts) {
          process.stdout.write(
            `attempt ${a.n} ${a.status} exit=${a.exitCode ?? "-"} signal=${a.signal ?? "-"} ${a.argv.join(" ")}\n`,
          );
        }
        for (const e of entry.events) {
          process.stdout.write(`${new Date(e.ts).toISOString()} ${e.from ?? "-"} -> ${e.to}\n`);
        }
      }),
    );
  examples(show, "task show 12 --site ./site", "task show 12 --site ./site --json");

  const kill = task
    .command("kill")
    .description("kill a task and its descendants (a launcher running one stops its process)")
    .argument("<id>", "task id", taskId)
    .addOption(siteOption())
    .action(async (id: number, o: { site?: string }) =>
      withSite(o, async (s) => {
        const killed = await killTask(s, id);
        process.stdout.write(`killed ${killed.join(" ") || "nothing"}\n`);
      }),
    );
  examples(kill, "task kill 12 --site ./site");

  const retry = task
    .command("retry")
    .description("reopen a FAILED, KILLED or UPSTREAM_FAILED task and the descendants it had stopped")
    .argument("<id>", "task id", taskId)
    .addOption(siteOption())
    .action(async (id: number, o: { site?: string }) =>
      withSite(o, async (s) => {
        const reopened = await retryTask(s, id);
        process.stdout.write(`reopened ${reopened.join(" ")}\n`);
      }),
    );
  examples(retry, "task retry 12 --site ./site");

  const exporter = task
    .command("export")
    .description("provenance of tasks as JSON: each task with its parents, attempts and events")
    .addOption(siteOption())
    .option("--out <file>", "write to a file instead of stdout (refused if it exists, unless --overwrite)")
    .option("--overwrite", "replace an existing --out file")
    .action(async (o: { site?: string; out?: string; overwrite?: boolean }) => {
      if (o.out && existsSync(o.out) && !o.overwrite) {
        throw new OutputExistsError(
          "output exists already",
          resolve(o.out),
          "no file at the output path, or --overwrite to replace it",
          "an existing file",
        );
      }
      await withSite(o, async (s) => {
        const text = `${JSON.stringify(await exportProvenance(s), null, 2)}\n`;
        if (o.out) writeFileAtomic(o.out, text);
        else process.stdout.write(text);
      });
    });
  examples(
    exporter,
    "task export --site ./site --out provenance.json",
    "task export --site ./site | jq '.tasks | length'",
  );
}
