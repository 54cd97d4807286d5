import { spawn } from "node:child_process";
import { closeSync, fstatSync, readSync } from "node:fs";

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
  pid: number | null;
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
export function startProcess(o: StartProcessOptions): RunningProcess {
  const startedAt = Date.now();
  let timedOut = false;
  let terminated = false;
  let exited = false;
  let termTimer: NodeJS.Timeout | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const child = spawn(o.argv[0], o.argv.slice(1), {
    cwd: o.cwd,
    env: o.env,
    stdio: ["ignore", o.stdoutFd, o.stderrFd],
    detached: true,
  });
  const pid = child.pid ?? null;
  const stop = () => {
    if (pid === null || killTimer || exited) return;
    signalGroup(pid, "SIGTERM");
    killTimer = setTimeout(() => signalGroup(pid, "SIGKILL"), o.killGraceMs);
  };
  if (o.walltimeMs !== undefined && pid !== null) {
    termTimer = setTimeout(() => {
      timedOut = true;
      stop();
    }, o.walltimeMs);
  }
  const done = new Promise<ProcessOutcome>((resolve) => {
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
      resolve({
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
    child.once("error", (e) => finish(null, null, e));
    child.once("exit", (code, signal) => finish(code, signal, null));
  });
  return {
    pid,
    done,
    terminate() {
      terminated = true;
      stop();
    },
  };
}
