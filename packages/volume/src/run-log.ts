import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import pino, { type Logger } from "pino";

/**
 * A structured log of a long-running command: pino JSON lines appended to `file` (its folder is
 * created), written synchronously so nothing is lost when the process ends or is killed. Several
 * processes (e.g. block tasks of one run) may append to the same file. Level from
 * `$TESSERA_LOG_LEVEL` (default `info`).
 */
export function openRunLog(file: string, name = "tessera"): Logger {
  mkdirSync(dirname(file), { recursive: true });
  return pino(
    { name, level: process.env.TESSERA_LOG_LEVEL ?? "info" },
    pino.destination({ dest: file, sync: true, append: true }),
  );
}

/**
 * Run `work` with `started` and `finished` (with `summarise(result)` and the seconds taken) or
 * `failed` (the error's name, message, path and field) entries in `log`.
 */
export async function logged<T>(
  log: Logger,
  what: Record<string, unknown>,
  work: () => Promise<T>,
  summarise: (result: T) => unknown = (result) => result,
): Promise<T> {
  const started = performance.now();
  log.info(what, "started");
  try {
    const result = await work();
    log.info(
      { ...what, result: summarise(result), seconds: (performance.now() - started) / 1000 },
      "finished",
    );
    return result;
  } catch (error) {
    const err = error as Error & Record<string, unknown>;
    log.error(
      { ...what, error: { name: err?.name, message: err?.message, path: err?.path, field: err?.field } },
      "failed",
    );
    throw error;
  }
}
