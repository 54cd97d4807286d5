import { closeSync, fstatSync, readSync } from "node:fs";
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
  /** Open file descriptors (read-write) for stdout and stderr; closed when the process ends. */
  stdoutFd: number;
  stderrFd: number;
  walltimeMs?: number;
  killGraceMs: number;
  /** Bytes of stdout/stderr kept in the outcome (default 4096). */
  tailBytes?: number;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function tailOf(fd: number, bytes: number): string {
  const size = fstatSync(fd).size;
  const n = Math.min(size, bytes);
  if (n === 0) return "";
  const buf = Buffer.alloc(n);
  readSync(fd, buf, 0, n, size - n);
  return buf.toString("utf8");
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
  const finish = (exitCode: number | null, signal: string | null, spawnError: Error | null) => {
    if (exited) return;
    exited = true;
    const endedAt = Date.now();
    clearTimeout(termTimer);
    clearTimeout(killTimer);
    if (pid !== null && (timedOut || terminated)) signalGroup(pid, "SIGKILL");
    const tail = o.tailBytes ?? 4096;
    const stdoutTail = tailOf(o.stdoutFd, tail);
    const stderrTail = tailOf(o.stderrFd, tail);
    closeSync(o.stdoutFd);
    closeSync(o.stderrFd);
    resolvePid(pid);
    resolveDone({
      pid,
      exitCode,
      signal,
      timedOut,
      terminated,
      spawnError,
      startedAt,
      endedAt,
      stdoutTail,
      stderrTail,
    });
  };
  spawner.spawn(
    { argv: o.argv, cwd: o.cwd, env: o.env, stdoutFd: o.stdoutFd, stderrFd: o.stderrFd },
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
