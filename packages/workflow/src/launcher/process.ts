import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";

/** How a subprocess ended. */
export interface ProcessResult {
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
}

/** A started subprocess. */
export interface RunningProcess {
  pid: number | null;
  done: Promise<ProcessResult>;
  /** SIGTERM the process group, SIGKILL it after `graceMs`. */
  terminate(): void;
}

/** Options of {@link startProcess}. */
export interface StartProcessOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  stdoutPath: string;
  stderrPath: string;
  walltimeMs?: number;
  killGraceMs: number;
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
 * with SIGTERM then SIGKILL to the whole group.
 */
export function startProcess(o: StartProcessOptions): RunningProcess {
  const startedAt = Date.now();
  const out = openSync(o.stdoutPath, "w");
  const err = openSync(o.stderrPath, "w");
  let timedOut = false;
  let terminated = false;
  let termTimer: NodeJS.Timeout | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const child = spawn(o.argv[0], o.argv.slice(1), {
    cwd: o.cwd,
    env: o.env,
    stdio: ["ignore", out, err],
    detached: true,
  });
  closeSync(out);
  closeSync(err);
  const pid = child.pid ?? null;
  let exited = false;
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
  const done = new Promise<ProcessResult>((resolve) => {
    let settled = false;
    const finish = (exitCode: number | null, signal: string | null, spawnError: Error | null) => {
      if (settled) return;
      settled = true;
      exited = true;
      clearTimeout(termTimer);
      clearTimeout(killTimer);
      if (pid !== null && (timedOut || terminated)) signalGroup(pid, "SIGKILL");
      resolve({ pid, exitCode, signal, timedOut, terminated, spawnError, startedAt, endedAt: Date.now() });
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
