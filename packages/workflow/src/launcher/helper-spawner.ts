import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { type HelperProtocol, type HelperReport, nodeProtocol } from "./helper-protocols.js";
import { killProcessesWithEnv } from "./orphans.js";
import type { Spawner, SpawnReport, SpawnRequest } from "./spawner.js";

/** Options of {@link HelperSpawner}. */
export interface HelperSpawnerOptions {
  /** Spawner used once the helper cannot be kept running. */
  fallback: () => Spawner;
  /** Which helper, and how to talk to it (default: the Node helper, {@link nodeProtocol}). */
  protocol?: HelperProtocol;
  /** Helper deaths tolerated within `restartWindowMs` before falling back (default 3). */
  maxRestarts?: number;
  /** Window of `maxRestarts`, ms (default 60000). */
  restartWindowMs?: number;
  /** Told when the helper dies, restarts or is given up. */
  onEvent?: (event: "died" | "fallback", detail: Record<string, unknown>) => void;
}

interface Pending {
  request: SpawnRequest;
  onReport: (r: SpawnReport) => void;
  pid: number | null;
}

/**
 * Starts subprocesses through a persistent helper process (spawn-helper.pl or spawn-helper.js): the
 * launcher writes requests to the helper's stdin and reads its reports, so its own large process never
 * forks (the small helper does). Same semantics as {@link ThreadSpawner}: own process group,
 * stdout/stderr to files, exit code and signal.
 *
 * When the helper dies, the children it was watching are stopped (SIGKILL to their process groups, found
 * through their environment when the helper had not yet reported the pid) and reported `lost`, since
 * their exit status can no longer be known; the helper is restarted, and after `maxRestarts` deaths
 * within `restartWindowMs`, or when it exits before saying it is ready (it cannot run here), every
 * later start goes to the fallback.
 */
export class HelperSpawner implements Spawner {
  private helper: ChildProcess | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly deaths: number[] = [];
  private fallback: Spawner | null = null;
  private nextId = 1;
  private closing = false;
  /** The environment the helper holds (it applies each request's changes to it). */
  private heldEnv = new Map<string, string>();
  private readonly protocol: HelperProtocol;

  constructor(private readonly options: HelperSpawnerOptions) {
    this.protocol = options.protocol ?? nodeProtocol();
  }

  /** Which helper it runs ("perl", "node"). */
  get kind(): string {
    return this.protocol.name;
  }

  /** The helper's pid (null before the first start, after its death or once fallen back). */
  get helperPid(): number | null {
    return this.helper?.pid ?? null;
  }

  /** Whether starts now go to the fallback spawner. */
  get fellBack(): boolean {
    return this.fallback !== null;
  }

  spawn(request: SpawnRequest, onReport: (r: SpawnReport) => void): void {
    const helper = this.fallback ? null : this.ensureHelper();
    if (!helper) {
      this.fallback!.spawn(request, onReport);
      return;
    }
    const id = this.nextId++;
    const { envSet, envUnset } = this.envDelta(request.env);
    const message = this.protocol.encode(id, request, envSet, envUnset);
    if (message === null) {
      queueMicrotask(() =>
        onReport({
          type: "error",
          code: "ERR_INVALID_ARG_VALUE",
          message: `spawn ${request.argv[0]}: an argument, path or variable holds a NUL byte or a name holds "="`,
        }),
      );
      return;
    }
    for (const key in envSet) this.heldEnv.set(key, envSet[key]);
    for (const key of envUnset) this.heldEnv.delete(key);
    this.pending.set(id, { request, onReport, pid: null });
    helper.stdin!.write(message);
  }

  /**
   * The environment as changes to the one the helper holds (that of the previous request): tasks of
   * one app differ in a few variables, so a request carries those, not the whole environment.
   */
  private envDelta(env: Record<string, string | undefined>): {
    envSet: Record<string, string>;
    envUnset: string[];
  } {
    const held = this.heldEnv;
    const envSet: Record<string, string> = {};
    const envUnset: string[] = [];
    for (const key in env) {
      const value = env[key];
      if (value !== undefined && held.get(key) !== value) envSet[key] = value;
    }
    for (const key of held.keys()) if (env[key] === undefined) envUnset.push(key);
    return { envSet, envUnset };
  }

  private ensureHelper(): ChildProcess | null {
    if (this.helper) return this.helper;
    const [file, ...args] = this.protocol.command;
    const { program } = this.protocol;
    if (program !== undefined && !existsSync(program)) {
      this.fallBack({ helper: this.kind, reason: `${program} is missing` });
      return null;
    }
    // its own process group: a Ctrl-C meant for the launcher (which stops gracefully) must not kill it
    const helper = spawn(file, args, { stdio: ["pipe", "pipe", "inherit"], detached: true });
    this.helper = helper;
    this.heldEnv = new Map();
    let ready = false;
    let text = "";
    helper.stdout!.setEncoding("utf8");
    helper.stdout!.on("data", (chunk: string) => {
      text += chunk;
      let from = 0;
      let nl = text.indexOf("\n");
      while (nl >= 0) {
        const report = this.protocol.decode(text.slice(from, nl));
        if (report.type === "ready") ready = true;
        else this.report(report);
        from = nl + 1;
        nl = text.indexOf("\n", from);
      }
      text = text.slice(from);
    });
    // a write to a dead helper fails with EPIPE: its death is handled below
    helper.stdin!.on("error", () => {});
    let gone = false;
    /** It never ran, so neither did anything sent to it: send that to the fallback. */
    const neverRan = (reason: string) => {
      gone = true;
      if (this.helper === helper) this.helper = null;
      this.fallBack({ helper: this.kind, reason });
      const unsent = [...this.pending.values()];
      this.pending.clear();
      for (const p of unsent) this.fallback!.spawn(p.request, p.onReport);
    };
    helper.once("error", (e) => {
      if (!gone && helper.pid === undefined) neverRan(`cannot start the spawn helper: ${e.message}`);
    });
    // "close" comes after the exit and after the last report it wrote was read
    helper.once("close", (code, signal) => {
      if (gone) return;
      if (!ready) {
        neverRan(
          `the spawn helper exited before it was ready (${signal ? `signal ${signal}` : `exit code ${code}`})`,
        );
        return;
      }
      gone = true;
      if (this.helper === helper) this.helper = null;
      this.died({ code, signal });
    });
    return helper;
  }

  private report(m: Exclude<HelperReport, { type: "ready" }>): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === "spawned") p.pid = m.pid;
    else this.pending.delete(m.id);
    p.onReport(m);
  }

  private died(why: Record<string, unknown>): void {
    const lost = [...this.pending.values()];
    this.pending.clear();
    if (this.closing && lost.length === 0) return;
    const now = Date.now();
    this.deaths.push(now);
    const window = this.options.restartWindowMs ?? 60_000;
    while (this.deaths.length > 0 && this.deaths[0] < now - window) this.deaths.shift();
    this.options.onEvent?.("died", { ...why, lost: lost.length });
    for (const p of lost) {
      if (p.pid !== null) {
        killGroup(p.pid);
      } else {
        // the helper may have started it without saying so: find it by its environment
        killProcessesWithEnv(p.request.env);
      }
      p.onReport({
        type: "lost",
        pid: p.pid,
        message: `the spawn helper died (${describe(why)}): exit status unknown, process group stopped`,
      });
    }
    if (this.deaths.length > (this.options.maxRestarts ?? 3)) {
      this.fallBack({ reason: `the spawn helper died ${this.deaths.length} times within ${window} ms` });
    }
  }

  private fallBack(detail: Record<string, unknown>): void {
    if (this.fallback) return;
    this.fallback = this.options.fallback();
    this.options.onEvent?.("fallback", detail);
  }

  async close(): Promise<void> {
    this.closing = true;
    const helper = this.helper;
    if (helper && helper.exitCode === null && helper.signalCode === null) {
      const exited = new Promise<void>((resolve) => helper.once("exit", () => resolve()));
      helper.stdin!.end();
      const timer = setTimeout(() => helper.kill("SIGKILL"), 2000);
      await exited;
      clearTimeout(timer);
    }
    await this.fallback?.close();
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function describe(why: Record<string, unknown>): string {
  if (typeof why.error === "string") return why.error;
  return why.signal ? `signal ${why.signal}` : `exit code ${why.code}`;
}
