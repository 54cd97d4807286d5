import { spawn } from "node:child_process";
import { Worker } from "node:worker_threads";

/** What a spawner thread reports about one child. */
export type SpawnReport =
  | { type: "spawned"; pid: number }
  | { type: "error"; message: string; code: string }
  | { type: "exit"; code: number | null; signal: string | null };

/** A request to start one child. */
export interface SpawnRequest {
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  stdoutFd: number;
  stderrFd: number;
}

const SOURCE = `
import { parentPort } from "node:worker_threads";
import { spawn } from "node:child_process";
parentPort.on("message", ({ id, argv, cwd, env, stdoutFd, stderrFd }) => {
  let child;
  try {
    child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ["ignore", stdoutFd, stderrFd], detached: true });
  } catch (e) {
    parentPort.postMessage({ id, type: "error", message: String(e && e.message), code: String(e && e.code) });
    return;
  }
  let failed = false;
  child.once("error", (e) => {
    failed = true;
    parentPort.postMessage({ id, type: "error", message: e.message, code: String(e.code) });
  });
  if (child.pid !== undefined) parentPort.postMessage({ id, type: "spawned", pid: child.pid });
  child.once("exit", (code, signal) => {
    if (!failed) parentPort.postMessage({ id, type: "exit", code, signal });
  });
});
`;

/**
 * Threads that start subprocesses, so that the blocking part of `spawn` (fork, then waiting for the
 * child's exec) does not stall the launcher's event loop: with several slots, children start in
 * parallel with the bookkeeping of the others. With 0 threads, children start on the calling thread.
 */
export class Spawner {
  private readonly workers: Worker[] = [];
  private readonly listeners = new Map<number, (r: SpawnReport) => void>();
  private nextId = 1;
  private next = 0;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(SOURCE)}`));
      w.on("message", (m: SpawnReport & { id: number }) => {
        const listener = this.listeners.get(m.id);
        if (!listener) return;
        if (m.type !== "spawned") this.listeners.delete(m.id);
        listener(m);
      });
      this.workers.push(w);
    }
  }

  /** Start a child; `onReport` gets `spawned` then `exit`, or `error`. */
  spawn(request: SpawnRequest, onReport: (r: SpawnReport) => void): void {
    if (this.workers.length === 0) {
      spawnHere(request, onReport);
      return;
    }
    const id = this.nextId++;
    this.listeners.set(id, onReport);
    this.workers[this.next++ % this.workers.length].postMessage({ id, ...request });
  }

  /** Stop the threads (children keep running: they are in their own process groups). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function spawnHere(r: SpawnRequest, onReport: (report: SpawnReport) => void): void {
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(r.argv[0], r.argv.slice(1), {
      cwd: r.cwd,
      env: r.env,
      stdio: ["ignore", r.stdoutFd, r.stderrFd],
      detached: true,
    });
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    queueMicrotask(() => onReport({ type: "error", message: error.message, code: String(error.code) }));
    return;
  }
  let failed = false;
  child.once("error", (e: NodeJS.ErrnoException) => {
    failed = true;
    onReport({ type: "error", message: e.message, code: String(e.code) });
  });
  if (child.pid !== undefined) onReport({ type: "spawned", pid: child.pid });
  child.once("exit", (code, signal) => {
    if (!failed) onReport({ type: "exit", code, signal });
  });
}
