#!/usr/bin/env node
// Dispatch of no-op tasks (`true`) through the launcher (built dist), side by side with `xargs -P`
// running the same command the same number of times, alternating, medians over rounds.
// Usage: node tools/bench/workflow/dispatch.mjs [--dispatch 2000] [--cpus 2] [--rounds 3] [--prefetch N]
//        [--modes python,xargs,perl,node,threads] [--json out.json]
// (run.mjs calls it first; pin it yourself, e.g. `taskset -c 0,1`, to measure "on 2 cores")
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
export const DIST = resolve(here, "../../../packages/workflow/dist/index.js");

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const median = (xs) => pct(xs, 50);
const fmt = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(1));

/** CPU seconds (self, and reaped children) of a process from /proc (Linux), null elsewhere. */
function cpuOf(statPath) {
  try {
    const f = readFileSync(statPath, "utf8").split(") ")[1].split(" ");
    return { self: (+f[11] + +f[12]) / 100, children: (+f[13] + +f[14]) / 100 };
  } catch {
    return null;
  }
}

/**
 * One launcher run in a fresh process (as `tessera-workflow launch` would be): a site with `tasks`
 * no-op tasks, launched with `maxCpus: cpus`. Returns the summary, wall seconds, CPU seconds (the
 * launcher process; its reaped children: the spawn helper and the tasks) and the attempts' times.
 */
async function launcherRun(wf, root, { tasks, cpus, prefetch, spawnHelper }) {
  // spawnHelper: "python", "perl", "node" or false (spawner threads)
  const site = await wf.createSite(mkdtempSync(join(root, "site-")));
  await wf.registerApp(site, { name: "noop", argv: ["true"] });
  await wf.addTasks(
    site,
    Array.from({ length: tasks }, () => ({ app: "noop" })),
  );
  const out = JSON.parse(
    execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { readFileSync } from "node:fs";
         const wf = await import(${JSON.stringify(DIST)});
         const cpu = () => { try { const f = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
           return { self: (+f[11] + +f[12]) / 100, children: (+f[13] + +f[14]) / 100 }; } catch { return null; } };
         const c0 = cpu(); const t0 = performance.now();
         const s = await wf.launch({ site: process.argv[1], maxCpus: ${cpus}, pollMs: 5, leaseMs: 10000,
           spawnHelper: ${JSON.stringify(spawnHelper)}${prefetch === undefined ? "" : `, prefetch: ${prefetch}`} });
         const wallS = (performance.now() - t0) / 1000; const c1 = cpu();
         console.log(JSON.stringify({ ...s, wallS, cpu: c0 && c1 ? { self: c1.self - c0.self, children: c1.children - c0.children } : null }));`,
        site.dir,
      ],
      { encoding: "utf8" },
    ),
  );
  const attempts = site.store.db.prepare("SELECT task_id, started_at, ended_at FROM attempts").all();
  const finishedAt = new Map(
    site.store.db
      .prepare("SELECT task_id, ts FROM events WHERE to_state = 'JOB_FINISHED'")
      .all()
      .map((r) => [r.task_id, r.ts]),
  );
  await wf.closeSite(site);
  rmSync(site.dir, { recursive: true, force: true });
  return { ...out, attempts, finishedAt };
}

/** `seq N | xargs -P cpus -n 1 true`: wall seconds and CPU seconds of the whole pipeline. */
function xargsRun(tasks, cpus) {
  const before = cpuOf("/proc/self/stat");
  const t0 = performance.now();
  execFileSync("sh", ["-c", `seq 1 ${tasks} | xargs -P ${cpus} -n 1 true`]);
  const wallS = (performance.now() - t0) / 1000;
  const after = cpuOf("/proc/self/stat");
  return { wallS, cpu: before && after ? after.children - before.children : null };
}

/** Added latency per task: slot free -> next spawn, and exit -> JOB_FINISHED committed (ms). */
function latencies(run, cpus) {
  const { attempts, finishedAt } = run;
  const starts = attempts.map((a) => a.started_at).sort((a, b) => a - b);
  const ends = attempts.map((a) => a.ended_at).sort((a, b) => a - b);
  const byStart = [...attempts].sort((a, b) => a.started_at - b.started_at);
  const startGap = [];
  const finishLag = [];
  const added = [];
  for (let k = cpus; k < byStart.length; k++) {
    startGap.push(starts[k] - ends[k - cpus]);
    finishLag.push(finishedAt.get(byStart[k].task_id) - byStart[k].ended_at);
    added.push(startGap.at(-1) + finishLag.at(-1));
  }
  const processMs = attempts.map((a) => a.ended_at - a.started_at);
  return { added, startGap, finishLag, processMs };
}

/**
 * The dispatch benchmark: `rounds` rounds of [launcher with the python spawn helper (the default), xargs,
 * launcher with the perl, then the node spawn helper, launcher with spawner threads (how it started
 * tasks before the helpers)], printing medians, the ratios to xargs and the goal.
 */
export async function benchDispatch({
  wf,
  tasks = 2000,
  cpus = 2,
  rounds = 3,
  prefetch,
  only = ["python", "xargs", "perl", "node", "threads"],
  log = console.log,
}) {
  if (!only.includes("python") || !only.includes("xargs"))
    throw new Error("--modes must include python and xargs");
  for (const program of ["python3", "perl"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${program}`], { stdio: "ignore" });
    } catch {
      log(`  (no ${program} on the PATH: its runs below fall back to the next helper)`);
    }
  }
  const root = mkdtempSync(join(tmpdir(), "tessera-bench-dispatch-"));
  const modes = [
    ["python", "launcher, python spawn helper", "python"],
    ["xargs", `xargs -P ${cpus}`, null],
    ["perl", "launcher, perl spawn helper", "perl"],
    ["node", "launcher, node spawn helper", "node"],
    ["threads", "launcher, spawner threads", false],
  ].filter(([mode]) => only.includes(mode));
  const runs = Object.fromEntries(modes.map(([mode]) => [mode, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      for (const [mode, , spawnHelper] of modes) {
        if (mode === "xargs") runs.xargs.push(xargsRun(tasks, cpus));
        else runs[mode].push(await launcherRun(wf, root, { tasks, cpus, prefetch, spawnHelper }));
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const launchers = ["python", "perl", "node", "threads"].filter((mode) => only.includes(mode));
  for (const mode of launchers) {
    for (const run of runs[mode]) {
      if (run.finished !== tasks) throw new Error(`${mode}: ${run.finished} of ${tasks} tasks finished`);
    }
  }
  const rate = (mode) => median(runs[mode].map((x) => tasks / x.wallS));
  const cpuPerTask = (mode) => {
    const xs = runs[mode].map((x) => (mode === "xargs" ? x.cpu : x.cpu ? x.cpu.self + x.cpu.children : null));
    return xs.includes(null) ? null : (median(xs) * 1000) / tasks;
  };
  const launcherSelf = (mode) =>
    runs[mode][0].cpu ? (median(runs[mode].map((x) => x.cpu.self)) * 1000) / tasks : null;
  const result = {
    tasks,
    cpus,
    rounds,
    tasksPerSecond: {},
    ratioToXargs: {},
    cpuMsPerTask: {},
    launcherCpuMsPerTask: {},
  };
  for (const [mode] of modes) {
    result.tasksPerSecond[mode] = rate(mode);
    result.cpuMsPerTask[mode] = cpuPerTask(mode);
    if (mode !== "xargs") {
      result.ratioToXargs[mode] = rate(mode) / rate("xargs");
      result.launcherCpuMsPerTask[mode] = launcherSelf(mode);
    }
  }
  const lat = latencies(runs.python.at(-1), cpus);
  result.pythonLatencyMs = {
    addedP50: median(lat.added),
    addedP95: pct(lat.added, 95),
    slotToSpawnP50: median(lat.startGap),
    exitToFinishedP50: median(lat.finishLag),
    processP50: median(lat.processMs),
  };
  result.goal = { tasksPerSecond: 500, met: result.tasksPerSecond.python >= 500 };

  log(`dispatch of ${tasks} \`true\` tasks on ${cpus} cores (medians of ${rounds} alternating rounds):`);
  for (const [mode, label] of modes) {
    const c = result.cpuMsPerTask[mode];
    const self = result.launcherCpuMsPerTask[mode];
    log(
      `  ${label.padEnd(28)} ${String(Math.round(rate(mode))).padStart(5)} tasks/s` +
        (mode === "xargs" ? "        " : `  ${result.ratioToXargs[mode].toFixed(2)}x xargs`) +
        (c === null ? "" : `  CPU ${fmt(c)} ms/task`) +
        (self == null ? "" : ` (launcher process ${fmt(self)})`) +
        `  [${runs[mode].map((x) => fmt(x.wallS)).join(", ")} s]`,
    );
  }
  const h = result.pythonLatencyMs;
  log(
    `  python helper, added latency per task (slot free->spawn + exit->JOB_FINISHED): p50 ${fmt(h.addedP50)} ms, p95 ${fmt(h.addedP95)} ms (slot->spawn p50 ${fmt(h.slotToSpawnP50)}, exit->finished p50 ${fmt(h.exitToFinishedP50)}); spawn request to exit p50 ${fmt(h.processP50)} ms`,
  );
  log(
    `  goal >= 500 tasks/s (python spawn helper, the default where python3 exists): ${result.goal.met ? "met" : "NOT met"}`,
  );
  return result;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values: opt } = parseArgs({
    options: {
      dispatch: { type: "string", default: "2000" },
      cpus: { type: "string", default: "2" },
      rounds: { type: "string", default: "3" },
      prefetch: { type: "string" },
      modes: { type: "string", default: "python,xargs,perl,node,threads" },
      json: { type: "string" },
    },
  });
  const wf = await import(DIST).catch(() => {
    console.error(`cannot import ${DIST}: build first (cd packages/workflow && npx tsup)`);
    process.exit(1);
  });
  const { availableParallelism, loadavg } = await import("node:os");
  console.log(
    `node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")} (other processes slow every figure below)`,
  );
  const result = await benchDispatch({
    wf,
    tasks: Number(opt.dispatch),
    cpus: Number(opt.cpus),
    rounds: Number(opt.rounds),
    prefetch: opt.prefetch === undefined ? undefined : Number(opt.prefetch),
    only: opt.modes.split(","),
  });
  if (opt.json) (await import("node:fs")).writeFileSync(opt.json, `${JSON.stringify(result, null, 2)}\n`);
}
