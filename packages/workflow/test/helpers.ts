import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { assertFreshBuilds, tempDir } from "@tessera/testkit";
import { afterEach } from "vitest";
import { createSite, type Site } from "../src/index.js";

/** This package's folder. */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The built CLI (tests that run real launcher/CLI processes need `npx tsup` first; nx `test` depends on `build`). */
export const BIN = join(PACKAGE_DIR, "dist", "bin.js");

/**
 * The built CLI, after checking that it and `@tessera/cli` (which it imports) were built from the
 * current sources: a stale build fails the test loudly instead of testing old code.
 */
export function requireBin(): string {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npx tsup" in packages/workflow first`);
  assertFreshBuilds([PACKAGE_DIR, join(PACKAGE_DIR, "..", "cli")]);
  return BIN;
}

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A fresh site in a temp folder, closed and removed after the test. */
export async function freshSite(): Promise<Site> {
  const dir = tempDir("tessera-wf-");
  const site = await createSite(dir.path);
  cleanups.push(async () => {
    await site.store.close();
    dir.cleanup();
  });
  return site;
}

/** Run the CLI synchronously (optionally in another folder, with stdin). */
export function cli(
  args: string[],
  env: Record<string, string> = {},
  opts: { cwd?: string; input?: string } = {},
) {
  const r = spawnSync(process.execPath, [requireBin(), ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...env },
    timeout: 60_000,
    cwd: opts.cwd,
    input: opts.input,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Start the CLI as a child process (killed after the test if still alive). */
export function cliProcess(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [requireBin(), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  (child as ChildProcess & { stderrText: () => string }).stderrText = () => stderr;
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return child;
}

/** Wait until a child exits; returns its exit code and signal. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** Poll `check` until it returns a truthy value (generous deadline: these tests run on loaded machines). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 30_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
