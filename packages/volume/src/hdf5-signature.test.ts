import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tessera/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { NotAnHdf5FileError, PathNotFoundError } from "./errors.js";
import { assertHdf5File, isHdf5File } from "./hdf5-signature.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

const SIGNATURE = Buffer.from("\x89HDF\r\n\x1a\n", "latin1");

/** A file of `size` zero bytes with the HDF5 signature written at `at`. */
function fileWithSignatureAt(at: number, size: number): string {
  const bytes = Buffer.alloc(size);
  SIGNATURE.copy(bytes, at);
  const path = join(tmp.path, `sig-${at}-${size}.bin`);
  writeFileSync(path, bytes);
  return path;
}

describe("the HDF5 signature (user-block rule: byte 0, 512, 1024, 2048, …)", () => {
  it("is found at 0 and at each power of two from 512, in a file just long enough", () => {
    for (const at of [0, 512, 1024, 2048, 4096, 65536])
      expect(isHdf5File(fileWithSignatureAt(at, at + 8))).toBe(true);
  });

  it("is not found anywhere else, nor cut short at the end of the file", () => {
    for (const at of [1, 8, 256, 300, 513, 1536, 3000])
      expect(isHdf5File(fileWithSignatureAt(at, at + 64))).toBe(false);
    const cut = join(tmp.path, "cut.bin");
    writeFileSync(cut, SIGNATURE.subarray(0, 7));
    expect(isHdf5File(cut)).toBe(false);
  });

  it("assertHdf5File names a missing file and a folder", () => {
    expect(() => assertHdf5File(join(tmp.path, "missing.h5"))).toThrow(PathNotFoundError);
    expect(() => assertHdf5File(tmp.path)).toThrow(NotAnHdf5FileError);
    expect(() => assertHdf5File(tmp.path)).toThrow(/found: a folder$/);
  });
});
