import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Write `data` to `path` atomically: write a temporary file in the same folder, then rename it over
 * the target. A process killed at any point leaves either the old file or the new one, never a torn
 * one (an orphan `*.tmp` may remain; readers ignore it).
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await ensureFolder(dirname(path));
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temp, data).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
      // the folder was removed since this process last saw it (e.g. an overwrite): make it again
      knownFolders.delete(dirname(path));
      await ensureFolder(dirname(path));
      await writeFile(temp, data);
    });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Folders this process has created or seen, so chunk writes skip a mkdir call each. */
const knownFolders = new Set<string>();

async function ensureFolder(folder: string): Promise<void> {
  if (knownFolders.has(folder)) return;
  await mkdir(folder, { recursive: true });
  knownFolders.add(folder);
}

/** How long a lock file may live before another writer treats its holder as dead (ms). */
export const STALE_LOCK_MS = 30_000;

/**
 * Hold an exclusive lock file `path + ".lock"` while `work` runs; works across processes (O_EXCL
 * create) and inside one. Waits with backoff while another holder has it; breaks a lock older than
 * {@link STALE_LOCK_MS} (its holder died).
 */
export async function withFileLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  const lockPath = `${path}.lock`;
  await ensureFolder(dirname(lockPath));
  let delay = 1;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age = await stat(lockPath).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) await unlink(lockPath).catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 50);
    }
  }
  try {
    return await work();
  } finally {
    await unlink(lockPath).catch(() => {});
  }
}
