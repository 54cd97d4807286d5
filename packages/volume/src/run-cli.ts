import type { Command } from "commander";

/**
 * Parse `argv` with `command` and run it; an error prints as one line
 * `<program>: <ErrorType>: <message>` (the stack only with `TESSERA_DEBUG=1`) and sets exit status 2.
 */
export async function runCli(command: Command, argv: string[] = process.argv): Promise<void> {
  try {
    await command.parseAsync(argv);
  } catch (error) {
    const err = error as Error;
    process.stderr.write(`${command.name()}: ${err?.name ?? "Error"}: ${err?.message ?? String(error)}\n`);
    if (process.env.TESSERA_DEBUG === "1" && err?.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 2;
  }
}
