import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { type PairMapOptions, type PairResult, pairMap } from "./pair-map.js";
import type { Section } from "./section.js";

/** Computes a pair map, in this thread or elsewhere. */
export type PairComputer = (fixed: Section, moving: Section, options: PairMapOptions) => Promise<PairResult>;

/** The built worker (`dist/pair-worker.js`); absent when running from sources. */
export const PAIR_WORKER: string = fileURLToPath(new URL("./pair-worker.js", import.meta.url));

const pools = new Map<string, Piscina>();

/** Stop the pair-map worker threads (started again on demand). */
export async function closePairPool(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.destroy()));
}

/**
 * A {@link PairComputer} on a persistent pool of `threads` worker threads (piscina; default: the
 * available cores). Each task gets copies of the two sections. With one thread, or when the worker
 * module is missing (running from sources without `workerFile`), pairs are computed in this thread.
 */
export function pairPool(threads = availableParallelism(), workerFile = PAIR_WORKER): PairComputer {
  if (threads <= 1 || !existsSync(workerFile)) return async (f, m, o) => pairMap(f, m, o);
  const key = `${threads}:${workerFile}`;
  let pool = pools.get(key);
  if (!pool) {
    // idle workers are unref'd by piscina: the pool never keeps the process alive
    pool = new Piscina({
      filename: workerFile,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Infinity,
    });
    pools.set(key, pool);
  }
  const p = pool;
  return async (fixed, moving, options) =>
    p.run({
      fixed: Float32Array.from(fixed.data),
      moving: Float32Array.from(moving.data),
      width: fixed.width,
      height: fixed.height,
      options,
    }) as Promise<PairResult>;
}
