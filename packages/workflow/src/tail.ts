import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** Bytes of stdout/stderr kept in an attempt record. */
export const TAIL_BYTES = 4096;

/**
 * The last `bytes` bytes of a file as UTF-8 (empty when the file is missing or empty). The one reader
 * of the stdout/stderr tails recorded with every attempt.
 */
export function readTail(path: string, bytes = TAIL_BYTES): string {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return "";
  }
  try {
    const size = fstatSync(fd).size;
    const n = Math.min(size, bytes);
    if (n <= 0) return "";
    const buf = Buffer.allocUnsafe(n);
    const got = readSync(fd, buf, 0, n, size - n);
    return buf.toString("utf8", 0, got);
  } finally {
    closeSync(fd);
  }
}
