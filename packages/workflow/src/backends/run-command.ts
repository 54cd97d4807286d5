import { execFile } from "node:child_process";
import { SchedulerCommandError, SchedulerCommandMissingError } from "./errors.js";

/** Output of a finished scheduler command. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
  status: number | null;
}

/**
 * Run a scheduler command without a shell (arguments passed as they are), with a timeout. Resolves
 * with its output whatever its exit status when `allowFailure`, else rejects with
 * {@link SchedulerCommandError} (its stderr in the message); a command not on PATH rejects with
 * {@link SchedulerCommandMissingError}.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { backend: string; timeoutMs?: number; allowFailure?: boolean; input?: string } = {
    backend: "slurm",
  },
): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args as string[],
      { timeout: options.timeoutMs ?? 30_000, maxBuffer: 64 << 20, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === "ENOENT") {
          reject(new SchedulerCommandMissingError(command, options.backend));
          return;
        }
        const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
        if (status !== 0 && !options.allowFailure) {
          reject(new SchedulerCommandError(command, args, status, stderr || String(error?.message ?? "")));
          return;
        }
        resolve({ stdout, stderr, status });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
