import { readTail, TAIL_BYTES } from "../tail.js";
import type { Spawner } from "./spawner.js";

/** How a subprocess ended, with the tails of its stdout and stderr files. */
export interface ProcessOutcome {
  pid: number | null;
  exitCode: number | null;
  signal: string | null;
  /** The walltime was hit (SIGTERM, then SIGKILL after the grace period). */
  timedOut: boolean;
  /** It was stopped by {@link RunningProcess.terminate}. */
  terminated: boolean;
  /** The process could not be started (e.g. ENOENT). */
  spawnError: Error | null;
  /**
   * Why its exit status is unknown: the spawner died while it ran (its process group was stopped);
   * null normally. `exitCode` and `signal` are then null.
   */
  lost: string | null;
  startedAt: number;
  endedAt: number;
  stdoutTail: string;
  stderrTail: string;
}

/** A started subprocess. */
export interface RunningProcess {
  /** Resolves with the pid once the child exists (null when it could not be started). */
  pid: Promise<number | null>;
  done: Promise<ProcessOutcome>;
  /** SIGTERM the process group, SIGKILL it after the grace period. */
  terminate(): void;
}

/** Options of {@link startProcess}. */
export interface StartProcessOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  /** Files for stdout and stderr (created or truncated when it starts; their tails end in the outcome). */
  stdoutPath: string;
  stderrPath: string;
  walltimeMs?: number;
  killGraceMs: number;
  /** Bytes of stdout/stderr kept in the outcome (default {@link TAIL_BYTES}). */
  tailBytes?: number;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Start `argv` (no shell) in its own process group with stdout/stderr to files, enforcing the walltime
 * with SIGTERM then SIGKILL to the whole group. The outcome carries the tails of both files.
 */
export function startProcess(spawner: Spawner, o: StartProcessOptions): RunningProcess {
  const startedAt = Date.now();
  let timedOut = false;
  let terminated = false;
  let exited = false;
  let termTimer: NodeJS.Timeout | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  let pid: number | null = null;
  let resolvePid!: (pid: number | null) => void;
  const pidKnown = new Promise<number | null>((resolve) => {
    resolvePid = resolve;
  });
  const stop = () => {
    if (pid === null || killTimer || exited) return;
    signalGroup(pid, "SIGTERM");
    const group = pid;
    killTimer = setTimeout(() => signalGroup(group, "SIGKILL"), o.killGraceMs);
  };
  let resolveDone!: (outcome: ProcessOutcome) => void;
  const done = new Promise<ProcessOutcome>((resolve) => {
    resolveDone = resolve;
  });
  const finish = (
    exitCode: number | null,
    signal: string | null,
    spawnError: Error | null,
    lost: string | null = null,
  ) => {
    if (exited) return;
    exited = true;
    const endedAt = Date.now();
    clearTimeout(termTimer);
    clearTimeout(killTimer);
    if (pid !== null && (timedOut || terminated)) signalGroup(pid, "SIGKILL");
    const tail = o.tailBytes ?? TAIL_BYTES;
    const stdoutTail = readTail(o.stdoutPath, tail);
    const stderrTail = readTail(o.stderrPath, tail);
    resolvePid(pid);
    resolveDone({
      pid,
      exitCode,
      signal,
      timedOut,
      terminated,
      spawnError,
      lost,
      startedAt,
      endedAt,
      stdoutTail,
      stderrTail,
    });
  };
  spawner.spawn(
    { argv: o.argv, cwd: o.cwd, env: o.env, stdoutPath: o.stdoutPath, stderrPath: o.stderrPath },
    (report) => {
      if (report.type === "spawned") {
        pid = report.pid;
        resolvePid(pid);
        if (o.walltimeMs !== undefined) {
          termTimer = setTimeout(
            () => {
              timedOut = true;
              stop();
            },
            Math.max(0, o.walltimeMs - (Date.now() - startedAt)),
          );
        }
        if (terminated) stop();
      } else if (report.type === "error") {
        finish(null, null, Object.assign(new Error(report.message), { code: report.code }));
      } else if (report.type === "lost") {
        pid ??= report.pid;
        finish(null, null, null, report.message);
      } else {
        finish(report.code, report.signal, null);
      }
    },
  );
  return {
    pid: pidKnown,
    done,
    terminate() {
      terminated = true;
      stop();
    },
  };
}
