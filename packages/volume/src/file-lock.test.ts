import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { assertFreshBuilds, tempDir } from "@tessera/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readLockInfo, withFileLock } from "./atomic-file.js";

const tmp = tempDir();
afterAll(tmp.cleanup);
let counter = 0;
const fresh = () => join(tmp.path, `file${counter++}`);

/** Small intervals for the tests: heartbeat 50 ms, stale after 400 ms (eight heartbeats). */
const HEARTBEAT_MS = 50;
const STALE_MS = 400;
const options = { heartbeatMs: HEARTBEAT_MS, staleMs: STALE_MS };
const holder = join(import.meta.dirname, "..", "test", "lock-holder.mjs");

function startHolder(args: string[]): ChildProcess {
  return spawn(process.execPath, [holder, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env: {
      ...process.env,
      TESSERA_LOCK_HEARTBEAT_MS: String(HEARTBEAT_MS),
      TESSERA_LOCK_STALE_MS: String(STALE_MS),
    },
  });
}

function printed(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) resolve();
    });
    child.on("exit", (code) => reject(new Error(`holder exited with ${code} before printing ${text}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("withFileLock in one process", () => {
  it("records the holder in the lock file and removes it afterwards", async () => {
    const path = fresh();
    const info = await withFileLock(path, async () => readLockInfo(`${path}.lock`), options);
    expect(info?.pid).toBe(process.pid);
    expect(info?.host).toBe(hostname());
    expect(Date.parse(info?.since ?? "")).toBeGreaterThan(Date.now() - 60_000);
    expect(info?.token).toMatch(/^[0-9a-f]{16}$/);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it("refreshes the lock's mtime while held (heartbeat) and serialises holders", async () => {
    const path = fresh();
    const events: string[] = [];
    const first = withFileLock(
      path,
      async () => {
        events.push("first start");
        await sleep(3 * STALE_MS);
        events.push("first end");
      },
      options,
    );
    await sleep(2 * STALE_MS);
    const { mtimeMs } = statSync(`${path}.lock`);
    expect(Date.now() - mtimeMs).toBeLessThan(STALE_MS);
    const second = withFileLock(
      path,
      async () => {
        events.push("second");
      },
      options,
    );
    await Promise.all([first, second]);
    expect(events).toEqual(["first start", "first end", "second"]);
  });

  it("takes over a lock whose heartbeat stopped, and leaves no aside files", async () => {
    const path = fresh();
    await writeFile(`${path}.lock`, JSON.stringify({ pid: 1, host: "gone", since: "", token: "dead" }));
    const old = new Date(Date.now() - 10 * STALE_MS);
    await utimes(`${path}.lock`, old, old);
    const started = performance.now();
    await withFileLock(path, async () => {}, options);
    expect(performance.now() - started).toBeLessThan(STALE_MS);
    expect(readdirSync(tmp.path).filter((n) => n.includes(".stale-"))).toEqual([]);
  });

  it("does not remove a lock that another holder took over", async () => {
    const path = fresh();
    await withFileLock(
      path,
      async () => {
        // simulate losing the lock (this holder was frozen past the stale age): someone else's file
        await writeFile(
          `${path}.lock`,
          JSON.stringify({ pid: 2, host: "other", since: "", token: "theirs" }),
        );
      },
      options,
    );
    expect((await readLockInfo(`${path}.lock`))?.token).toBe("theirs");
  });
});

describe("withFileLock across processes (built package)", () => {
  beforeAll(() => assertFreshBuilds([join(import.meta.dirname, "..")]));

  it("a holder killed with SIGKILL: the next writer gets the lock after about the stale age, not 30 s", async () => {
    const path = fresh();
    const child = startHolder(["hold", path]);
    await printed(child, "locked");
    const info = await readLockInfo(`${path}.lock`);
    expect(info?.pid).toBe(child.pid);
    expect(info?.host).toBe(hostname());
    // alive: its lock stays fresh well past the stale age
    await sleep(3 * STALE_MS);
    let entered = false;
    const waiter = withFileLock(
      path,
      async () => {
        entered = true;
      },
      options,
    );
    await sleep(2 * STALE_MS);
    expect(entered).toBe(false);
    child.kill("SIGKILL");
    await exited(child);
    const killed = performance.now();
    await waiter;
    const waited = performance.now() - killed;
    expect(entered).toBe(true);
    expect(waited).toBeLessThan(STALE_MS + 2_000);
    expect(existsSync(`${path}.lock`)).toBe(false);
  }, 30_000);

  it("live holders working longer than the stale age keep their locks: no two writers inside at once", async () => {
    const path = fresh();
    const shared = fresh();
    // A waits asynchronously, B blocks its event loop (only the worker-thread heartbeat keeps its
    // lock fresh), C holds briefly; each works several stale ages per round
    const children = [
      startHolder(["work", path, shared, "A", String(3 * STALE_MS), "async", "2"]),
      startHolder(["work", path, shared, "B", String(3 * STALE_MS), "sync", "2"]),
      startHolder(["work", path, shared, "C", String(STALE_MS / 3), "async", "2"]),
    ];
    expect(await Promise.all(children.map(exited))).toEqual([0, 0, 0]);
    const lines = readFileSync(shared, "utf8").trim().split("\n");
    expect(lines).toHaveLength(12);
    for (let i = 0; i < lines.length; i += 2) {
      const [tag, what] = lines[i].split(" ");
      expect(what, lines.join(" | ")).toBe("start");
      expect(lines[i + 1], lines.join(" | ")).toBe(`${tag} end`);
    }
    expect(existsSync(`${path}.lock`)).toBe(false);
  }, 60_000);
});
