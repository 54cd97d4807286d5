import { mkdirSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";

/** A pino logger writing JSON lines to `<site>/logs/workflow.log` (appended by every process). */
export function siteLogger(siteDir: string, level = process.env.TESSERA_LOG_LEVEL ?? "info"): pino.Logger {
  const dir = join(siteDir, "logs");
  mkdirSync(dir, { recursive: true });
  return pino(
    { level, base: { pid: process.pid } },
    pino.destination({ dest: join(dir, "workflow.log"), sync: true, append: true }),
  );
}
