import type { Command } from "commander";
import { ExitCode } from "./exit-codes.js";

/** File-system error codes that mean the user named a wrong path, not that tessera has a bug. */
const USER_FS_ERRORS = new Set(["ENOENT", "ENOTDIR", "EISDIR", "EACCES", "EPERM", "EEXIST", "ENOTEMPTY"]);

/**
 * A commander parse error or help/version exit. Duck-typed: each package may load its own copy of
 * commander, so `instanceof CommanderError` is not reliable.
 */
function isCommanderError(error: unknown): error is Error & { code: string; exitCode: number } {
  const e = error as { code?: unknown; exitCode?: unknown } | null;
  return typeof e?.code === "string" && e.code.startsWith("commander.") && typeof e.exitCode === "number";
}

/** Call `visit` on `command` and every subcommand below it. */
function walk(command: Command, visit: (c: Command) => void): void {
  visit(command);
  for (const sub of command.commands) walk(sub, visit);
}

/** The command that `args` names (following subcommand names), and the arguments left after it. */
function namedCommand(root: Command, args: string[]): { command: Command; rest: string[] } {
  let command = root;
  let i = 0;
  for (; i < args.length; i++) {
    const sub = command.commands.find((c) => c.name() === args[i] || c.aliases().includes(args[i]));
    if (!sub) break;
    command = sub;
  }
  return { command, rest: args.slice(i) };
}

/** How an error is reported: its type name, its one-line message and the exit status. */
export function describeError(error: unknown): { type: string; message: string; exitStatus: number } {
  const err = error as (Error & { exitStatus?: unknown; code?: unknown }) | undefined;
  const message = err?.message ?? String(error);
  if (isCommanderError(error)) {
    return { type: "UsageError", message: message.replace(/^error: /, ""), exitStatus: ExitCode.badInput };
  }
  if (typeof err?.exitStatus === "number") {
    return { type: err.name, message, exitStatus: err.exitStatus };
  }
  if (typeof err?.code === "string" && USER_FS_ERRORS.has(err.code)) {
    const type = err.code === "ENOENT" ? "NotFoundError" : "FileError";
    return { type, message, exitStatus: ExitCode.badInput };
  }
  return {
    type: "InternalError",
    message: `${err?.name ?? "Error"}: ${message} (a bug: rerun with TESSERA_DEBUG=1 for the stack and report it)`,
    exitStatus: ExitCode.internal,
  };
}

/**
 * Parse `argv` with `command` and run it, the same way for every tessera program:
 * - a bare program or command group (`tessera`, `tessera volume`) prints its help on stdout, exit 0;
 * - every error prints one line `<program>: <ErrorType>: <message>` on stderr (the stack only with
 *   `TESSERA_DEBUG=1`) and sets the exit status of {@link ExitCode}: option-parse errors are
 *   `UsageError` (2); errors carrying a numeric `exitStatus` (every `TesseraError` and workflow
 *   error: 2) use it; a missing or unreadable path is 2; anything else is an internal error (3).
 */
export async function runCli(command: Command, argv: string[] = process.argv): Promise<void> {
  stopQuietlyOnClosedStdout();
  walk(command, (c) => {
    c.exitOverride();
    c.configureOutput({ outputError: () => {} });
  });
  const { command: named, rest } = namedCommand(command, argv.slice(2));
  if (named.commands.length > 0 && rest.length === 0) {
    named.outputHelp(); // on stdout, with the command's addHelpText sections (examples)
    return;
  }
  try {
    await command.parseAsync(argv);
  } catch (error) {
    if (isCommanderError(error) && error.exitCode === 0) return; // --help, --version
    const { type, message, exitStatus } = describeError(error);
    const hint = isCommanderError(error) ? ` (see \`${commandPath(named)} --help\`)` : "";
    process.stderr.write(`${command.name()}: ${type}: ${message}${hint}\n`);
    const stack = (error as Error)?.stack;
    if (process.env.TESSERA_DEBUG === "1" && stack) process.stderr.write(`${stack}\n`);
    process.exitCode = exitStatus;
  }
}

/** `tessera … | head` closes stdout early: end quietly (status 0), as Unix filters do, not with an EPIPE stack. */
function stopQuietlyOnClosedStdout(): void {
  if (process.stdout.listenerCount("error") > 0) return;
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(ExitCode.ok);
    throw error;
  });
}

/** `tessera segment fragments`: the names from the root to `command`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}
