import { randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, rename, rm, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { Worker } from "node:worker_threads";

/**
 * Write `data` to `path` atomically: write a temporary file in the same folder, then rename it over
 * the target. A process killed at any point leaves either the old file or the new one, never a torn
 * one (an orphan `*.tmp` may remain; readers ignore it).
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await ensureFolder(dirname(path));
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temp, data).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
      // the folder was removed since this process last saw it (e.g. an overwrite): make it again
      knownFolders.delete(dirname(path));
      await ensureFolder(dirname(path));
      await writeFile(temp, data);
    });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Folders this process has created or seen, so chunk writes skip a mkdir call each. */
const knownFolders = new Set<string>();

async function ensureFolder(folder: string): Promise<void> {
  if (knownFolders.has(folder)) return;
  await mkdir(folder, { recursive: true });
  knownFolders.add(folder);
}

/**
 * Default interval at which a held lock file's mtime is refreshed (ms);
 * `$TESSERA_LOCK_HEARTBEAT_MS` overrides it.
 */
export const LOCK_HEARTBEAT_MS = 1_000;

/**
 * Default age (ms since the last heartbeat) after which a waiter treats a lock file's holder as dead
 * and takes the lock over: four heartbeats. `$TESSERA_LOCK_STALE_MS` overrides it.
 */
export const STALE_LOCK_MS = 4_000;

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** Heartbeat interval in ms (default `$TESSERA_LOCK_HEARTBEAT_MS`, else {@link LOCK_HEARTBEAT_MS}). */
  heartbeatMs?: number;
  /** Age after which a lock is stale (default `$TESSERA_LOCK_STALE_MS`, else {@link STALE_LOCK_MS}). */
  staleMs?: number;
}

/** What a lock file holds (JSON), for diagnostics: who holds it and since when. */
export interface LockInfo {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  since: string;
  /** Random id of this holding (distinguishes a re-created lock from the one a waiter saw). */
  token: string;
}

function envMs(name: string): number | undefined {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Read a lock file's {@link LockInfo} (undefined when it is gone or not written yet). */
export async function readLockInfo(lockPath: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await readFile(lockPath, "utf8")) as LockInfo;
  } catch {
    return undefined;
  }
}

// The heartbeat runs in a worker thread, so a lock stays fresh while this thread is busy with
// synchronous work; when the process dies the heartbeat stops with it. It touches (utimes) a lock
// file only while the file still holds this holder's token.
const HEARTBEAT_SOURCE = `
const { parentPort } = require("node:worker_threads");
const fs = require("node:fs");
const held = new Map();
let timer;
let interval = 1000;
function beat() {
  const now = new Date();
  for (const [path, token] of held) {
    try {
      if (JSON.parse(fs.readFileSync(path, "utf8")).token === token) fs.utimesSync(path, now, now);
    } catch {}
  }
}
parentPort.on("message", (m) => {
  if (m.add) held.set(m.add, m.token);
  if (m.remove) held.delete(m.remove);
  if (m.interval && m.interval < interval) {
    interval = m.interval;
    clearInterval(timer);
    timer = undefined;
  }
  if (held.size > 0 && !timer) timer = setInterval(beat, interval);
  if (held.size === 0 && timer) { clearInterval(timer); timer = undefined; }
});
`;

interface Heartbeat {
  add(path: string, token: string, intervalMs: number): void;
  remove(path: string): void;
}

let heartbeat: Heartbeat | undefined;

/**
 * The heartbeat of this thread's held locks: timers on this thread (beating from the first moment)
 * plus a worker thread (beating while this thread runs synchronous code). Started on the first
 * {@link withFileLock} call, before any lock is taken, so the worker is up when one is held.
 */
function lockHeartbeat(): Heartbeat {
  if (heartbeat) return heartbeat;
  const timers = timerHeartbeat();
  let worker: Worker | undefined;
  try {
    worker = new Worker(HEARTBEAT_SOURCE, { eval: true, execArgv: [], stdout: false, stderr: false });
    worker.unref();
    worker.on("error", () => {
      worker = undefined;
    });
  } catch {
    worker = undefined;
  }
  heartbeat = {
    add(path, token, interval) {
      timers.add(path, token, interval);
      worker?.postMessage({ add: path, token, interval });
    },
    remove(path) {
      timers.remove(path);
      worker?.postMessage({ remove: path });
    },
  };
  return heartbeat;
}

function timerHeartbeat(): Heartbeat {
  const timers = new Map<string, NodeJS.Timeout>();
  return {
    add(path, token, interval) {
      const timer = setInterval(async () => {
        if ((await readLockInfo(path))?.token !== token) return;
        const now = new Date();
        await utimes(path, now, now).catch(() => {});
      }, interval);
      timer.unref();
      timers.set(path, timer);
    },
    remove(path) {
      clearInterval(timers.get(path));
      timers.delete(path);
    },
  };
}

/**
 * Hold an exclusive lock file `path + ".lock"` while `work` runs; works across processes (O_EXCL
 * create) and inside one. The lock file records the holder (pid, host, since; see
 * {@link readLockInfo}), and a heartbeat refreshes its mtime every `heartbeatMs` (timers here, plus
 * a worker thread that keeps beating while this thread runs synchronous code). Waiters retry with
 * backoff; a lock whose mtime is older than `staleMs` (its holder died: SIGKILL, power loss) is
 * taken over, so a dead holder blocks writers for about `staleMs`, and a live holder keeps its lock
 * however long it works. Hosts sharing a file system must agree on the time within `staleMs`.
 */
export async function withFileLock<T>(
  path: string,
  work: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const heartbeatMs = options.heartbeatMs ?? envMs("TESSERA_LOCK_HEARTBEAT_MS") ?? LOCK_HEARTBEAT_MS;
  const staleMs =
    options.staleMs ?? envMs("TESSERA_LOCK_STALE_MS") ?? Math.max(STALE_LOCK_MS, 4 * heartbeatMs);
  const lockPath = `${path}.lock`;
  const beat = lockHeartbeat();
  await ensureFolder(dirname(lockPath));
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    since: "",
    token: randomBytes(8).toString("hex"),
  };
  let delay = 1;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx");
      try {
        info.since = new Date().toISOString();
        await handle.writeFile(JSON.stringify(info));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      await breakIfStale(lockPath, staleMs);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, Math.max(5, Math.min(50, heartbeatMs / 4)));
    }
  }
  beat.add(lockPath, info.token, heartbeatMs);
  try {
    return await work();
  } finally {
    beat.remove(lockPath);
    // release only our own lock (a holder frozen for longer than staleMs may have lost it)
    if ((await readLockInfo(lockPath))?.token === info.token) await unlink(lockPath).catch(() => {});
  }
}

/**
 * Take over `lockPath` when its mtime is older than `staleMs`: rename it aside (only one waiter's
 * rename succeeds), check that the renamed file is the stale lock seen (same token, still stale: no
 * other waiter replaced it and its holder did not beat in between; otherwise put it back with
 * `link`, which never replaces a lock taken meanwhile), then delete it.
 */
async function breakIfStale(lockPath: string, staleMs: number): Promise<void> {
  const seen = await stat(lockPath).catch(() => undefined);
  if (!seen || Date.now() - seen.mtimeMs <= staleMs) return;
  const token = (await readLockInfo(lockPath))?.token;
  const again = await stat(lockPath).catch(() => undefined);
  if (!again || again.mtimeMs !== seen.mtimeMs) return; // replaced or refreshed meanwhile
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return; // another waiter took it over first
  }
  const moved = await stat(aside).catch(() => undefined);
  const movedToken = (await readLockInfo(aside))?.token;
  if (moved && (Date.now() - moved.mtimeMs <= staleMs || movedToken !== token)) {
    // not the stale lock seen (a waiter re-created it, or its holder beat): give it back
    await link(aside, lockPath).catch(() => {});
  }
  await unlink(aside).catch(() => {});
}
