import { existsSync } from "node:fs";
import { join } from "node:path";
import type { LaunchSummary } from "../launcher/launch.js";
import type { Site } from "../site.js";
import { FINAL_STATES } from "../states.js";
import { countTasks, getTask } from "../tasks.js";

/** Failed tasks listed one by one in the report; the rest are counted. */
const LISTED_FAILURES = 20;

/**
 * What `launch` prints when it ends: the launcher's counts, the site's tasks per final state, and each
 * task that ended FAILED in this run with its error and where its logs are.
 */
export async function launchReport(site: Site, summary: LaunchSummary, program: string): Promise<string> {
  const lines = [
    `launcher ${summary.launcherId}: ${summary.finished} finished, ${summary.failed} failed, ${summary.retried} retried, ${summary.abandoned} abandoned in ${(summary.durationMs / 1000).toFixed(1)} s (${summary.reason})`,
  ];
  const counts = await countTasks(site);
  const finals = FINAL_STATES.filter((st) => counts[st] > 0).map((st) => `${st} ${counts[st]}`);
  lines.push(`final states on the site: ${finals.join(", ") || "none yet"}`);
  for (const id of summary.failedIds.slice(0, LISTED_FAILURES)) {
    const t = await getTask(site, id);
    lines.push(`FAILED task ${id} (${t.app}): ${t.lastError ?? "no error recorded"}`);
    const workdir = join(site.dir, "data", t.workdir);
    const logs = ["stdout.log", "stderr.log"].map((f) => join(workdir, f)).filter((f) => existsSync(f));
    lines.push(logs.length > 0 ? `  logs: ${logs.join(" ")}` : "  logs: none (it failed before it ran)");
  }
  const more = summary.failedIds.length - LISTED_FAILURES;
  if (more > 0) {
    lines.push(`… and ${more} more failed: ${program} task ls --site ${site.dir} --state FAILED`);
  }
  return `${lines.join("\n")}\n`;
}
