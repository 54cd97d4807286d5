import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Piscina } from "piscina";
import type { WorkerEntry } from "../app.js";

const WORKER_SOURCE = `
import { pathToFileURL } from "node:url";
const cache = new Map();
export default async function run({ module, exportName, params, ctx }) {
  let mod = cache.get(module);
  if (!mod) { mod = await import(pathToFileURL(module).href); cache.set(module, mod); }
  const fn = mod[exportName ?? "default"];
  if (typeof fn !== "function") throw new Error(\`\${module} has no exported function "\${exportName ?? "default"}"\`);
  const result = await fn(params, ctx);
  return result === undefined ? null : JSON.parse(JSON.stringify(result));
}
`;

/** What a worker-thread task function receives besides its params. */
export interface WorkerTaskContext {
  taskId: number;
  workdir: string;
  site: string;
  attempt: number;
}

/** A piscina pool running app functions in worker threads. */
export class WorkerPool {
  private constructor(private readonly pool: Piscina) {}

  /**
   * Start a pool (piscina is loaded only now, so launchers without worker apps stay small, which
   * keeps their forks cheap). `dir` receives the small worker entry module (the site's `.tessera`).
   */
  static async create(maxThreads: number, dir: string): Promise<WorkerPool> {
    const { Piscina } = await import("piscina");
    const digest = createHash("sha256").update(WORKER_SOURCE).digest("hex").slice(0, 16);
    mkdirSync(dir, { recursive: true });
    const filename = join(dir, `worker-${digest}.mjs`);
    if (!existsSync(filename)) {
      writeFileSync(`${filename}.${process.pid}`, WORKER_SOURCE);
      renameSync(`${filename}.${process.pid}`, filename);
    }
    return new WorkerPool(new Piscina({ filename, maxThreads, minThreads: 0, idleTimeout: 2000 }));
  }

  /** Run one task; rejects with the function's error, or an AbortError when `signal` fires. */
  run(
    entry: WorkerEntry,
    params: Record<string, unknown>,
    ctx: WorkerTaskContext,
    signal: AbortSignal,
  ): Promise<unknown> {
    return this.pool.run({ module: entry.module, exportName: entry.exportName, params, ctx }, { signal });
  }

  /** Stop the threads. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
