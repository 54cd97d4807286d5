import { Worker } from "node:worker_threads";
import { startChild } from "./spawn-child.js";
import type { Spawner, SpawnReport, SpawnRequest } from "./spawner.js";

const CHILD_MODULE = new URL("./spawn-child.js", import.meta.url).href;

/** A worker thread that starts children with {@link startChild} and posts the reports back. */
const threadSource = () => `
import { parentPort } from "node:worker_threads";
import { startChild } from ${JSON.stringify(CHILD_MODULE)};
const send = (report) => parentPort.postMessage(report);
parentPort.on("message", (request) => startChild(request, send));
`;

/**
 * Starts subprocesses from threads of the launcher's own process, so that the blocking part of `spawn`
 * (fork, then waiting for the child's exec) does not stall the event loop; with 0 threads, from the
 * calling thread. Every start forks the whole launcher process: the default {@link HelperSpawner} is
 * cheaper, and falls back to this one.
 */
export class ThreadSpawner implements Spawner {
  private readonly workers: Worker[] = [];
  private readonly listeners = new Map<number, (r: SpawnReport) => void>();
  private nextId = 1;
  private next = 0;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(threadSource())}`));
      w.on("message", (m: SpawnReport & { id: number }) => this.report(m));
      this.workers.push(w);
    }
  }

  private report(m: SpawnReport & { id: number }): void {
    const listener = this.listeners.get(m.id);
    if (!listener) return;
    if (m.type !== "spawned") this.listeners.delete(m.id);
    listener(m);
  }

  spawn(request: SpawnRequest, onReport: (r: SpawnReport) => void): void {
    const id = this.nextId++;
    this.listeners.set(id, onReport);
    if (this.workers.length === 0) startChild({ id, ...request }, (m) => this.report(m));
    else this.workers[this.next++ % this.workers.length].postMessage({ id, ...request });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
