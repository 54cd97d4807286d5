import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import pino, { type Logger } from "pino";

/** A pino logger writing JSON lines to `file` (created with its folder), synchronously so nothing is lost on exit. */
export function createFileLogger(file: string, name = "tessera"): Logger {
  mkdirSync(dirname(file), { recursive: true });
  return pino(
    { name, level: process.env.TESSERA_LOG_LEVEL ?? "info" },
    pino.destination({ dest: file, sync: true }),
  );
}
