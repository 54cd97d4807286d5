#!/usr/bin/env node
import { createProgram } from "./program.js";

/** Errors carrying the project's typed fields (path, field, expected, found) print as one line, no stack. */
function report(error: unknown): void {
  const err = error as Error;
  const debug = process.env.TESSERA_DEBUG === "1";
  process.stderr.write(`tessera: ${err?.name ?? "Error"}: ${err?.message ?? String(error)}\n`);
  if (debug && err?.stack) process.stderr.write(`${err.stack}\n`);
}

createProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    report(error);
    process.exitCode = 2;
  });
