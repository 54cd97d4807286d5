import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { freshSite, waitFor } from "../../test/helpers.js";
import { registerApp } from "../site.js";
import { addTasks, eventsSince, getTask, listTasks, taskAttempts } from "../tasks.js";
import { resolveExecutable } from "./executable.js";
import {
  type HelperProtocol,
  NODE_SPAWN_HELPER,
  nodeProtocol,
  PERL_SPAWN_HELPER,
  PYTHON_SPAWN_HELPER,
  perlProtocol,
  pythonProtocol,
} from "./helper-protocols.js";
import { HelperSpawner } from "./helper-spawner.js";
import { launch } from "./launch.js";
import { killProcessesWithEnv } from "./orphans.js";
import { type ProcessOutcome, type StartProcessOptions, startProcess } from "./process.js";
import type { Spawner } from "./spawner.js";
import { ThreadSpawner } from "./thread-spawner.js";

const dir = tempDir("tessera-spawn-");
afterAll(() => dir.cleanup());
let serial = 0;
const PATH = process.env.PATH ?? "/usr/bin:/bin";
/** perl is part of every Debian (perl-base is essential); the perl helper is tested wherever it runs. */
const PERL = resolveExecutable("perl", process.cwd(), process.env.PATH);
/** python3 (>= 3.8) is installed wherever these tests run (CI installs it with the python peers). */
const PYTHON = resolveExecutable("python3", process.cwd(), process.env.PATH);
const protocols: Array<[string, () => HelperProtocol]> = [
  ["python", () => pythonProtocol(PYTHON)],
  ["perl", () => perlProtocol(PERL)],
  ["node", () => nodeProtocol()],
];
const HELPER_PROGRAMS = [PYTHON_SPAWN_HELPER, PERL_SPAWN_HELPER, NODE_SPAWN_HELPER];

/** Folders for the PATH cases: a program found on a task's own PATH, and one that is not executable. */
const onPath = join(dir.path, "on-path");
const notExecutable = join(dir.path, "not-executable");
mkdirSync(onPath);
mkdirSync(notExecutable);
writeFileSync(join(onPath, "tessera-hello"), '#!/bin/sh\necho "hello from $0"\n', { mode: 0o755 });
writeFileSync(join(notExecutable, "tessera-hello"), "#!/bin/sh\necho no\n", { mode: 0o644 });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // a zombie has exited
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** The pid of the spawn helper that process `parent` started (null when there is none). */
function helperOf(parent: number): number | null {
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (
        ppid === parent &&
        readFileSync(`/proc/${pid}/cmdline`, "utf8")
          .split("\0")
          .some((arg) => HELPER_PROGRAMS.includes(arg))
      ) {
        return pid;
      }
    } catch {}
  }
  return null;
}

/** Run one process to its end; the work directory is fresh. */
async function run(
  spawner: Spawner,
  argv: string[],
  more: Partial<StartProcessOptions> = {},
): Promise<ProcessOutcome & { stdout: string; workdir: string }> {
  const workdir = join(dir.path, `run-${++serial}`);
  mkdirSync(workdir);
  const proc = startProcess(spawner, {
    argv,
    cwd: workdir,
    env: { PATH },
    stdoutPath: join(workdir, "stdout.log"),
    stderrPath: join(workdir, "stderr.log"),
    killGraceMs: 200,
    ...more,
  });
  const outcome = await proc.done;
  let stdout = "";
  try {
    stdout = readFileSync(join(workdir, "stdout.log"), "utf8");
  } catch {}
  return { ...outcome, stdout, workdir };
}

/** The fields two spawners must agree on (pids, times and paths differ). */
const comparable = (o: ProcessOutcome & { workdir: string }) => ({
  exitCode: o.exitCode,
  signal: o.signal,
  timedOut: o.timedOut,
  terminated: o.terminated,
  spawnError: o.spawnError ? (o.spawnError as NodeJS.ErrnoException).code : null,
  lost: o.lost,
  started: o.pid !== null,
  stdoutTail: o.stdoutTail.replaceAll(o.workdir, "<workdir>"),
  stderrTail: o.stderrTail.replaceAll(o.workdir, "<workdir>"),
});

/** The cases every spawner runs, with what each must give. */
const cases: Array<{
  name: string;
  argv: string[];
  more?: Partial<StartProcessOptions>;
  terminateAfterMs?: number;
  /** Compare stdout's lines sorted. */
  sortLines?: boolean;
  expected: Partial<ReturnType<typeof comparable>>;
}> = [
  {
    name: "exit code, tails, cwd and env",
    argv: ["sh", "-c", 'echo "out $(pwd) $FOO"; echo err >&2; exit 3'],
    more: { env: { PATH, FOO: "bar" } },
    expected: { exitCode: 3, signal: null, stdoutTail: "out <workdir> bar\n", stderrTail: "err\n" },
  },
  // an environment is a set: its order is not kept (the perl helper's follows Perl's hash order)
  {
    name: "exactly the environment given",
    argv: ["env"],
    more: { env: { PATH, ONLY: "this" } },
    sortLines: true,
    expected: { exitCode: 0, stdoutTail: `ONLY=this\nPATH=${PATH}\n` },
  },
  {
    name: "a variable dropped from one request to the next is gone",
    argv: ["env"],
    more: { env: { PATH, OTHER: "x=y" } },
    sortLines: true,
    expected: { exitCode: 0, stdoutTail: `OTHER=x=y\nPATH=${PATH}\n` },
  },
  {
    name: "stdin is empty",
    argv: ["sh", "-c", "cat; echo done"],
    expected: { exitCode: 0, stdoutTail: "done\n" },
  },
  {
    name: "killed by a signal",
    argv: ["sh", "-c", "kill -USR1 $$; sleep 5"],
    expected: { exitCode: null, signal: "SIGUSR1", timedOut: false },
  },
  {
    name: "tails keep the last bytes",
    argv: ["sh", "-c", "i=0; while [ $i -lt 300 ]; do echo line-$i; i=$((i+1)); done"],
    more: { tailBytes: 18 },
    expected: { exitCode: 0, stdoutTail: "line-298\nline-299\n" },
  },
  {
    name: "walltime: SIGTERM, then SIGKILL to a process that ignores it",
    // SIGTERM ignored from exec on (env sets it, the shell and its children inherit it): a shell's
    // own `trap` can come after the walltime on a loaded machine
    argv: ["env", "--ignore-signal=TERM", "sh", "-c", "echo armed; while :; do sleep 0.05; done"],
    more: { walltimeMs: 1000 },
    expected: { timedOut: true, exitCode: null, signal: "SIGKILL", stdoutTail: "armed\n" },
  },
  {
    name: "terminate: SIGTERM to the group",
    argv: ["sh", "-c", "sleep 30"],
    terminateAfterMs: 100,
    expected: { terminated: true, exitCode: null, signal: "SIGTERM" },
  },
  {
    name: "a missing executable",
    argv: ["/nonexistent/bin/simulate"],
    expected: { spawnError: "ENOENT", started: false, exitCode: null },
  },
  {
    name: "a name found on the PATH of the task's environment, not the launcher's",
    argv: ["tessera-hello"],
    more: { env: { PATH: `${onPath}:${PATH}` } },
    expected: { exitCode: 0, stdoutTail: `hello from ${join(onPath, "tessera-hello")}\n` },
  },
  {
    name: "a name not on the PATH",
    argv: ["tessera-hello"],
    expected: { spawnError: "ENOENT", started: false },
  },
  {
    name: "a name on the PATH only as a file that is not executable",
    argv: ["tessera-hello"],
    more: { env: { PATH: `${notExecutable}:${PATH}` } },
    expected: { spawnError: "EACCES", started: false },
  },
  {
    name: "a NUL byte in an argument",
    argv: ["echo", "a\0b"],
    expected: { spawnError: "ERR_INVALID_ARG_VALUE", started: false },
  },
  {
    name: "a missing working directory",
    argv: ["true"],
    more: { cwd: "/nonexistent/workdir" },
    expected: { spawnError: "ENOENT", started: false },
  },
];

async function outcomeOf(spawner: Spawner, c: (typeof cases)[number]) {
  if (c.terminateAfterMs !== undefined) return terminated(spawner, c.argv, c.terminateAfterMs);
  const outcome = comparable(await run(spawner, c.argv, c.more));
  if (c.sortLines) outcome.stdoutTail = `${outcome.stdoutTail.trimEnd().split("\n").sort().join("\n")}\n`;
  return outcome;
}

const spawners: Array<[string, () => Spawner]> = [
  [
    "python helper",
    () => new HelperSpawner({ protocol: pythonProtocol(PYTHON), fallback: () => new ThreadSpawner(0) }),
  ],
  [
    "perl helper",
    () => new HelperSpawner({ protocol: perlProtocol(PERL), fallback: () => new ThreadSpawner(0) }),
  ],
  [
    "node helper",
    () => new HelperSpawner({ protocol: nodeProtocol(), fallback: () => new ThreadSpawner(0) }),
  ],
  ["spawner threads", () => new ThreadSpawner(2)],
  ["main thread", () => new ThreadSpawner(0)],
];

describe("startProcess", () => {
  it("gives the expected outcome in every case, the same through the three helpers, spawner threads and the main thread", async () => {
    const made = spawners.map(([name, make]) => [name, make()] as const);
    try {
      for (const c of cases) {
        const outcomes: Record<string, ReturnType<typeof comparable>> = {};
        for (const [name, spawner] of made) {
          outcomes[name] = await outcomeOf(spawner, c);
          expect(outcomes[name], `${c.name} (${name})`).toMatchObject(c.expected);
        }
        // each gives what the spawner threads (the launcher's default before the helpers) gave
        for (const name of ["python helper", "perl helper", "node helper", "main thread"]) {
          expect(outcomes[name], `${c.name} (${name})`).toEqual(outcomes["spawner threads"]);
        }
      }
      for (const [name, spawner] of made) {
        if (spawner instanceof HelperSpawner) expect(spawner.fellBack, name).toBe(false);
      }
    } finally {
      for (const [, spawner] of made) await spawner.close();
    }
  });
});

describe.each(spawners)("startProcess through the %s", (_name, make) => {
  it("stops the whole process group at the walltime and on terminate", async () => {
    const spawner = make();
    try {
      for (const how of ["walltime", "terminate"] as const) {
        // On a loaded machine a short walltime can end the shell before it has started the
        // grandchild; then the case proves nothing, so it is run again with a longer walltime.
        let started: { proc: ReturnType<typeof startProcess>; grandchild: number } | undefined;
        for (const walltimeMs of [1500, 6000, 20000]) {
          const workdir = join(dir.path, `group-${how}-${++serial}`);
          mkdirSync(workdir);
          // the shell starts a grandchild in its group, reports its pid, and waits
          const proc = startProcess(spawner, {
            argv: ["sh", "-c", "sleep 60 & echo $! > grandchild.pid; wait"],
            cwd: workdir,
            env: { PATH },
            stdoutPath: join(workdir, "stdout.log"),
            stderrPath: join(workdir, "stderr.log"),
            killGraceMs: 200,
            walltimeMs: how === "walltime" ? walltimeMs : undefined,
          });
          let ended = false;
          void proc.done.then(() => {
            ended = true;
          });
          const grandchild = await waitFor(() => {
            if (ended) return -1;
            try {
              return Number(readFileSync(join(workdir, "grandchild.pid"), "utf8")) || undefined;
            } catch {
              return undefined;
            }
          }, "the grandchild's pid");
          // a grandchild already stopped by the walltime (ended just after writing its pid) counts as not started
          if (grandchild > 0 && !(ended && !alive(grandchild))) {
            started = { proc, grandchild };
            break;
          }
        }
        if (!started) throw new Error(`the shell never started its grandchild (${how})`);
        const { proc, grandchild } = started;
        expect(alive(grandchild)).toBe(true);
        if (how === "terminate") proc.terminate();
        const outcome = await proc.done;
        expect(outcome.signal, how).toBe("SIGTERM");
        expect(how === "walltime" ? outcome.timedOut : outcome.terminated, how).toBe(true);
        await waitFor(() => !alive(grandchild), `the grandchild to be stopped (${how})`, 5000);
      }
    } finally {
      await spawner.close();
    }
  });
});

async function terminated(spawner: Spawner, argv: string[], afterMs: number) {
  const workdir = join(dir.path, `term-${++serial}`);
  mkdirSync(workdir);
  const proc = startProcess(spawner, {
    argv,
    cwd: workdir,
    env: { PATH },
    stdoutPath: join(workdir, "stdout.log"),
    stderrPath: join(workdir, "stderr.log"),
    killGraceMs: 200,
  });
  await proc.pid;
  await new Promise((r) => setTimeout(r, afterMs));
  proc.terminate();
  return comparable({ ...(await proc.done), workdir });
}

describe.each(protocols)("the %s spawn helper dies", (kind, protocol) => {
  it("its running children are stopped and reported lost; it is restarted; past maxRestarts, starts fall back", async () => {
    const events: string[] = [];
    const spawner = new HelperSpawner({
      protocol: protocol(),
      fallback: () => new ThreadSpawner(1),
      maxRestarts: 1,
      onEvent: (event) => events.push(event),
    });
    try {
      for (let death = 1; death <= 2; death++) {
        const workdir = join(dir.path, `death-${kind}-${death}`);
        mkdirSync(workdir);
        const proc = startProcess(spawner, {
          argv: ["sh", "-c", "sleep 30 & wait"],
          cwd: workdir,
          env: { PATH },
          stdoutPath: join(workdir, "stdout.log"),
          stderrPath: join(workdir, "stderr.log"),
          killGraceMs: 200,
        });
        const pid = (await proc.pid)!;
        const helper = spawner.helperPid!;
        expect(helper).not.toBe(pid);
        process.kill(helper, "SIGKILL");
        const outcome = await proc.done;
        expect(outcome.lost).toMatch(/^the spawn helper died \(signal SIGKILL\): exit status unknown/);
        expect(outcome).toMatchObject({ exitCode: null, signal: null, pid });
        await waitFor(() => !alive(pid), "the lost child to be stopped", 5000);
        // the next start works: through a new helper after the first death, the fallback after the second
        const after = await run(spawner, ["sh", "-c", "echo again"]);
        expect(after).toMatchObject({ exitCode: 0, stdoutTail: "again\n", lost: null });
        if (death === 1) {
          expect(spawner.fellBack).toBe(false);
          expect(spawner.helperPid).not.toBe(helper);
        } else {
          expect(spawner.fellBack).toBe(true);
          expect(spawner.helperPid).toBeNull();
        }
      }
      expect(events).toEqual(["died", "died", "fallback"]);
    } finally {
      await spawner.close();
    }
  });

  it("a launcher whose helper is killed requeues the tasks it was running (no retry spent) and finishes them all", async () => {
    const site = await freshSite();
    const gate = join(site.dir, "gate");
    await registerApp(site, {
      name: "work",
      argv: ["sh", "-c", 'while [ ! -e "$0" ]; do sleep 0.02; done; echo "$TESSERA_ATTEMPT"', gate],
    });
    const ids = await addTasks(
      site,
      Array.from({ length: 4 }, () => ({ app: "work" })),
    );
    const running = launch({
      site,
      maxCpus: 2,
      pollMs: 20,
      killGraceMs: 200,
      leaseMs: 5000,
      spawnHelper: kind as "python" | "perl" | "node",
    });
    const first = await waitFor(async () => {
      const rows = await listTasks(site, { state: "RUNNING" });
      return rows.length === 2 ? rows.map((t) => t.id) : undefined;
    }, "two running tasks");
    const pids = await Promise.all(first.map(async (id) => (await taskAttempts(site, id))[0].pid!));
    const helper = helperOf(process.pid);
    expect(helper).not.toBeNull();
    process.kill(helper!, "SIGKILL");
    for (const pid of pids) await waitFor(() => !alive(pid), "the lost runs to be stopped", 5000);
    writeFileSync(gate, "");
    const summary = await running;
    expect(summary).toMatchObject({ finished: 4, failed: 0, retried: 0 });
    for (const id of ids) {
      const task = await getTask(site, id);
      expect(task.state).toBe("JOB_FINISHED");
      expect(task.errorRetries).toBe(0);
      const statuses = (await taskAttempts(site, id)).map((a) => a.status);
      expect(statuses).toEqual(first.includes(id) ? ["stopped", "done"] : ["done"]);
    }
    for (const id of first) {
      const requeued = (await eventsSince(site, 0, { taskId: id })).find((e) => e.to === "RESTART_READY");
      expect(requeued?.data?.reason).toMatch(/^the spawn helper died \(signal SIGKILL\)/);
    }
    expect(readFileSync(join(site.dir, "logs", "workflow.log"), "utf8")).toContain("spawn helper died");
  });

  it("a helper that cannot start, or exits before it is ready, sends everything to the fallback", async () => {
    const broken: Array<[string, string[]]> = [
      ["cannot start", ["/nonexistent/bin/interpreter", protocol().program!]],
      [
        "exits before ready",
        {
          python: [PYTHON, "-c", "exit(3)"],
          perl: [PERL, "-e", "exit 3"],
          node: [process.execPath, "-e", "process.exit(3)"],
        }[kind]!,
      ],
    ];
    for (const [how, command] of broken) {
      const events: string[] = [];
      const spawner = new HelperSpawner({
        protocol: { ...protocol(), command },
        fallback: () => new ThreadSpawner(0),
        onEvent: (event) => events.push(event),
      });
      try {
        const [a, b] = await Promise.all([
          run(spawner, ["sh", "-c", "echo a"]),
          run(spawner, ["sh", "-c", "exit 4"]),
        ]);
        expect(a, how).toMatchObject({ exitCode: 0, stdoutTail: "a\n", lost: null, spawnError: null });
        expect(b, how).toMatchObject({ exitCode: 4, lost: null });
        expect(spawner.fellBack, how).toBe(true);
        expect(events, how).toEqual(["fallback"]);
      } finally {
        await spawner.close();
      }
    }
  });
});

describe.each(protocols)("the %s spawn helper finds programs on the PATH", (kind, protocol) => {
  it("as the task's PATH is now: a program that moved to a later PATH folder is found there", async () => {
    const [first, second] = ["first", "second"].map((name) => join(dir.path, `moving-${kind}-${name}`));
    mkdirSync(first);
    mkdirSync(second);
    writeFileSync(join(first, "tessera-moving"), '#!/bin/sh\necho "$0"\n', { mode: 0o755 });
    const env = { PATH: `${first}:${second}:${PATH}` };
    const spawner = new HelperSpawner({ protocol: protocol(), fallback: () => new ThreadSpawner(0) });
    try {
      const before = await run(spawner, ["tessera-moving"], { env });
      expect(before).toMatchObject({ exitCode: 0, stdoutTail: `${join(first, "tessera-moving")}\n` });
      renameSync(join(first, "tessera-moving"), join(second, "tessera-moving"));
      const after = await run(spawner, ["tessera-moving"], { env });
      expect(after).toMatchObject({ exitCode: 0, stdoutTail: `${join(second, "tessera-moving")}\n` });
      renameSync(join(second, "tessera-moving"), join(dir.path, `gone-${kind}`));
      const gone = await run(spawner, ["tessera-moving"], { env });
      expect((gone.spawnError as NodeJS.ErrnoException | null)?.code).toBe("ENOENT");
      expect(spawner.fellBack).toBe(false);
    } finally {
      await spawner.close();
    }
  });
});

describe("the launcher's spawner", () => {
  it("is the python helper by default when python3 is on the PATH, else what spawnHelper says", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "ok", argv: ["true"] });
    const choices = [undefined, "perl", "node", false] as const;
    for (const choice of choices) {
      await addTasks(site, [{ app: "ok" }]);
      const summary = await launch({ site, maxCpus: 2, pollMs: 20, spawnHelper: choice });
      expect(summary.finished).toBe(1);
    }
    const started = readFileSync(join(site.dir, "logs", "workflow.log"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.msg === "launcher started")
      .map((entry) => entry.spawner);
    expect(started).toEqual(["python helper", "perl helper", "node helper", "2 threads"]);
  });

  it("is the perl helper by default when python3 is not on the PATH", async () => {
    const site = await freshSite();
    await registerApp(site, { name: "ok", argv: ["/bin/sh", "-c", "exit 0"] });
    await addTasks(site, [{ app: "ok" }]);
    const onlyPerl = join(dir.path, "only-perl");
    mkdirSync(onlyPerl);
    symlinkSync(PERL, join(onlyPerl, "perl"));
    const saved = process.env.PATH;
    process.env.PATH = onlyPerl;
    try {
      expect((await launch({ site, maxCpus: 1, pollMs: 20 })).finished).toBe(1);
    } finally {
      process.env.PATH = saved;
    }
    const log = readFileSync(join(site.dir, "logs", "workflow.log"), "utf8");
    expect(
      JSON.parse(
        log
          .trim()
          .split("\n")
          .find((l) => l.includes('"launcher started"'))!,
      ).spawner,
    ).toBe("perl helper");
  });
});

describe("finding processes by their environment", () => {
  it("killProcessesWithEnv stops the processes with exactly that environment, and only those", async () => {
    const marker = `tessera-test-${process.pid}-${Date.now()}`;
    const env = { PATH, MARK: marker };
    const start = (e: Record<string, string>) => {
      const c = spawn("sleep", ["30"], { env: e, detached: true, stdio: "ignore" });
      c.unref();
      return c.pid!;
    };
    const target = start(env);
    const superset = start({ ...env, EXTRA: "1" });
    try {
      await waitFor(() => readFileSync(`/proc/${target}/environ`, "utf8").includes(marker), "sleep to exec");
      expect(killProcessesWithEnv(env)).toEqual([target]);
      await waitFor(() => !alive(target), "the matching process to be stopped", 5000);
      expect(alive(superset)).toBe(true);
    } finally {
      for (const pid of [target, superset]) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
    }
  });
});
