import { readFileSync } from "node:fs";

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
