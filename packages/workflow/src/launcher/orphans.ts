import { readdirSync, readFileSync } from "node:fs";

/**
 * Stop the process group of a task a dead launcher left running on this host, but only when
 * `/proc/<pid>/environ` proves it is that task (so a reused pid is never killed). Returns whether it did.
 */
export function killOrphan(pid: number, site: string, taskId: number): boolean {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, "utf8");
  } catch {
    return false;
  }
  const vars = new Set(environ.split("\0"));
  if (!vars.has(`TESSERA_TASK_ID=${taskId}`) || !vars.has(`TESSERA_SITE=${site}`)) return false;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * SIGKILL the process group of every process whose environment is exactly `env` (Linux: read from
 * `/proc/<pid>/environ`): the way to find a child started for one task attempt when the pid was never
 * reported (its environment names the site, task and attempt). Returns the pids found.
 */
export function killProcessesWithEnv(env: Record<string, string | undefined>): number[] {
  const want = new Set<string>();
  for (const [k, v] of Object.entries(env)) if (v !== undefined) want.add(`${k}=${v}`);
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const name of entries) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, "utf8");
    } catch {
      continue;
    }
    const vars = environ.split("\0").filter((x) => x !== "");
    if (vars.length !== want.size || !vars.every((x) => want.has(x))) continue;
    found.push(pid);
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  return found;
}
