import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { NotAnHdf5FileError, PathNotFoundError } from "./errors.js";

/** The 8-byte HDF5 format signature `\x89HDF\r\n\x1a\n`. */
export const HDF5_SIGNATURE: readonly number[] = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Byte offset of the HDF5 signature in the open file `fd` of `fileSize` bytes, or `undefined` when
 * there is none. The HDF5 spec puts the superblock at byte 0 or, after a user block, at 512, 1024,
 * 2048, … (powers of two from 512).
 */
export function findHdf5Signature(fd: number, fileSize: number): number | undefined {
  const head = new Uint8Array(HDF5_SIGNATURE.length);
  for (let at = 0; at + head.length <= fileSize; at = at === 0 ? 512 : at * 2) {
    if (readSync(fd, head, 0, head.length, at) !== head.length) continue;
    if (HDF5_SIGNATURE.every((b, i) => head[i] === b)) return at;
  }
  return undefined;
}

/** What the first bytes of a non-HDF5 file look like, for an error message: `a 6-byte file starting "hello"`. */
function describeStart(fd: number, size: number): string {
  if (size === 0) return "an empty file";
  const head = new Uint8Array(Math.min(16, size));
  readSync(fd, head, 0, head.length, 0);
  const printable = head.every((b) => (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09);
  const start = printable
    ? JSON.stringify(Buffer.from(head).toString("latin1"))
    : Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
  return `a ${size}-byte file starting ${start}${printable ? "" : " (hex)"} and no HDF5 signature`;
}

/**
 * Check, before any HDF5 library touches it, that `file` exists and is an HDF5 file (the signature at
 * byte 0, 512, 1024, 2048, …). Throws {@link PathNotFoundError} or {@link NotAnHdf5FileError} naming
 * the file and what was found instead.
 */
export function assertHdf5File(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new PathNotFoundError("HDF5 file not found", {
        path: file,
        expected: "an existing HDF5 file",
        found: "nothing at this path",
      });
    }
    throw error;
  }
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) {
      throw new NotAnHdf5FileError("not an HDF5 file", {
        path: file,
        expected: "an HDF5 file",
        found: "a folder",
      });
    }
    if (findHdf5Signature(fd, info.size) === undefined) {
      throw new NotAnHdf5FileError("not an HDF5 file", {
        path: file,
        expected: "an HDF5 file (signature \\x89HDF\\r\\n\\x1a\\n at byte 0, 512, 1024, 2048, …)",
        found: describeStart(fd, info.size),
      });
    }
  } finally {
    closeSync(fd);
  }
}

/** Whether `file` is a readable file carrying the HDF5 signature. Never throws. */
export function isHdf5File(file: string): boolean {
  try {
    assertHdf5File(file);
    return true;
  } catch {
    return false;
  }
}
