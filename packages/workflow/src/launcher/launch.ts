import { randomUUID } from "node:crypto";
import { availableParallelism, hostname } from "node:os";
import { join } from "node:path";
import type pino from "pino";
import { type Resources, resolveResources } from "../app.js";
import { errorMessage, InvalidFieldError } from "../errors.js";
import { siteLogger } from "../logger.js";
import { openSite, type Site } from "../site.js";
import { CLAIMED_STATES, type TaskState } from "../states.js";
import type { TaskRecord } from "../types.js";
import { resolveExecutable } from "./executable.js";
import { nodeProtocol, perlProtocol, pythonProtocol } from "./helper-protocols.js";
import { HelperSpawner } from "./helper-spawner.js";
import { checkMpiLaunch, type MpiLaunch } from "./mpi-launch.js";
import { NodePool } from "./node-pool.js";
import { type AllocationNodes, discoverNodes } from "./nodes.js";
import { killOrphan } from "./orphans.js";
import { type TaskShape, taskShape } from "./placement.js";
import {
  execute,
  type LaunchStats,
  type Prepared,
  type RunContext,
  stageIn,
  type TaskHandle,
  unstage,
} from "./run-task.js";
import type { Spawner } from "./spawner.js";
import { ThreadSpawner } from "./thread-spawner.js";
import { WorkerPool } from "./worker-pool.js";

/** Options of {@link launch}. */
export interface LaunchOptions {
  /** A site, or its folder. */
  site: Site | string;
  /** Only `local` (this machine) for now. */
  backend?: "local";
  /** Cores to pack tasks into, on each node (default: all of this machine's). */
  maxCpus?: number;
  /** GPUs to pack tasks into, on each node (default 0); tasks get `CUDA_VISIBLE_DEVICES`. */
  maxGpus?: number;
  /**
   * Inside a batch allocation: start multi-rank tasks, and tasks placed on other nodes, with `srun`
   * or `mpiexec` (see {@link MpiLaunch}); serial tasks on this node run directly. Without it every
   * task runs on this machine.
   */
  mpi?: MpiLaunch;
  /**
   * The allocation's nodes, the first being this launcher's (default with `mpi`: from
   * `$PBS_NODEFILE` or `$SLURM_JOB_NODELIST`, see {@link discoverNodes}).
   */
  nodes?: string[];
  /** Lease of this launcher in ms (default 20000); renewed every quarter. */
  leaseMs?: number;
  /** Poll interval when idle, ms (default 100). */
  pollMs?: number;
  /** Between SIGTERM and SIGKILL at a timeout or kill, ms (default 5000). */
  killGraceMs?: number;
  /** Exit when no task is left to run anywhere on the site (default true); false: run until stopped. */
  untilIdle?: boolean;
  /**
   * Claim no task after this time (epoch ms), let the running ones finish, hand staged ones back and
   * exit (reason "walltime"): a pilot inside a batch allocation stops before its walltime ends. A task
   * still running when the allocation is killed is taken over by another launcher once its lease
   * expires, never lost.
   */
  claimUntil?: number;
  /** Stop gracefully when aborted. */
  signal?: AbortSignal;
  /** On stop: let running tasks finish (default) or terminate them and requeue them. */
  onStop?: "finish" | "requeue";
  /** Install SIGINT/SIGTERM handlers: the first stops gracefully, the second requeues (default false). */
  handleSignals?: boolean;
  /** Tasks claimed and staged in ahead of a free slot (default max(4, 2·maxCpus)). */
  prefetch?: number;
  /**
   * Start subprocesses from a persistent helper process, so that this process never forks:
   * `"python"` (spawn-helper.py: posix_spawn, the cheapest start), `"perl"` (spawn-helper.pl: fork
   * of a small process), `"node"` (spawn-helper.js), `"auto"` or true (default: the first of python,
   * perl, node whose interpreter is on the PATH and runs; each falls back to the next), false: from
   * spawner threads (`spawnThreads`), also the last fallback.
   */
  spawnHelper?: boolean | "auto" | "python" | "perl" | "node";
  /**
   * Threads that start subprocesses without the helper (default min(maxCpus, 4); 0: start them on
   * the main thread).
   */
  spawnThreads?: number;
  /** Worker threads for apps that opt in (default maxCpus). */
  maxWorkers?: number;
  /** Called every `progressMs` with the site's counts by state. */
  onProgress?: (counts: Record<TaskState, number>) => void;
  /** Interval of `onProgress`, ms (default 500). */
  progressMs?: number;
  /** Launcher id (default host-pid-random). */
  id?: string;
}

/** Result of {@link launch}. */
export interface LaunchSummary extends LaunchStats {
  launcherId: string;
  durationMs: number;
  /** Why it stopped. */
  reason: "idle" | "stopped" | "lease-lost" | "walltime";
}

/** The helpers in order of preference, each with the protocol to run it by. */
const HELPERS = [
  ["python", "python3", pythonProtocol],
  ["perl", "perl", perlProtocol],
] as const;

/** The spawner chain: python helper, perl helper, node helper, threads (from where `choice` says). */
function makeSpawner(choice: LaunchOptions["spawnHelper"], threads: number, log: pino.Logger): Spawner {
  const fromThreads = () => new ThreadSpawner(threads);
  if (choice === false) return fromThreads();
  const onEvent = (kind: string) => (event: "died" | "fallback", detail: Record<string, unknown>) =>
    event === "died"
      ? log.error({ helper: kind, ...detail }, "spawn helper died; restarting it")
      : log.error({ helper: kind, ...detail }, "spawn helper given up: falling back");
  let next: () => Spawner = () =>
    new HelperSpawner({ protocol: nodeProtocol(), fallback: fromThreads, onEvent: onEvent("node") });
  if (choice === "node") return next();
  const first = choice === "python" || choice === "perl" ? choice : "python";
  const from = HELPERS.findIndex(([kind]) => kind === first);
  // built from the last fallback up: each helper falls back to the one after it
  for (const [kind, program, protocol] of HELPERS.slice(from).reverse()) {
    let path: string | undefined;
    try {
      path = resolveExecutable(program, process.cwd(), process.env.PATH);
    } catch {
      if (choice === kind) log.warn(`spawnHelper ${kind}: no ${program} on the PATH, using the next helper`);
      continue;
    }
    const fallback = next;
    const interpreter = path;
    next = () => new HelperSpawner({ protocol: protocol(interpreter), fallback, onEvent: onEvent(kind) });
  }
  return next();
}

function positiveInt(field: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidFieldError(field, `an integer >= ${min}`, String(value));
  }
  return value;
}

/**
 * Run READY tasks of a site on this machine as subprocesses (or worker threads), packed by resources,
 * until no work is left or it is stopped. Claims are atomic, so several launchers can share a site; a
 * launcher that stops renewing its lease has its tasks requeued by the others.
 */
export async function launch(options: LaunchOptions): Promise<LaunchSummary> {
  if ((options.backend ?? "local") !== "local") {
    throw new InvalidFieldError("backend", '"local"', JSON.stringify(options.backend));
  }
  const maxCpus = positiveInt("maxCpus", options.maxCpus, availableParallelism());
  const maxGpus = positiveInt("maxGpus", options.maxGpus, 0, 0);
  const leaseMs = positiveInt("leaseMs", options.leaseMs, 20_000, 100);
  const pollMs = positiveInt("pollMs", options.pollMs, 100);
  const killGraceMs = positiveInt("killGraceMs", options.killGraceMs, 5000, 0);
  const spawnThreads = positiveInt("spawnThreads", options.spawnThreads, Math.min(maxCpus, 4), 0);
  if (![undefined, true, false, "auto", "python", "perl", "node"].includes(options.spawnHelper)) {
    throw new InvalidFieldError(
      "spawnHelper",
      '"auto", "python", "perl", "node", true or false',
      JSON.stringify(options.spawnHelper),
    );
  }
  const mpi = options.mpi ? checkMpiLaunch(options.mpi) : undefined;
  if (mpi?.launcher === "srun" && !process.env.SLURM_JOB_ID) {
    // outside an allocation srun would ask Slurm for a new job per task
    throw new InvalidFieldError(
      "mpi",
      "srun only inside a Slurm allocation ($SLURM_JOB_ID set)",
      "no allocation",
    );
  }
  const host = hostname();
  let alloc: AllocationNodes;
  if (options.nodes !== undefined) {
    if (options.nodes.length === 0 || !options.nodes.every((n) => typeof n === "string" && n !== ""))
      throw new InvalidFieldError("nodes", "a non-empty list of node names", JSON.stringify(options.nodes));
    alloc = { names: [...options.nodes], head: 0, source: "this host" };
  } else {
    alloc = mpi
      ? discoverNodes(process.env, host)
      : { names: [host.split(".")[0]], head: 0, source: "this host" };
  }
  if (!mpi && alloc.names.length > 1) {
    throw new InvalidFieldError(
      "mpi",
      "an MPI launcher (srun or mpiexec) to run tasks on several nodes",
      "none",
    );
  }
  const site = typeof options.site === "string" ? await openSite(options.site) : options.site;
  const ownSite = typeof options.site === "string";
  const { store } = site;
  const launcherId = options.id ?? `${host}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const log = siteLogger(site.dir).child({ launcher: launcherId });
  const started = Date.now();
  const stats: LaunchStats = { started: 0, finished: 0, failed: 0, failedIds: [], retried: 0, abandoned: 0 };
  let workers: Promise<WorkerPool> | undefined;
  const spawner = makeSpawner(options.spawnHelper ?? "auto", spawnThreads, log);
  const ctx: RunContext = {
    site,
    launcherId,
    host,
    killGraceMs,
    maxCpus,
    maxGpus,
    alloc,
    ...(mpi ? { mpi } : {}),
    log,
    stats,
    spawner,
    executables: new Set(),
    baseEnv: new Map(),
    workers: () => {
      workers ??= WorkerPool.create(options.maxWorkers ?? maxCpus, join(site.dir, ".tessera"));
      return workers;
    },
  };
  const pool = new NodePool(alloc.names.length, maxCpus, maxGpus, alloc.head);
  const running = new Map<number, TaskHandle>();
  let stopping = false;
  let reason: LaunchSummary["reason"] = "idle";
  let pendingWake = false;
  let wakeNow: (() => void) | undefined;
  const wake = () => {
    pendingWake = true;
    wakeNow?.();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (pendingWake) {
        pendingWake = false;
        resolve();
        return;
      }
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wakeNow = undefined;
        pendingWake = false;
        resolve();
      }
      wakeNow = done;
    });
  const stop = (mode: "finish" | "requeue") => {
    if (!stopping) log.info({ mode }, "stopping");
    stopping = true;
    if (reason === "idle") reason = "stopped";
    if (mode === "requeue") {
      for (const h of running.values()) {
        h.release = true;
        h.terminate();
      }
    }
    wake();
  };
  let signals = 0;
  const onSignal = () => {
    signals++;
    stop(signals > 1 ? "requeue" : (options.onStop ?? "finish"));
  };
  if (options.handleSignals) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  const onAbort = () => stop(options.onStop ?? "finish");
  if (options.signal?.aborted) stopping = true;
  options.signal?.addEventListener("abort", onAbort);

  await store.registerLauncher({ id: launcherId, host, pid: process.pid, leaseMs });
  log.info(
    {
      maxCpus,
      maxGpus,
      nodes: alloc.names.length,
      ...(mpi ? { mpi: mpi.launcher, nodesFrom: alloc.source } : {}),
      leaseMs,
      spawner: spawner instanceof HelperSpawner ? `${spawner.kind} helper` : `${spawnThreads} threads`,
    },
    "launcher started",
  );

  const requeue = async () => {
    const lost = await store.requeueExpired(Date.now());
    for (const l of lost) {
      if (l.host === host && l.pid !== null) killOrphan(l.pid, site.dir, l.taskId);
    }
    if (lost.length > 0) {
      log.warn({ tasks: lost.map((l) => l.taskId) }, "requeued tasks of a launcher whose lease expired");
      wake();
    }
  };
  let ticking = false;
  const tick = async () => {
    if (ticking) return;
    ticking = true;
    try {
      if (!(await store.heartbeat(launcherId))) {
        log.error("lease lost: another launcher requeued our tasks");
        reason = "lease-lost";
        stop("requeue");
      }
      await requeue();
    } catch (error) {
      log.error({ error: errorMessage(error) }, "heartbeat failed");
    } finally {
      ticking = false;
    }
  };
  const timer = setInterval(tick, Math.max(25, Math.min(Math.floor(leaseMs / 4), 5000)));
  const onProgress = options.onProgress;
  const progressTimer = onProgress
    ? setInterval(() => {
        store
          .countTasks()
          .then(onProgress)
          .catch(() => {});
      }, options.progressMs ?? 500)
    : undefined;
  await requeue();

  /** Claimed tasks being staged in or waiting for a free slot (prefetched, so a slot never waits for stage-in). */
  interface Staged {
    task: TaskRecord;
    shape: TaskShape;
    resources: Resources;
    prepared: Prepared | null | undefined;
    handle: TaskHandle;
  }
  const staged: Staged[] = [];
  const prefetch = options.prefetch ?? Math.max(4, 2 * maxCpus);
  const drop = (s: Staged) => {
    const i = staged.indexOf(s);
    if (i >= 0) staged.splice(i, 1);
  };

  let lastKillCheck = 0;
  const checkKilled = async () => {
    if ((running.size === 0 && staged.length === 0) || Date.now() - lastKillCheck < 200) return;
    lastKillCheck = Date.now();
    const states = await store.statesOf([...running.keys(), ...staged.map((s) => s.task.id)]);
    for (const [id, h] of running) {
      const st = states.get(id);
      if (st !== undefined && !CLAIMED_STATES.includes(st)) h.terminate();
    }
    for (const s of [...staged]) {
      const st = states.get(s.task.id);
      if (s.prepared !== undefined && st !== undefined && !CLAIMED_STATES.includes(st)) {
        drop(s);
        stats.abandoned++;
      }
    }
  };

  const claim = async () => {
    // claim in batches, once half the staged tasks are gone (one transaction for several tasks)
    if (staged.length > Math.floor(prefetch / 2)) return 0;
    const want = prefetch - staged.length;
    const claimed = await store.claim(launcherId, Math.max(4, want * 2), (tasks) =>
      tasks.slice(0, want).map((t) => t.id),
    );
    for (const task of claimed) {
      const app = site.apps.get(task.app);
      const resources = resolveResources(app?.resources, task.resources);
      const s: Staged = {
        task,
        resources,
        shape: taskShape(resources, mpi),
        prepared: undefined,
        handle: { terminate: () => {}, release: false },
      };
      staged.push(s);
      stageIn(ctx, task, resources)
        .then((p) => {
          s.prepared = p;
          if (p === null) drop(s);
        })
        .catch((error) => {
          s.prepared = null;
          drop(s);
          log.error({ task: task.id, error: errorMessage(error) }, "stage-in failed");
        })
        .finally(wake);
    }
    return claimed.length;
  };

  const dispatch = () => {
    for (let i = 0; i < staged.length; ) {
      const s = staged[i];
      if (!s.prepared) {
        i++;
        continue;
      }
      const placement = pool.take(s.shape.nodes, s.shape.cpusPerNode, s.shape.gpusPerNode);
      if (!placement) {
        i++;
        continue;
      }
      staged.splice(i, 1);
      running.set(s.task.id, s.handle);
      stats.started++;
      // the slot is free once the run has ended: the next task starts while this one's end is recorded
      let freed = false;
      const free = () => {
        if (freed) return;
        freed = true;
        pool.give(placement);
        wake();
      };
      execute(ctx, s.task, s.prepared, placement, s.handle, free)
        .catch((error) => log.error({ task: s.task.id, error: errorMessage(error) }, "task runner failed"))
        .finally(() => {
          running.delete(s.task.id);
          free();
          wake();
        });
    }
  };

  const unstageReady = async () => {
    for (const s of [...staged]) {
      if (s.prepared === undefined) continue;
      drop(s);
      if (s.prepared !== null) {
        await unstage(ctx, s.task);
        stats.abandoned++;
      }
    }
  };

  try {
    while (true) {
      if (stopping) {
        await unstageReady();
        if (running.size === 0 && staged.length === 0) break;
        await sleep(pollMs);
        await checkKilled();
        continue;
      }
      if (options.claimUntil !== undefined && Date.now() >= options.claimUntil) {
        log.info({ claimUntil: new Date(options.claimUntil).toISOString() }, "claim deadline: finishing");
        stopping = true;
        if (reason === "idle") reason = "walltime";
        continue;
      }
      dispatch();
      const n = await claim();
      if (n > 0) continue;
      if (
        running.size === 0 &&
        staged.length === 0 &&
        options.untilIdle !== false &&
        (await store.countActive()) === 0
      ) {
        break;
      }
      await sleep(pollMs);
      await checkKilled();
    }
  } finally {
    clearInterval(timer);
    clearInterval(progressTimer);
    options.signal?.removeEventListener("abort", onAbort);
    if (options.handleSignals) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    await store.stopLauncher(launcherId).catch(() => {});
    if (workers) await (await workers).close();
    await spawner.close();
    const { failedIds, ...counts } = stats;
    log.info({ ...counts, failedIds: failedIds.slice(0, 100), reason }, "launcher stopped");
    if (ownSite) await store.close();
  }
  return { launcherId, ...stats, durationMs: Date.now() - started, reason };
}
