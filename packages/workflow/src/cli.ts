import { writeFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { InvalidFieldError, WorkflowError } from "./errors.js";
import { launch } from "./launcher/launch.js";
import { closeSite, createSite, openSite, type Site } from "./site.js";
import { FINAL_STATES, isTaskState, TASK_STATES, type TaskState } from "./states.js";
import {
  addTasks,
  countTasks,
  eventsSince,
  exportProvenance,
  getTask,
  killTask,
  listTasks,
  retryTask,
} from "./tasks.js";

function siteDir(opts: { site?: string }): string {
  return opts.site ?? process.env.TESSERA_SITE ?? process.cwd();
}

function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      if (error instanceof WorkflowError) {
        process.stderr.write(`error [${error.code}]: ${error.message}\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`error: ${(error as Error)?.message ?? String(error)}\n`);
        process.exitCode = 1;
      }
    }
  };
}

async function withSite(opts: { site?: string }, fn: (site: Site) => Promise<void>): Promise<void> {
  const site = await openSite(siteDir(opts));
  try {
    await fn(site);
  } finally {
    await closeSite(site);
  }
}

function int(field: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new InvalidFieldError(field, "an integer", JSON.stringify(value));
    return n;
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function parseJson(field: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidFieldError(field, "JSON", JSON.stringify(text));
  }
}

function parseParams(json: string | undefined, pairs: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = json
    ? (parseJson("--params", json) as Record<string, unknown>)
    : {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new InvalidFieldError("--param", "key=value", JSON.stringify(pair));
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    params[pair.slice(0, eq)] = value;
  }
  return params;
}

/** Parse `--since`: ms since epoch, an ISO date, or a relative `-30s` / `-5m` / `-2h`. */
export function parseSince(text: string): number {
  const rel = /^-(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (rel) {
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[rel[2] as "ms" | "s" | "m" | "h"];
    return Date.now() - Number(rel[1]) * unit;
  }
  if (/^\d+$/.test(text)) return Number(text);
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw new InvalidFieldError("--since", "ms since epoch, an ISO date or -30s/-5m/-2h", text);
  return t;
}

const siteOption = () =>
  new Option("--site <dir>", "site folder (default $TESSERA_SITE, else the current folder)");

/**
 * Add the workflow commands to a commander program: `site init`, `app ls`,
 * `task add|ls|show|kill|retry`, `launch`, `events`, `status`. Errors print one line
 * (`error [CODE]: ...`) and set a non-zero exit code.
 */
export function registerWorkflowCommands(program: Command): void {
  const site = program.command("site").description("task sites");
  site
    .command("init <dir>")
    .description("create a site: folder, site.json, task database")
    .option("--apps <module>", "ES module exporting app definitions (repeatable)", collect, [])
    .action(
      action(async (dir: string, o: { apps: string[] }) => {
        const s = await createSite(dir, { appModules: o.apps });
        process.stdout.write(`${s.dir}\n`);
        await closeSite(s);
      }),
    );

  const app = program.command("app").description("apps registered on a site");
  app
    .command("ls")
    .addOption(siteOption())
    .option("--json", "print JSON")
    .action(
      action(async (o: { site?: string; json?: boolean }) =>
        withSite(o, async (s) => {
          const specs = await s.store.listApps();
          const names = new Set([...specs.map((a) => a.name), ...s.apps.keys()]);
          if (o.json) {
            process.stdout.write(`${JSON.stringify(specs, null, 2)}\n`);
            return;
          }
          for (const name of [...names].sort()) {
            const a = s.apps.get(name);
            process.stdout.write(`${name}\t${(a?.argv ?? ["(worker)"]).join(" ")}\n`);
          }
        }),
      ),
    );

  const task = program.command("task").description("tasks");
  task
    .command("add")
    .description("add a task (prints its id)")
    .addOption(siteOption())
    .requiredOption("--app <name>", "app name")
    .option("--params <json>", "parameters as a JSON object")
    .option("-p, --param <key=value>", "one parameter (value parsed as JSON when it is JSON)", collect, [])
    .option("--tag <tag>", "tag (repeatable)", collect, [])
    .option("--parent <id>", "parent task id (repeatable)", collect, [])
    .option("--resources <json>", "resources override as JSON")
    .action(
      action(
        async (o: {
          site?: string;
          app: string;
          params?: string;
          param: string[];
          tag: string[];
          parent: string[];
          resources?: string;
        }) =>
          withSite(o, async (s) => {
            const parents = o.parent.map(int("--parent"));
            const [id] = await addTasks(s, [
              {
                app: o.app,
                params: parseParams(o.params, o.param),
                tags: o.tag,
                parents,
                resources: o.resources ? (parseJson("--resources", o.resources) as object) : undefined,
              },
            ]);
            process.stdout.write(`${id}\n`);
          }),
      ),
    );
  task
    .command("ls")
    .addOption(siteOption())
    .option("--state <state>", "only this state")
    .option("--tag <tag>", "only this tag")
    .option("--app <name>", "only this app")
    .option("--limit <n>", "at most n", int("--limit"), 100)
    .option("--json", "print JSON")
    .action(
      action(
        async (o: {
          site?: string;
          state?: string;
          tag?: string;
          app?: string;
          limit: number;
          json?: boolean;
        }) =>
          withSite(o, async (s) => {
            if (o.state !== undefined && !isTaskState(o.state)) {
              throw new InvalidFieldError("--state", TASK_STATES.join("|"), o.state);
            }
            const tasks = await listTasks(s, {
              state: o.state as TaskState,
              tag: o.tag,
              app: o.app,
              limit: o.limit,
            });
            if (o.json) process.stdout.write(`${JSON.stringify(tasks, null, 2)}\n`);
            else
              for (const t of tasks) {
                process.stdout.write(
                  `${t.id}\t${t.state}\t${t.app}\t${t.tags.join(",")}\t${t.lastError ?? ""}\n`,
                );
              }
          }),
      ),
    );
  task
    .command("show <id>")
    .description("a task with its parents, attempts (provenance) and events")
    .addOption(siteOption())
    .option("--json", "print JSON")
    .action(
      action(async (id: string, o: { site?: string; json?: boolean }) =>
        withSite(o, async (s) => {
          const n = int("id")(id);
          await getTask(s, n);
          const [entry] = (await exportProvenance(s, [n])).tasks;
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
      ),
    );
  task
    .command("kill <id>")
    .description("kill a task and its descendants")
    .addOption(siteOption())
    .action(
      action(async (id: string, o: { site?: string }) =>
        withSite(o, async (s) => {
          const killed = await killTask(s, int("id")(id));
          process.stdout.write(`killed ${killed.join(" ") || "nothing"}\n`);
        }),
      ),
    );
  task
    .command("retry <id>")
    .description("reopen a FAILED, KILLED or UPSTREAM_FAILED task")
    .addOption(siteOption())
    .action(
      action(async (id: string, o: { site?: string }) =>
        withSite(o, async (s) => {
          const reopened = await retryTask(s, int("id")(id));
          process.stdout.write(`reopened ${reopened.join(" ")}\n`);
        }),
      ),
    );
  task
    .command("export")
    .description("provenance of tasks as JSON")
    .addOption(siteOption())
    .option("--out <file>", "write to a file instead of stdout")
    .action(
      action(async (o: { site?: string; out?: string }) =>
        withSite(o, async (s) => {
          const text = `${JSON.stringify(await exportProvenance(s), null, 2)}\n`;
          if (o.out) writeFileSync(o.out, text);
          else process.stdout.write(text);
        }),
      ),
    );

  program
    .command("launch")
    .description("run READY tasks on this machine until none is left (SIGINT: stop gracefully)")
    .addOption(siteOption())
    .addOption(new Option("--backend <name>", "backend").choices(["local"]).default("local"))
    .option("--max-cpus <n>", "cores to use", int("--max-cpus"))
    .option("--max-gpus <n>", "GPUs to use", int("--max-gpus"))
    .option("--lease-ms <ms>", "launcher lease", int("--lease-ms"))
    .option("--poll-ms <ms>", "poll interval when idle", int("--poll-ms"))
    .option("--kill-grace-ms <ms>", "SIGTERM to SIGKILL delay", int("--kill-grace-ms"))
    .addOption(
      new Option("--on-stop <mode>", "on SIGINT/SIGTERM").choices(["finish", "requeue"]).default("finish"),
    )
    .option("--keep-running", "wait for new tasks instead of exiting when idle")
    .addOption(
      new Option(
        "--spawn-helper <kind>",
        "process that starts the tasks (auto: perl if on the PATH, else node)",
      )
        .choices(["auto", "perl", "node"])
        .default("auto"),
    )
    .option("--no-spawn-helper", "start tasks from threads of the launcher instead of a helper process")
    .option("--no-progress", "no progress bar")
    .action(
      action(
        async (o: {
          site?: string;
          maxCpus?: number;
          maxGpus?: number;
          leaseMs?: number;
          pollMs?: number;
          killGraceMs?: number;
          onStop: "finish" | "requeue";
          keepRunning?: boolean;
          spawnHelper: "auto" | "perl" | "node" | false;
          progress: boolean;
        }) =>
          withSite(o, async (s) => {
            const cliProgress =
              o.progress && process.stderr.isTTY ? (await import("cli-progress")).default : undefined;
            const bar = cliProgress
              ? new cliProgress.SingleBar(
                  { stream: process.stderr, format: "{bar} {value}/{total} final | {running} running" },
                  cliProgress.Presets.shades_classic,
                )
              : undefined;
            let barStarted = false;
            const summary = await launch({
              site: s,
              backend: "local",
              maxCpus: o.maxCpus,
              maxGpus: o.maxGpus,
              leaseMs: o.leaseMs,
              pollMs: o.pollMs,
              killGraceMs: o.killGraceMs,
              onStop: o.onStop,
              untilIdle: !o.keepRunning,
              spawnHelper: o.spawnHelper,
              handleSignals: true,
              onProgress: bar
                ? (counts) => {
                    const total = Object.values(counts).reduce((a, b) => a + b, 0);
                    const final = FINAL_STATES.reduce((a, st) => a + counts[st], 0);
                    const payload = { running: counts.RUNNING };
                    if (!barStarted) {
                      bar.start(total, final, payload);
                      barStarted = true;
                    } else {
                      bar.setTotal(total);
                      bar.update(final, payload);
                    }
                  }
                : undefined,
            });
            bar?.stop();
            process.stdout.write(
              `launcher ${summary.launcherId}: ${summary.finished} finished, ${summary.failed} failed, ${summary.retried} retried, ${summary.abandoned} abandoned in ${(summary.durationMs / 1000).toFixed(1)} s (${summary.reason})\n`,
            );
          }),
      ),
    );

  program
    .command("events")
    .description("the event log")
    .addOption(siteOption())
    .option("--since <time>", "ms since epoch, ISO date, or -30s/-5m/-2h", "0")
    .option("--task <id>", "only this task", int("--task"))
    .option("--limit <n>", "at most n", int("--limit"), 1000)
    .option("--json", "print JSON")
    .action(
      action(async (o: { site?: string; since: string; task?: number; limit: number; json?: boolean }) =>
        withSite(o, async (s) => {
          const events = await eventsSince(s, parseSince(o.since), { taskId: o.task, limit: o.limit });
          if (o.json) process.stdout.write(`${JSON.stringify(events, null, 2)}\n`);
          else
            for (const e of events) {
              process.stdout.write(
                `${new Date(e.ts).toISOString()}\t${e.taskId}\t${e.from ?? "-"} -> ${e.to}${e.data ? `\t${JSON.stringify(e.data)}` : ""}\n`,
              );
            }
        }),
      ),
    );

  program
    .command("status")
    .description("counts by state, throughput over the last minute, failures with their errors")
    .addOption(siteOption())
    .option("--json", "print JSON")
    .action(
      action(async (o: { site?: string; json?: boolean }) =>
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
      ),
    );
}
