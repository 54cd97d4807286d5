#!/usr/bin/env node
// Benchmarks of @tessera/workflow (built dist): bulk creation, queries on a 1,000,000-task site,
// readability by another process during writes, dispatch of no-op tasks vs `xargs -P 2`.
// Usage: node tools/bench/workflow/run.mjs [--tasks 1000000] [--dispatch 2000] [--cpus 2] [--rounds 3] [--json out.json]
// (the dispatch part alone: dispatch.mjs)
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { benchDispatch } from "./dispatch.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dist = resolve(here, "../../../packages/workflow/dist/index.js");
const wf = await import(dist).catch(() => {
  console.error(`cannot import ${dist}: build first (cd packages/workflow && npx tsup)`);
  process.exit(1);
});

const { values: opt } = parseArgs({
  options: {
    tasks: { type: "string", default: "1000000" },
    dispatch: { type: "string", default: "2000" },
    rounds: { type: "string", default: "3" },
    cpus: { type: "string", default: "2" },
    prefetch: { type: "string" },
    queries: { type: "string", default: "200" },
    json: { type: "string" },
  },
});
const TOTAL = Number(opt.tasks);
const DISPATCH = Number(opt.dispatch);
const CPUS = Number(opt.cpus);
const ROUNDS = Number(opt.rounds);
// tasks staged in ahead of free slots: the launcher's default (max(4, 2·cpus)) unless given
const PREFETCH = opt.prefetch === undefined ? undefined : Number(opt.prefetch);
const QUERIES = Number(opt.queries);
const results = { machine: { node: process.version, cpus: CPUS, loadavg: loadavg() }, goals: {} };
console.log(
  `node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")} (other processes slow every figure below)`,
);

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const now = () => performance.now();
const root = mkdtempSync(join(tmpdir(), "tessera-bench-wf-"));

function specsFor(start, n) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const k = start + i;
    out[i] = { app: "noop", params: { block: k }, tags: [`block-${k % 1000}`, `stage-${k % 4}`] };
  }
  return out;
}

try {
  // ---- dispatch of no-op tasks vs xargs -P (first, before the big site loads the disk) ----
  results.dispatch = await benchDispatch({
    wf,
    tasks: DISPATCH,
    cpus: CPUS,
    rounds: ROUNDS,
    prefetch: PREFETCH,
  });
  results.goals.dispatch = results.dispatch.goal.met;
  // ---- bulk creation ----
  const site = await wf.createSite(join(root, "big"));
  await wf.registerApp(site, { name: "noop", argv: ["true"] });
  await wf.registerApp(site, { name: "other", argv: ["true"] });
  const batch = 10_000;
  const measured = Math.min(TOTAL, 200_000);
  let t0 = now();
  for (let done = 0; done < measured; done += batch)
    await wf.addTasks(site, specsFor(done, Math.min(batch, measured - done)));
  const createRate = measured / ((now() - t0) / 1000);
  results.create = { tasks: measured, batch, tasksPerSecond: Math.round(createRate) };
  console.log(
    `bulk creation: ${measured} tasks (2 tags each, batches of ${batch}) at ${Math.round(createRate)} tasks/s (goal >= 50000)`,
  );
  results.goals.create = createRate >= 50_000;

  // ---- grow to TOTAL while another process reads ----
  const reader = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import Database from ${JSON.stringify(resolve(here, "../../../node_modules/better-sqlite3/lib/index.js"))};
       const db = new Database(process.argv[1], { readonly: true, fileMustExist: true });
       db.pragma("busy_timeout = 5000");
       const q = db.prepare("SELECT state, n FROM state_counts");
       const lat = []; let stop = false; process.on("SIGTERM", () => { stop = true; });
       const tick = () => { for (let i = 0; i < 20; i++) { const t = performance.now(); q.all(); lat.push(performance.now() - t); }
         if (stop) { lat.sort((a, b) => a - b); console.log(JSON.stringify({ reads: lat.length, p95: lat[Math.floor(lat.length * 0.95)], max: lat[lat.length - 1] })); process.exit(0); }
         setTimeout(tick, 5); };
       console.log("ready"); tick();`,
      join(site.dir, "tessera.db"),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let readerOut = "";
  await new Promise((ready) =>
    reader.stdout.on("data", (d) => {
      readerOut += d;
      if (readerOut.startsWith("ready\n")) ready();
    }),
  );
  t0 = now();
  for (let done = measured; done < TOTAL; done += 50_000) {
    await wf.addTasks(site, specsFor(done, Math.min(50_000, TOTAL - done)));
  }
  const growRate = (TOTAL - measured) / ((now() - t0) / 1000);
  reader.kill("SIGTERM");
  await new Promise((r) => reader.once("exit", r));
  const readerStats = JSON.parse(readerOut.slice("ready\n".length).trim());
  results.concurrentReader = readerStats;
  console.log(
    `grew to ${TOTAL} tasks at ${Math.round(growRate)} tasks/s; a second process read counts ${readerStats.reads} times meanwhile: p95 ${fmt(readerStats.p95)} ms, max ${fmt(readerStats.max)} ms`,
  );

  // give the site a realistic mix of states (bench only: direct SQL, counts kept by triggers)
  const db = site.store.db;
  t0 = now();
  db.exec("UPDATE tasks SET state = 'JOB_FINISHED' WHERE id % 10 < 6");
  db.exec("UPDATE tasks SET state = 'FAILED' WHERE id % 100 = 61");
  db.exec("UPDATE tasks SET state = 'RUNNING' WHERE id % 1000 = 62");
  db.exec("UPDATE tasks SET app = 'other' WHERE id % 7 = 0");
  console.log(`state mix set in ${fmt((now() - t0) / 1000)} s`);

  // ---- queries ----
  const events = db.prepare("SELECT min(ts) AS lo, max(ts) AS hi FROM events").get();
  const rnd = (n) => Math.floor(Math.random() * n);
  const queries = {
    "tasks by state (READY, page of 1000)": () =>
      wf.listTasks(site, { state: "READY", limit: 1000, afterId: rnd(TOTAL / 2) }),
    "tasks by state (FAILED, page of 1000)": () => wf.listTasks(site, { state: "FAILED", limit: 1000 }),
    "tasks by tag (1000 tasks)": () => wf.listTasks(site, { tag: `block-${rnd(1000)}`, limit: 1000 }),
    "tasks by tag (250k tasks, page of 1000)": () =>
      wf.listTasks(site, { tag: `stage-${rnd(4)}`, limit: 1000 }),
    "tasks by app (page of 1000)": () =>
      wf.listTasks(site, { app: "other", limit: 1000, afterId: rnd(TOTAL / 2) }),
    "counts by state": () => wf.countTasks(site),
    "counts by state of a tag (1000 tasks)": () => wf.countTasks(site, { tag: `block-${rnd(1000)}` }),
    "events since T (page of 1000)": () =>
      wf.eventsSince(site, events.lo + rnd(events.hi - events.lo + 1), { limit: 1000 }),
    "one task by id": () => wf.getTask(site, 1 + rnd(TOTAL)),
  };
  results.queries = {};
  let allFast = true;
  console.log(`queries on a ${TOTAL}-task site (${QUERIES} runs each, ms):`);
  for (const [name, q] of Object.entries(queries)) {
    for (let i = 0; i < 5; i++) await q();
    const lat = [];
    for (let i = 0; i < QUERIES; i++) {
      const t = now();
      await q();
      lat.push(now() - t);
    }
    const r = { p50: pct(lat, 50), p95: pct(lat, 95), max: Math.max(...lat) };
    results.queries[name] = r;
    if (r.p95 >= 50) allFast = false;
    console.log(
      `  ${name.padEnd(42)} p50 ${fmt(r.p50).padStart(6)}  p95 ${fmt(r.p95).padStart(6)}  max ${fmt(r.max).padStart(6)}`,
    );
  }
  results.goals.queries = allFast;
  console.log(`  goal p95 < 50 ms: ${allFast ? "met" : "NOT met"}`);
  await wf.closeSite(site);

  if (opt.json) writeFileSync(opt.json, `${JSON.stringify(results, null, 2)}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
