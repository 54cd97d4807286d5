import type { Command } from "commander";
import { registerAppCommands } from "./commands/app.js";
import { registerLaunchCommand } from "./commands/launch.js";
import { registerMonitorCommands } from "./commands/monitor.js";
import { registerQueueCommands } from "./commands/queue.js";
import { registerSiteCommands } from "./commands/site.js";
import { registerTaskCommands } from "./commands/task.js";

export { parseSince } from "./commands/common.js";

/**
 * Add the workflow commands to a commander program: `site init`, `app ls|add|example`,
 * `task add|ls|show|kill|retry|export`, `launch`, `events`, `status`, `queue submit`, each with examples in its
 * `--help`. Actions throw typed errors (WorkflowErrors carry `exitStatus` 2) and set
 * `process.exitCode` for partial failure; run the program with `runCli` from `@tessera/cli`, which
 * prints one line per error and sets the exit status.
 */
export function registerWorkflowCommands(program: Command): void {
  registerSiteCommands(program);
  registerAppCommands(program);
  registerTaskCommands(program);
  registerLaunchCommand(program);
  registerMonitorCommands(program);
  registerQueueCommands(program);
}
